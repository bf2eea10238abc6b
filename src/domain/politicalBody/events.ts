/** The political body's events, on its stream `political-body-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { Id, Name, PoliticalBodyKind } from '../values';

export const politicalBodyEvents = {
  PoliticalBodyRegistered: z.strictObject({
    bodyId: Id,
    name: Name,
    kind: PoliticalBodyKind,
    seats: z.number().int().min(1).max(1000).optional(),
  }),
} as const;
