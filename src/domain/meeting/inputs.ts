import type { z } from 'zod';
import { Id } from '../values';
import { meetingEvents } from './events';

/** POST /meetings */
export const recordMeetingBody = meetingEvents.MeetingHeld.omit({ meetingId: true });
export const recordMeetingInput = recordMeetingBody.extend({ meetingId: Id });
export type RecordMeetingInput = z.infer<typeof recordMeetingInput>;
