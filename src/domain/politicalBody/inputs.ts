/**
 * What a political body's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { politicalBodyEvents } from './events';

export const registerPoliticalBodyBody = politicalBodyEvents.PoliticalBodyRegistered.omit({ bodyId: true });
export const registerPoliticalBodyInput = registerPoliticalBodyBody.extend({ bodyId: Id });
export type RegisterPoliticalBodyInput = z.infer<typeof registerPoliticalBodyInput>;
