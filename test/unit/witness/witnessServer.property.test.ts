/**
 * Random bodies against the witness over HTTP: bytes, text, and valid requests cut, grown and altered. Whatever
 * arrives, the answer is one of tlog-witness's statuses (never a 5xx), and a 200 only ever cosigns a checkpoint the
 * log's key signed, extending what the witness had cosigned before.
 */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { verifyCosignatureLine } from '../../../src/audit/cosignature';
import { parseVerifierKey, splitNote, verifyCheckpointNote } from '../../../src/audit/signedNote';
import { parseAddCheckpointRequest, parseAddCheckpointResponse } from '../../../src/audit/witness';
import { makeTempDir } from '../../support/tempDir';
import { LOG_VKEY, ORIGIN, fork, log } from './witnessedLog';
import { WITNESS_VKEY, addCheckpoint, serveWitness, type ServedWitness } from './witnessServing';

const temp = makeTempDir('witness-property-');
let witness: ServedWitness;
beforeAll(async () => {
  fs.mkdirSync(path.join(temp.dir, 'w'));
  witness = await serveWitness(path.join(temp.dir, 'w'));
});
afterAll(async () => {
  await witness.stop();
  temp.cleanup();
});

const STATUSES = [200, 400, 403, 404, 409, 413, 422];
const logKey = parseVerifierKey(LOG_VKEY);

/**
 * A valid request of the log or of its fork, built at run time from the witness's head: from that size (so some are
 * cosigned and the head moves on) or from another one (stale); to a size at or above it, or below (refused).
 */
type Body = (head: number) => string | Buffer;
const validRequest: fc.Arbitrary<Body> = fc
  .tuple(fc.nat({ max: 300 }), fc.nat({ max: 300 }), fc.boolean(), fc.boolean())
  .map(([a, b, fromHead, forked]) => (head) => {
    const from = fromHead ? head : Math.min(a, b);
    return (forked ? fork : log).request(from, Math.max(from, b));
  });

type Edit = { at: number; kind: 'delete' | 'insert' | 'replace'; text: string };
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Edit['kind']>('delete', 'insert', 'replace'),
  text: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
});
function applyEdits(body: string, edits: Edit[]): string {
  return edits.reduce((text, { at, kind, text: piece }) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (kind === 'delete') return text.slice(0, i) + text.slice(i + 1);
    if (kind === 'insert') return text.slice(0, i) + piece + text.slice(i);
    return text.slice(0, i) + piece + text.slice(i + piece.length);
  }, body);
}
const fixed =
  <T extends string | Buffer>(value: T): Body =>
  () =>
    value;

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((bytes) => fixed(Buffer.from(bytes))),
  fc.string({ unit: 'binary', maxLength: 400 }).map(fixed),
  fc.string({ maxLength: 40 }).map((tail) => fixed(`old 0\n\n${tail}`)),
  validRequest,
  fc.tuple(validRequest, fc.array(edit, { minLength: 1, maxLength: 4 })).map(
    ([b, e]) =>
      (head: number) =>
        applyEdits(b(head).toString(), e),
  ),
  fc.tuple(validRequest, fc.nat()).map(([b, cut]) => (head: number) => {
    const text = b(head).toString();
    return text.slice(0, cut % (text.length + 1));
  }),
);

test('never a 5xx; a 200 only for a checkpoint the log signed, cosigned by the witness, extending its head', async () => {
  let cosigned = 0;
  await fc.assert(
    fc.asyncProperty(body, async (bodyAt) => {
      const before = witness.state.head(ORIGIN);
      const sent = bodyAt(before?.treeSize ?? 0);
      const answer = await addCheckpoint(witness.url, sent);
      expect(STATUSES).toContain(answer.status);
      if (answer.status !== 200) {
        expect(witness.state.head(ORIGIN)).toEqual(before);
        return;
      }
      cosigned++;
      const request = parseAddCheckpointRequest(sent.toString());
      if (!request.ok) throw new Error(`a 200 for a malformed body: ${request.reason}`);
      const head = verifyCheckpointNote(request.value.checkpoint, logKey.publicKey, logKey.keyName);
      expect(head).not.toBeNull();
      expect(request.value.oldSize).toBe(before?.treeSize ?? 0);
      const response = parseAddCheckpointResponse(200, answer.body);
      const text = splitNote(request.value.checkpoint)?.text ?? '';
      expect(response.kind === 'cosigned' ? response.cosignatures : []).toHaveLength(1);
      const [line] = response.kind === 'cosigned' ? response.cosignatures : [];
      expect(verifyCosignatureLine(text, line ?? '', WITNESS_VKEY)).not.toBeNull();
      expect(witness.state.head(ORIGIN)).toMatchObject({
        treeSize: head?.treeSize,
        rootHash: head?.rootHash,
      });
    }),
    { numRuns: 400 },
  );
  // The property saw both sides: some bodies were cosigned (the generator reaches a 200).
  expect(cosigned).toBeGreaterThan(0);
});
