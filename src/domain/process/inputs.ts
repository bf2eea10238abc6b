/**
 * What a process's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { processEvents } from './events';

export const startProcessBody = processEvents.ProcessStarted.omit({ processId: true });
export const startProcessInput = startProcessBody.extend({ processId: Id });
export type StartProcessInput = z.infer<typeof startProcessInput>;

export const startProcessPhaseBody = processEvents.ProcessPhaseStarted;
export const startProcessPhaseInput = startProcessPhaseBody.extend({ processId: Id });
export type StartProcessPhaseInput = z.infer<typeof startProcessPhaseInput>;

export const completeProcessBody = processEvents.ProcessCompleted;
export const completeProcessInput = completeProcessBody.extend({ processId: Id });
export type CompleteProcessInput = z.infer<typeof completeProcessInput>;
