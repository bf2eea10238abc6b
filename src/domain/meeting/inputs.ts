/**
 * What a meeting's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { meetingEvents } from './events';

export const recordMeetingBody = meetingEvents.MeetingHeld.omit({ meetingId: true });
export const recordMeetingInput = recordMeetingBody.extend({ meetingId: Id });
export type RecordMeetingInput = z.infer<typeof recordMeetingInput>;
