/**
 * What an arena's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { arenaEvents } from './events';

export const registerArenaBody = arenaEvents.ArenaRegistered.omit({ arenaId: true });
export const registerArenaInput = registerArenaBody.extend({ arenaId: Id });
export type RegisterArenaInput = z.infer<typeof registerArenaInput>;
