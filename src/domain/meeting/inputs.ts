import type { z } from 'zod';
import { eventDataSchemas, Id } from '../events';

/** POST /meetings */
export const recordMeetingBody = eventDataSchemas.MeetingHeld.omit({ meetingId: true });
export const recordMeetingInput = recordMeetingBody.extend({ meetingId: Id });
export type RecordMeetingInput = z.infer<typeof recordMeetingInput>;
