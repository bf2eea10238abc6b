import type { z } from 'zod';
import { Id } from '../values';
import { politicalBodyEvents } from './events';

/** POST /political-bodies */
export const registerPoliticalBodyBody = politicalBodyEvents.PoliticalBodyRegistered.omit({ bodyId: true });
export const registerPoliticalBodyInput = registerPoliticalBodyBody.extend({ bodyId: Id });
export type RegisterPoliticalBodyInput = z.infer<typeof registerPoliticalBodyInput>;
