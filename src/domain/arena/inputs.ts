import type { z } from 'zod';
import { eventDataSchemas, Id } from '../events';

/** POST /arenas */
export const registerArenaBody = eventDataSchemas.ArenaRegistered.omit({ arenaId: true });
export const registerArenaInput = registerArenaBody.extend({ arenaId: Id });
export type RegisterArenaInput = z.infer<typeof registerArenaInput>;
