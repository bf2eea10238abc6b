import type { z } from 'zod';
import { eventDataSchemas, Id } from '../events';

/** POST /processes */
export const startProcessBody = eventDataSchemas.ProcessStarted.omit({ processId: true });
export const startProcessInput = startProcessBody.extend({ processId: Id });
export type StartProcessInput = z.infer<typeof startProcessInput>;

/** POST /processes/:id/phases */
export const startProcessPhaseBody = eventDataSchemas.ProcessPhaseStarted;
export const startProcessPhaseInput = startProcessPhaseBody.extend({ processId: Id });
export type StartProcessPhaseInput = z.infer<typeof startProcessPhaseInput>;

/** POST /processes/:id/completion (API.md names no route for ProcessCompleted; this one is ours). */
export const completeProcessBody = eventDataSchemas.ProcessCompleted;
export const completeProcessInput = completeProcessBody.extend({ processId: Id });
export type CompleteProcessInput = z.infer<typeof completeProcessInput>;
