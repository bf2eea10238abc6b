import type { z } from 'zod';
import { eventDataSchemas, Id } from '../events';

/** POST /political-bodies */
export const registerPoliticalBodyBody = eventDataSchemas.PoliticalBodyRegistered.omit({ bodyId: true });
export const registerPoliticalBodyInput = registerPoliticalBodyBody.extend({ bodyId: Id });
export type RegisterPoliticalBodyInput = z.infer<typeof registerPoliticalBodyInput>;
