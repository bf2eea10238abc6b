/** The co-creation process's events, on its stream `process-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { IsoDate, Id, Title, LongText, CoCreationForm, Phase } from '../values';

export const processEvents = {
  ProcessStarted: z.strictObject({
    processId: Id,
    title: Title,
    committeeIds: z.array(Id).min(1).max(50),
    coCreationForm: CoCreationForm,
    startedOn: IsoDate,
  }),
  ProcessPhaseStarted: z.strictObject({ phase: Phase, startedOn: IsoDate }),
  ProcessCompleted: z.strictObject({ completedOn: IsoDate, summary: LongText }),
} as const;
