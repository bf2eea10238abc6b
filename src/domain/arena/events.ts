/** The arena's events, on its stream `arena-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { Id, Name, AreaName } from '../values';

export const arenaEvents = {
  ArenaRegistered: z.strictObject({ arenaId: Id, name: Name, areas: z.array(AreaName).max(100) }),
} as const;
