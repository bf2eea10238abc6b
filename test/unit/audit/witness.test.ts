import fc from 'fast-check';
import { consistencyProof } from '../../../src/audit/consistencyProof';
import {
  encodeWitnessVerifierKey,
  parseWitnessVerifierKey,
  verifyCosignature,
} from '../../../src/audit/cosignature';
import { rootFromLeafHashes, subtreeHashOver } from '../../../src/audit/merkleTreeHash';
import { emptyRoot, leafHash } from '../../../src/audit/rfc9162';
import type { VerifierKey } from '../../../src/audit/signedNote';
import {
  generateSigningKey,
  parseVerifierKey,
  encodeVerifierKey,
  publicKeyFromPrivate,
  signCheckpoint,
  signNote,
  checkpointBody,
} from '../../../src/audit/signedNote';
import type { AddCheckpointOutcome, WitnessLogState } from '../../../src/audit/witness';
import {
  MAX_PROOF_LINES,
  MAX_REQUEST_LENGTH,
  TLOG_SIZE_CONTENT_TYPE,
  decideAddCheckpoint,
  encodeAddCheckpointRequest,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  requestOrigin,
} from '../../../src/audit/witness';

const ORIGIN = 'ledger.example/participation';
const LOG_NAME = 'ledger.example/participation';
const logKey = generateSigningKey();
const logVkey: VerifierKey = parseVerifierKey(encodeVerifierKey(LOG_NAME, publicKeyFromPrivate(logKey)));
const LOGS = new Map([[ORIGIN, [logVkey]]]);

const WITNESS_NAME = 'witness.example/w1';
const witnessPrivate = generateSigningKey();
const WITNESS = { name: WITNESS_NAME, privateKey: witnessPrivate };
const witnessVkey = parseWitnessVerifierKey(
  encodeWitnessVerifierKey(WITNESS_NAME, publicKeyFromPrivate(witnessPrivate)),
);
const NOW = 1_764_645_000;

/** One append-only log of 300 leaves, hashed per RFC 9162 through the project's tree code. */
const LEAVES = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const subtree = subtreeHashOver(LEAVES);
const rootAt = (size: number): Buffer => rootFromLeafHashes(LEAVES.slice(0, size));
const proofBetween = (m: number, n: number): Buffer[] => consistencyProof(m, n, subtree);

/** A forked history: the same first 100 leaves, then others. */
const FORK = [
  ...LEAVES.slice(0, 100),
  ...Array.from({ length: 200 }, (_, i) => leafHash(Buffer.from(`other ${i}`))),
];

function checkpointAt(size: number, root = rootAt(size), key = logKey, origin = ORIGIN): string {
  return signCheckpoint({ origin, treeSize: size, rootHash: root }, key, LOG_NAME);
}

function request(oldSize: number, size: number, proof = proofBetween(oldSize, size)): string {
  return encodeAddCheckpointRequest({ oldSize, proof, checkpoint: checkpointAt(size) });
}

function decide(state: WitnessLogState | null, body: string): AddCheckpointOutcome {
  return decideAddCheckpoint(state, body, LOGS, WITNESS, NOW);
}

function accepted(outcome: AddCheckpointOutcome): WitnessLogState {
  if (outcome.status !== 200) throw new Error(`refused: ${outcome.status} ${outcome.reason}`);
  return outcome.state;
}

describe('tlog-witness add-checkpoint: walking the protocol', () => {
  test('first checkpoint (old 0), a consistent extension, a replay, a stale old size', () => {
    const first = decide(null, request(0, 10));
    expect(first.status).toBe(200);
    const s10 = accepted(first);
    expect(s10).toEqual({ origin: ORIGIN, treeSize: 10, rootHash: rootAt(10) });
    if (first.status !== 200) return;
    // The answer is one cosignature line; appended to the checkpoint it verifies with the witness's vkey.
    expect(first.body).toMatch(/^\u2014 witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    expect(verifyCosignature(checkpointAt(10) + first.body, witnessVkey)).toBe(NOW);
    expect(verifyCosignature(first.cosignedCheckpoint, witnessVkey)).toBe(NOW);

    const s137 = accepted(decide(s10, request(10, 137)));
    expect(s137.treeSize).toBe(137);
    expect(s137.rootHash.equals(rootAt(137))).toBe(true);

    // A replay of the same size and root (old = new = stored, empty proof) is cosigned again.
    const replay = decide(s137, request(137, 137));
    expect(replay.status).toBe(200);
    expect(accepted(replay)).toEqual(s137);

    // A stale old size: 409 with the current size, as text/x.tlog.size; the client reads it back.
    const stale = decide(s137, request(10, 200));
    expect(stale).toMatchObject({ status: 409, contentType: TLOG_SIZE_CONTENT_TYPE, body: '137\n' });
    expect(parseAddCheckpointResponse(stale.status, stale.body, stale.contentType)).toEqual({
      kind: 'conflict',
      size: 137,
    });
    // "a request with a old size of zero" learns the latest size too.
    expect(decide(s137, request(0, 200))).toMatchObject({ status: 409, body: '137\n' });
    // Never cosigned: the stored size is 0.
    expect(decide(null, request(10, 20))).toMatchObject({ status: 409, body: '0\n' });

    // The client then retries from the size the witness gave.
    const s200 = accepted(decide(s137, request(137, 200)));
    expect(s200.treeSize).toBe(200);
  });

  test('the 200 body parsed by the client verifies with verifyCosignature', () => {
    const outcome = decide(null, request(0, 5));
    expect(outcome.status).toBe(200);
    const response = parseAddCheckpointResponse(outcome.status, outcome.body);
    if (response.kind !== 'cosigned') throw new Error('not cosigned');
    expect(response.cosignatures).toHaveLength(1);
    expect(verifyCosignature(checkpointAt(5) + response.cosignatures.join(''), witnessVkey)).toBe(NOW);
    // The cosignature is over this checkpoint only.
    expect(verifyCosignature(checkpointAt(6) + response.cosignatures.join(''), witnessVkey)).toBeNull();
  });

  test('a fork beyond the stored size is refused (422) and the state is kept', () => {
    const s100 = accepted(decide(null, request(0, 100)));
    const forkSubtree = subtreeHashOver(FORK);
    const forkRoot = rootFromLeafHashes(FORK.slice(0, 250));
    expect(forkRoot.equals(rootAt(250))).toBe(false);
    // The fork's own proof from 100 (its first 100 leaves are ours: that proof verifies) …
    const forkBody = encodeAddCheckpointRequest({
      oldSize: 100,
      proof: consistencyProof(100, 250, forkSubtree),
      checkpoint: checkpointAt(250, forkRoot),
    });
    expect(decide(s100, forkBody).status).toBe(200);
    // … but from a witness that stored 200 leaves of the real history it does not.
    const s200 = accepted(decide(s100, request(100, 200)));
    const frozen = { ...s200, rootHash: Buffer.from(s200.rootHash) };
    for (const proof of [consistencyProof(200, 250, forkSubtree), proofBetween(200, 250)]) {
      const outcome = decide(
        s200,
        encodeAddCheckpointRequest({ oldSize: 200, proof, checkpoint: checkpointAt(250, forkRoot) }),
      );
      expect(outcome).toMatchObject({ status: 422, evidence: true, origin: ORIGIN });
      expect('state' in outcome).toBe(false);
    }
    // A different root at the stored size itself.
    const sameSize = encodeAddCheckpointRequest({
      oldSize: 200,
      proof: [],
      checkpoint: checkpointAt(200, rootFromLeafHashes(FORK.slice(0, 200))),
    });
    expect(decide(s200, sameSize)).toMatchObject({ status: 422, evidence: true });
    expect(s200).toEqual(frozen); // the decision does not mutate the record
  });

  test('old size above the checkpoint size is 400 (after the signature check), not 409', () => {
    const s50 = accepted(decide(null, request(0, 50)));
    const body = encodeAddCheckpointRequest({ oldSize: 50, proof: [], checkpoint: checkpointAt(40) });
    expect(decide(s50, body)).toMatchObject({ status: 400, evidence: false });
  });

  test('size-0 checkpoints: the empty root is required, and a proof from 0 must be empty', () => {
    expect(decide(null, request(0, 0)).status).toBe(200);
    expect(accepted(decide(null, request(0, 0)))).toEqual({
      origin: ORIGIN,
      treeSize: 0,
      rootHash: emptyRoot(),
    });
    const notEmpty = encodeAddCheckpointRequest({
      oldSize: 0,
      proof: [],
      checkpoint: checkpointAt(0, rootAt(1)),
    });
    expect(decide(null, notEmpty)).toMatchObject({ status: 422 });
    const withProof = encodeAddCheckpointRequest({
      oldSize: 0,
      proof: [rootAt(1)],
      checkpoint: checkpointAt(8),
    });
    expect(decide(null, withProof)).toMatchObject({ status: 422 });
  });

  test('a forged or missing log signature is 403; an unknown origin is 404', () => {
    const forger = generateSigningKey();
    // Same name and key ID as the trusted key, wrong signature: the note is malformed per signed-note.
    const good = checkpointAt(10);
    const blobStart = good.lastIndexOf(' ') + 1;
    const blob = Buffer.from(good.slice(blobStart, -1), 'base64');
    blob.writeUInt8(blob.readUInt8(blob.length - 1) ^ 0x01, blob.length - 1);
    const forged = `${good.slice(0, blobStart)}${blob.toString('base64')}\n`;
    const forgedBody = encodeAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: forged });
    expect(decide(null, forgedBody)).toMatchObject({ status: 403, origin: ORIGIN });

    // Signed by another key under the log's name: an unknown key, ignored, so no trusted signature.
    const other = encodeAddCheckpointRequest({
      oldSize: 0,
      proof: [],
      checkpoint: checkpointAt(10, rootAt(10), forger),
    });
    expect(decide(null, other)).toMatchObject({ status: 403 });

    // A valid log signature plus a forged one of the trusted key still fails.
    const both = `${good}${forged.slice(forged.lastIndexOf('\u2014'))}`;
    expect(
      decide(null, encodeAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: both })),
    ).toMatchObject({
      status: 403,
    });

    // Extra signatures from unknown keys are ignored.
    const extra = signNote(
      checkpointBody({ origin: ORIGIN, treeSize: 10, rootHash: rootAt(10) }),
      forger,
      'other',
    );
    const cosignedByOthers = `${good}${extra.slice(extra.lastIndexOf('\u2014'))}`;
    expect(
      decide(null, encodeAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: cosignedByOthers }))
        .status,
    ).toBe(200);

    const unknown = encodeAddCheckpointRequest({
      oldSize: 0,
      proof: [],
      checkpoint: checkpointAt(10, rootAt(10), logKey, 'elsewhere.example/log'),
    });
    expect(decide(null, unknown)).toMatchObject({ status: 404 });
  });

  test('a log with two trusted keys (rotation): a checkpoint signed by either is cosigned', () => {
    const newKey = generateSigningKey();
    const newVkey = parseVerifierKey(encodeVerifierKey('ledger.example/2027', publicKeyFromPrivate(newKey)));
    const logs = new Map([[ORIGIN, [logVkey, newVkey]]]);
    const note = signCheckpoint(
      { origin: ORIGIN, treeSize: 4, rootHash: rootAt(4) },
      newKey,
      'ledger.example/2027',
    );
    const body = encodeAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: note });
    expect(decideAddCheckpoint(null, body, logs, WITNESS, NOW).status).toBe(200);
    expect(decideAddCheckpoint(null, body, LOGS, WITNESS, NOW).status).toBe(403);
  });

  test('a record of another origin is a caller error; requestOrigin finds the origin to look up', () => {
    const body = request(0, 3);
    expect(requestOrigin(body)).toBe(ORIGIN);
    expect(requestOrigin('garbage')).toBeNull();
    const elsewhere = { origin: 'elsewhere', treeSize: 0, rootHash: emptyRoot() };
    expect(() => decide(elsewhere, body)).toThrow(TypeError);
    expect(() => decideAddCheckpoint(null, body, LOGS, WITNESS, 0)).toThrow(TypeError);
  });

  test('the spec example request parses', () => {
    const example = [
      'old 20852014',
      'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
      'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
      '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
      '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
      '',
      'example.com/behind-the-sofa',
      '20852163',
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
      '',
      '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=',
      '\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=',
      '',
    ].join('\n');
    const parsed = parseAddCheckpointRequest(example);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.oldSize).toBe(20852014);
    expect(parsed.value.proof).toHaveLength(4);
    expect(encodeAddCheckpointRequest(parsed.value)).toBe(example);
    // Its log key is not ours: 404.
    expect(decide(null, example).status).toBe(404);
  });
});

describe('malformed requests are refused with a reason (400)', () => {
  const good = request(10, 20);
  const checkpoint = checkpointAt(20);
  const proofLines = proofBetween(10, 20)
    .map((h) => `${h.toString('base64')}\n`)
    .join('');
  const cases: Array<[string, string, RegExp]> = [
    ['empty body', '', /old size line/],
    ['no old line', `${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['leading zero', `old 010\n${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['sign', `old +10\n${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['two spaces', `old  10\n${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['huge size', `old 99999999999999999999\n${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['beyond 2^53', `old 9007199254740993\n${proofLines}\n${checkpoint}`, /"old <size>"/],
    ['not base64', `old 10\n${proofLines}not*base64!\n\n${checkpoint}`, /proof line/],
    [
      'non-canonical base64',
      `old 10\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=\n\n${checkpoint}`,
      /proof line 1/,
    ],
    ['31-byte hash', `old 10\n${Buffer.alloc(31).toString('base64')}\n\n${checkpoint}`, /proof line 1/],
    ['33-byte hash', `old 10\n${Buffer.alloc(33).toString('base64')}\n\n${checkpoint}`, /proof line 1/],
    ['missing blank line', `old 10\n${proofLines}${checkpoint}`, /(empty line|proof line)/],
    ['only the old line', 'old 10\n', /empty line/],
    ['CRLF', good.replace(/\n/g, '\r\n'), /CR LF/],
    ['one CR', good.replace('\n', '\r\n'), /CR LF/],
    ['no final newline', good.slice(0, -1), /signed note/],
    ['no checkpoint', `old 10\n${proofLines}\n`, /signed note/],
    [
      'unsigned checkpoint',
      `old 10\n${proofLines}\n${checkpointBody({ origin: ORIGIN, treeSize: 20, rootHash: rootAt(20) })}`,
      /signed note/,
    ],
    [
      'too many proof lines',
      `old 10\n${`${rootAt(1).toString('base64')}\n`.repeat(MAX_PROOF_LINES + 1)}\n${checkpoint}`,
      /more than 63/,
    ],
    [
      'oversized body',
      `old 10\n\n${checkpoint}${'\u2014 x AAAAAAAA\n'.repeat(MAX_REQUEST_LENGTH / 10)}`,
      /longer than/,
    ],
  ];
  test.each(cases)('%s', (_name, body, reason) => {
    const parsed = parseAddCheckpointRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    const outcome = decide(null, body);
    expect(outcome.status).toBe(400);
  });

  test('the good request and 63 proof lines parse', () => {
    expect(parseAddCheckpointRequest(good).ok).toBe(true);
    const body = `old 10\n${`${rootAt(1).toString('base64')}\n`.repeat(MAX_PROOF_LINES)}\n${checkpoint}`;
    expect(parseAddCheckpointRequest(body).ok).toBe(true);
    expect(decide({ origin: ORIGIN, treeSize: 10, rootHash: rootAt(10) }, body).status).toBe(422);
  });

  test('the encoder refuses what the parser would', () => {
    expect(() => encodeAddCheckpointRequest({ oldSize: -1, proof: [], checkpoint })).toThrow(TypeError);
    expect(() => encodeAddCheckpointRequest({ oldSize: 1.5, proof: [], checkpoint })).toThrow(TypeError);
    const tooMany = Array.from({ length: 64 }, () => rootAt(1));
    expect(() => encodeAddCheckpointRequest({ oldSize: 1, proof: tooMany, checkpoint })).toThrow(TypeError);
    expect(() => encodeAddCheckpointRequest({ oldSize: 1, proof: [Buffer.alloc(31)], checkpoint })).toThrow(
      TypeError,
    );
    expect(() => encodeAddCheckpointRequest({ oldSize: 1, proof: [], checkpoint: 'x\n' })).toThrow(TypeError);
    // An object request is held to the same rules by the decision.
    expect(
      decideAddCheckpoint(null, { oldSize: 0, proof: [], checkpoint: 'x\n' }, LOGS, WITNESS, NOW).status,
    ).toBe(400);
  });
});

describe('parseAddCheckpointResponse', () => {
  test('200 without signature lines, 409 without a size, other statuses are errors', () => {
    expect(parseAddCheckpointResponse(200, '')).toMatchObject({ kind: 'error', status: 200 });
    expect(parseAddCheckpointResponse(200, 'hello\n')).toMatchObject({ kind: 'error' });
    expect(parseAddCheckpointResponse(409, '12')).toMatchObject({ kind: 'error' });
    expect(parseAddCheckpointResponse(409, '012\n')).toMatchObject({ kind: 'error' });
    expect(parseAddCheckpointResponse(409, '12\n', 'text/plain')).toMatchObject({ kind: 'error' });
    expect(parseAddCheckpointResponse(409, '12\n', 'text/x.tlog.size; charset=utf-8')).toEqual({
      kind: 'conflict',
      size: 12,
    });
    expect(parseAddCheckpointResponse(422, 'the proof does not verify\n')).toEqual({
      kind: 'error',
      status: 422,
      message: 'the proof does not verify',
    });
    expect(parseAddCheckpointResponse(503, '')).toMatchObject({ kind: 'error', status: 503 });
  });
});

describe('property: real proofs are accepted, a corrupted byte is refused', () => {
  test('for random sizes m <= n', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 0, max: LEAVES.length }), fc.integer({ min: 0, max: LEAVES.length }))
          .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        ([m, n], where, bit) => {
          const state: WitnessLogState | null =
            m === 0 ? null : { origin: ORIGIN, treeSize: m, rootHash: rootAt(m) };
          const proof = proofBetween(m, n);
          const outcome = decide(state, request(m, n, proof));
          expect(outcome.status).toBe(200);
          if (outcome.status === 200) {
            expect(outcome.state).toEqual({ origin: ORIGIN, treeSize: n, rootHash: rootAt(n) });
            expect(verifyCosignature(outcome.cosignedCheckpoint, witnessVkey)).toBe(NOW);
          }
          if (proof.length === 0) return;
          const corrupted = proof.map((h) => Buffer.from(h));
          const index = where % (proof.length * 32);
          const hash = corrupted[Math.floor(index / 32)] as Buffer;
          hash.writeUInt8(hash.readUInt8(index % 32) ^ (1 << bit), index % 32);
          expect(decide(state, request(m, n, corrupted))).toMatchObject({ status: 422, evidence: true });
          // A proof with its last hash dropped, or with a hash appended, is no proof either.
          expect(decide(state, request(m, n, proof.slice(0, -1))).status).toBe(422);
          if (proof.length < MAX_PROOF_LINES)
            expect(decide(state, request(m, n, [...proof, rootAt(1)])).status).toBe(422);
        },
      ),
      { numRuns: 300 },
    );
  });
});
