import type { z } from 'zod';
import { Id } from '../values';
import { processEvents } from './events';

/** POST /processes */
export const startProcessBody = processEvents.ProcessStarted.omit({ processId: true });
export const startProcessInput = startProcessBody.extend({ processId: Id });
export type StartProcessInput = z.infer<typeof startProcessInput>;

/** POST /processes/:id/phases */
export const startProcessPhaseBody = processEvents.ProcessPhaseStarted;
export const startProcessPhaseInput = startProcessPhaseBody.extend({ processId: Id });
export type StartProcessPhaseInput = z.infer<typeof startProcessPhaseInput>;

/** POST /processes/:id/completion (API.md names no route for ProcessCompleted; this one is ours). */
export const completeProcessBody = processEvents.ProcessCompleted;
export const completeProcessInput = completeProcessBody.extend({ processId: Id });
export type CompleteProcessInput = z.infer<typeof completeProcessInput>;
