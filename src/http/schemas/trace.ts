/** The answer of GET /proposals/:id/trace: every event that touched the proposal, each with its inclusion proof. */
import { z } from 'zod';
import { envelopeAnswer } from './feeds';

const base64 = z.string().describe('base64');

export const traceAnswer = z.strictObject({
  position: z.number().int().min(-1),
  checkpoint: z.strictObject({
    origin: z.string(),
    treeSize: z.number().int().min(0),
    rootHash: base64,
    signedNote: z.string(),
    publicKey: z.string(),
  }),
  events: z.array(
    envelopeAnswer.extend({
      leaf: z.string().describe('the canonical text of the event as stored (API.md "Leaf hash")'),
      leafHash: base64,
      inclusionProof: z.strictObject({
        leafIndex: z.number().int().min(0),
        treeSize: z.number().int().min(0),
        path: z.array(base64),
      }),
    }),
  ),
});
