/** The answer of GET /exports: the data dictionary of the research exports. */
import { z } from 'zod';

export const dataDictionaryAnswer = z.strictObject({
  datasets: z.array(
    z.strictObject({
      name: z.string(),
      description: z.string(),
      formats: z.array(z.enum(['csv', 'ndjson'])),
      columns: z.array(z.strictObject({ name: z.string(), description: z.string() })),
    }),
  ),
  pseudonymisation: z.string(),
});
