/** The meeting's events, on its stream `meeting-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { IsoDate, Id, Count, MeetingKind } from '../values';

export const meetingEvents = {
  MeetingHeld: z.strictObject({
    meetingId: Id,
    committeeId: Id.optional(),
    arenaId: Id.optional(),
    kind: MeetingKind,
    heldOn: IsoDate,
    attendeeCount: Count,
    attendeePersonIds: z.array(Id).max(10_000).optional(),
    agendaProposalIds: z.array(Id).max(500),
  }),
} as const;
