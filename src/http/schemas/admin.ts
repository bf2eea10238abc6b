/** The answers of the operator routes: each view's checkpoint, lag and state, and a rebuild's outcome. */
import { z } from 'zod';

export const viewReport = z.strictObject({
  name: z.string(),
  version: z.number().int(),
  checkpoint: z.number().int().min(-1).describe('the last global position the view has taken in'),
  head: z.number().int().min(-1),
  lag: z.number().int().min(0),
  state: z.enum(['catching_up', 'live', 'rebuilding']),
});

export const projectionsAnswer = z.strictObject({
  checkpoint: z.number().int().min(-1).describe('the lowest checkpoint of all views'),
  views: z.array(viewReport),
});

export const rebuildAnswer = z.strictObject({
  name: z.string(),
  rebuilt: z.literal(true),
  events: z.number().int().min(0),
  seconds: z.number().min(0),
  eventsPerSecond: z.number().int().min(0).nullable(),
  view: viewReport,
});
