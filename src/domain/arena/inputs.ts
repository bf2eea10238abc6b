import type { z } from 'zod';
import { Id } from '../values';
import { arenaEvents } from './events';

/** POST /arenas */
export const registerArenaBody = arenaEvents.ArenaRegistered.omit({ arenaId: true });
export const registerArenaInput = registerArenaBody.extend({ arenaId: Id });
export type RegisterArenaInput = z.infer<typeof registerArenaInput>;
