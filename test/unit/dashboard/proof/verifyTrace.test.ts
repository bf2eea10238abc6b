/**
 * The browser's check of a proposal's trace (src/dashboard/proof/verifyTrace.ts) on a real trace of the simulated
 * trial, as the server answers an evaluator: it verifies, and every kind of tampering is named at the event it hit.
 */
import fc from 'fast-check';
import { leafHash as serverLeafHash } from '../../../../src/audit/rfc9162';
import * as server from '../../../../src/audit/signedNote';
import { MAX_TRACE_EVENTS, verifyTrace } from '../../../../src/dashboard/proof/verifyTrace';
import type { EventProblem, TraceVerdict } from '../../../../src/dashboard/proof/verdict';
import { openTrialTrace, type TrialTrace } from '../../../support/trialTrace';

type Trace = TrialTrace['trace'];
type ShownEvent = Trace['events'][number];

let real: TrialTrace;
beforeAll(async () => {
  real = await openTrialTrace();
}, 120_000);
afterAll(() => real.t.close());

/** A deep copy of the real trace, changed by `change`. */
function tampered(change: (trace: Trace) => void): Trace {
  const copy = structuredClone(real.trace);
  change(copy);
  return copy;
}
const eventAt = (trace: Trace, i: number): ShownEvent => trace.events[i] as ShownEvent;
const proofOf = (event: ShownEvent) =>
  event.inclusionProof as { leafIndex: number; treeSize: number; path: string[] };

/** The index of every event that failed, with its problems. */
function failures(verdict: TraceVerdict): Array<[number, EventProblem[]]> {
  return verdict.events.flatMap((e, i): Array<[number, EventProblem[]]> => (e.ok ? [] : [[i, e.problems]]));
}

function replaceCharAt(text: string, at: number, by: string): string {
  return text.slice(0, at) + by + text.slice(at + 1);
}

/** The same hash with one bit flipped, base64 again. */
function flippedHash(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[5] = (bytes[5] as number) ^ 0x10;
  return bytes.toString('base64');
}

/** The middle event: the probes hit one that has events on both sides. */
const middle = (): number => Math.floor(real.trace.events.length / 2);

describe('a real trace', () => {
  test('has the kinds of event a voted proposal has, person ids shown as pseudonyms beside the stored leaf', () => {
    const types = new Set(real.trace.events.map((e) => e.type));
    for (const type of ['ProposalSubmitted', 'VoteOpened', 'BallotCast', 'VoteClosed'])
      expect(types).toContain(type);
    const ballot = real.trace.events.find((e) => e.type === 'BallotCast') as ShownEvent;
    const shownId = (ballot.data as { personId: string }).personId;
    const storedId = (JSON.parse(ballot.leaf as string) as { data: { personId: string } }).data.personId;
    expect(shownId).toMatch(/^p-[0-9a-f]{20}$/);
    expect(storedId).not.toBe(shownId);
  });

  test("verifies with the server's key pinned: every event ok, the checkpoint signed by the pinned key", async () => {
    const verdict = await verifyTrace(real.trace, { pinnedKey: real.publicKey });
    const key = server.parseVerifierKey(real.publicKey);
    expect(verdict.checkpoint).toEqual({
      signatureValid: true,
      key: { name: key.keyName, keyId: key.keyId.toString('hex'), vkey: real.publicKey },
      keyPinned: true,
      origin: real.trace.checkpoint.origin,
      treeSize: real.trace.checkpoint.treeSize,
      rootHash: real.trace.checkpoint.rootHash,
      otherSigners: [],
    });
    expect(verdict.events).toEqual(
      real.trace.events.map((e) => ({
        globalPosition: e.globalPosition,
        type: e.type,
        ok: true,
        problems: [],
      })),
    );
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  test('verifies with nothing pinned, by the key the answer names, and says it was not pinned', async () => {
    const verdict = await verifyTrace(real.trace);
    expect(verdict.checkpoint).toMatchObject({
      signatureValid: true,
      keyPinned: false,
      key: { vkey: real.publicKey },
    });
    expect(verdict.ok).toBe(true);
  });
});

describe('tampering with a real trace is named at the event it hit', () => {
  test('one byte of one leaf altered: that event alone fails, with leaf-hash-mismatch first', async () => {
    const i = middle();
    const trace = tampered((t) => {
      const e = eventAt(t, i);
      const at = (e.leaf as string).indexOf('"type":"') + 9;
      e.leaf = replaceCharAt(e.leaf as string, at, (e.leaf as string)[at] === 'x' ? 'y' : 'x');
    });
    const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
    expect(failures(verdict).map(([index]) => index)).toEqual([i]);
    expect(verdict.events[i]?.problem).toBe('leaf-hash-mismatch');
    expect(verdict.events[i]?.problems).toContain('inclusion-proof-invalid');
    expect(verdict.checkpoint.signatureValid).toBe(true);
    expect(verdict.ok).toBe(false);
  });

  test('one hash of one inclusion proof altered: inclusion-proof-invalid, and nothing else', async () => {
    const i = middle();
    const trace = tampered((t) => {
      const path = proofOf(eventAt(t, i)).path;
      path[2] = flippedHash(path[2] as string);
    });
    const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
    expect(failures(verdict)).toEqual([[i, ['inclusion-proof-invalid']]]);
    expect(verdict.ok).toBe(false);
  });

  describe('the checkpoint re-signed with another key, and the answer naming that key', () => {
    const other = server.generateSigningKey();
    const resigned = (): Trace =>
      tampered((t) => {
        const origin = t.checkpoint.origin as string;
        const body = server.parseCheckpointBody((t.checkpoint.signedNote as string).split('\n\n')[0] + '\n');
        if (!body) throw new Error('the real note has no checkpoint body');
        t.checkpoint.signedNote = server.signCheckpoint(body, other, origin);
        t.checkpoint.publicKey = server.encodeVerifierKey(origin, server.publicKeyFromPrivate(other));
      });

    test('with the real key pinned: key-mismatch, not verified, though every event agrees with the note', async () => {
      const verdict = await verifyTrace(resigned(), { pinnedKey: real.publicKey });
      expect(verdict.checkpoint).toMatchObject({
        signatureValid: false,
        keyPinned: true,
        problem: 'key-mismatch',
      });
      expect(verdict.checkpoint.key?.vkey).toBe(real.publicKey);
      expect(verdict.checkpoint.otherSigners).toHaveLength(1);
      expect(failures(verdict)).toEqual([]);
      expect(verdict.ok).toBe(false);
    });

    test('with nothing pinned: it verifies by the key the answer names, which the verdict says is not pinned', async () => {
      const trace = resigned();
      const verdict = await verifyTrace(trace);
      expect(verdict.checkpoint).toMatchObject({ signatureValid: true, keyPinned: false });
      expect(verdict.checkpoint.key?.vkey).toBe(trace.checkpoint.publicKey);
      expect(verdict.checkpoint.key?.vkey).not.toBe(real.publicKey);
      expect(verdict.ok).toBe(true);
    });
  });

  test("the note's signature altered: signature-invalid, pinned or not", async () => {
    const trace = tampered((t) => {
      const note = t.checkpoint.signedNote as string;
      const at = note.lastIndexOf(' ') + 20;
      t.checkpoint.signedNote = replaceCharAt(note, at, note[at] === 'A' ? 'B' : 'A');
    });
    for (const options of [{ pinnedKey: real.publicKey }, {}]) {
      const verdict = await verifyTrace(trace, options);
      expect(verdict.checkpoint).toMatchObject({ signatureValid: false, problem: 'signature-invalid' });
      expect(verdict.ok).toBe(false);
    }
  });

  test("the note's tree size altered (signature kept): signature-invalid", async () => {
    const trace = tampered((t) => {
      const size = t.checkpoint.treeSize as number;
      t.checkpoint.signedNote = (t.checkpoint.signedNote as string).replace(`\n${size}\n`, `\n${size + 1}\n`);
    });
    const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
    expect(verdict.checkpoint.problem).toBe('signature-invalid');
  });

  test('the root hash shown beside the note differs from the signed one: checkpoint-fields-mismatch', async () => {
    const trace = tampered((t) => {
      t.checkpoint.rootHash = flippedHash(t.checkpoint.rootHash as string);
    });
    const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
    expect(verdict.checkpoint).toMatchObject({ signatureValid: true, problem: 'checkpoint-fields-mismatch' });
    expect(verdict.checkpoint.rootHash).toBe(real.trace.checkpoint.rootHash);
    expect(verdict.ok).toBe(false);
  });

  test('a leaf written again non-canonically, its hash recomputed: leaf-not-canonical (and its proof fails)', async () => {
    const i = middle();
    const trace = tampered((t) => {
      const e = eventAt(t, i);
      const spaced = JSON.stringify(JSON.parse(e.leaf as string), null, 1);
      e.leaf = spaced;
      e.leafHash = leafHashOf(spaced);
    });
    const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
    expect(failures(verdict).map(([index]) => index)).toEqual([i]);
    expect(verdict.events[i]?.problem).toBe('leaf-not-canonical');
    expect(verdict.events[i]?.problems).not.toContain('leaf-hash-mismatch');
  });

  test("the shown eventId differs from the leaf's: leaf-envelope-mismatch, and nothing else", async () => {
    for (const field of ['eventId', 'type', 'streamRevision', 'recordedAt', 'occurredAt']) {
      const i = middle();
      const trace = tampered((t) => {
        const e = eventAt(t, i);
        e[field] = typeof e[field] === 'number' ? (e[field] as number) + 1 : `${e[field] as string}x`;
      });
      const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
      expect([field, failures(verdict)]).toEqual([field, [[i, ['leaf-envelope-mismatch']]]]);
    }
  });

  test('an inclusion proof of another size or index: tree-size-mismatch, position-mismatch', async () => {
    const i = middle();
    const bigger = tampered((t) => {
      proofOf(eventAt(t, i)).treeSize += 1;
    });
    expect(failures(await verifyTrace(bigger, { pinnedKey: real.publicKey }))).toEqual([
      [i, ['tree-size-mismatch']],
    ]);
    const shifted = tampered((t) => {
      proofOf(eventAt(t, i)).leafIndex += 1;
    });
    const [[index, problems] = [-1, []]] = failures(
      await verifyTrace(shifted, { pinnedKey: real.publicKey }),
    );
    expect([index, problems[0]]).toEqual([i, 'position-mismatch']);
  });

  test('two events swapped: the later one is out-of-order; one left out of a stream: stream-gap', async () => {
    const i = middle();
    const swapped = tampered((t) => {
      [t.events[i], t.events[i + 1]] = [t.events[i + 1] as ShownEvent, t.events[i] as ShownEvent];
    });
    expect(failures(await verifyTrace(swapped, { pinnedKey: real.publicKey }))).toEqual([
      [i + 1, ['out-of-order']],
    ]);

    const proposalStream = real.trace.events[0]?.streamId as string;
    const second = real.trace.events.findIndex(
      (e) => e.streamId === proposalStream && e.streamRevision === 1,
    );
    const cut = tampered((t) => {
      t.events.splice(second, 1);
    });
    const verdict = await verifyTrace(cut, { pinnedKey: real.publicKey });
    expect(failures(verdict)).toEqual([]);
    expect(verdict.problems).toEqual([{ problem: 'stream-gap', streamId: proposalStream, revision: 1 }]);
    expect(verdict.ok).toBe(false);
  });

  test('any single changed character in any leaf or proof hash fails that event and no other (fast-check)', async () => {
    const events = real.trace.events;
    const probe = fc
      .record({
        i: fc.nat({ max: events.length - 1 }),
        inProof: fc.boolean(),
        where: fc.nat(),
        by: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
      })
      .filter(({ i, inProof }) => !inProof || proofOf(events[i] as ShownEvent).path.length > 0);
    await fc.assert(
      fc.asyncProperty(probe, async ({ i, inProof, where, by }) => {
        const trace = tampered((t) => {
          const e = eventAt(t, i);
          const path = proofOf(e).path;
          const k = where % path.length;
          const text = inProof ? (path[k] as string) : (e.leaf as string);
          const at = Math.floor(where / (inProof ? path.length : 1)) % text.length;
          const changed = replaceCharAt(
            text,
            at,
            text[at] === by ? String.fromCharCode(by.charCodeAt(0) ^ 1) : by,
          );
          if (inProof) path[k] = changed;
          else e.leaf = changed;
        });
        const verdict = await verifyTrace(trace, { pinnedKey: real.publicKey });
        expect(verdict.ok).toBe(false);
        expect(failures(verdict).map(([index]) => index)).toEqual([i]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hostile input gives a verdict, never an exception', () => {
  const first = (): ShownEvent => structuredClone(real.trace.events[0] as ShownEvent);
  const withFirst = (change: (e: ShownEvent) => void): Trace => {
    const e = first();
    change(e);
    return { ...structuredClone(real.trace), events: [e] };
  };

  test('answers that are no trace: malformed', async () => {
    for (const input of [
      undefined,
      null,
      42,
      'trace',
      [],
      {},
      { checkpoint: {}, events: {} },
      { events: [] },
    ]) {
      const verdict = await verifyTrace(input, { pinnedKey: real.publicKey });
      expect(verdict).toMatchObject({ ok: false, events: [], problems: [{ problem: 'malformed' }] });
    }
  });

  test('no events, or more than the browser checks: no-events, too-many-events', async () => {
    const none = await verifyTrace({ ...real.trace, events: [] }, { pinnedKey: real.publicKey });
    expect(none).toMatchObject({ ok: false, problems: [{ problem: 'no-events' }] });
    const many = { ...real.trace, events: new Array(MAX_TRACE_EVENTS + 1).fill(real.trace.events[0]) };
    const verdict = await verifyTrace(many, { pinnedKey: real.publicKey });
    expect(verdict).toMatchObject({ ok: false, events: [], problems: [{ problem: 'too-many-events' }] });
  });

  test('events of the wrong form: malformed, each named at its place', async () => {
    const oversized = Array.from({ length: 65 }, () => proofOf(first()).path[0] as string);
    const broken: Array<[string, unknown]> = [
      ['null', null],
      ['a number', 5],
      ['no leaf', withFirst((e) => delete e.leaf).events[0]],
      ['a leaf that is no string', withFirst((e) => (e.leaf = { a: 1 })).events[0]],
      ['a leaf hash that is no base64', withFirst((e) => (e.leafHash = '@@@@')).events[0]],
      [
        'a leaf hash not in canonical base64',
        withFirst((e) => (e.leafHash = (e.leafHash as string).replace('=', ''))).events[0],
      ],
      ['a short leaf hash', withFirst((e) => (e.leafHash = 'AAAA')).events[0]],
      ['a proof of 65 hashes', withFirst((e) => (proofOf(e).path = oversized)).events[0]],
      ['a proof hash that is no string', withFirst((e) => ((proofOf(e).path as unknown[])[0] = 7)).events[0]],
      ['a path that is no array', withFirst((e) => ((proofOf(e) as { path: unknown }).path = 'x')).events[0]],
      ['a fractional leaf index', withFirst((e) => (proofOf(e).leafIndex = 0.5)).events[0]],
      ['a position that is a string', withFirst((e) => (e.globalPosition = '3')).events[0]],
      ['a huge leaf', withFirst((e) => (e.leaf = 'x'.repeat(1_000_001))).events[0]],
    ];
    const verdict = await verifyTrace(
      { ...real.trace, events: broken.map(([, e]) => e) },
      { pinnedKey: real.publicKey },
    );
    expect(verdict.events.map((e, i) => [broken[i]?.[0], e.problem])).toEqual(
      broken.map(([name]) => [name, 'malformed']),
    );
    expect(verdict.ok).toBe(false);
  });

  test('leaves that are no canonical event: leaf-not-canonical', async () => {
    const leaves = [
      '',
      'null',
      '[]',
      '"x"',
      '{}',
      '['.repeat(100_000),
      '{"a":1,"a":2}',
      `${real.trace.events[0]?.leaf as string} `,
    ];
    for (const leaf of leaves) {
      const verdict = await verifyTrace(
        withFirst((e) => ((e.leaf = leaf), (e.leafHash = leafHashOf(leaf)))),
        {
          pinnedKey: real.publicKey,
        },
      );
      expect([leaf.slice(0, 20), verdict.events[0]?.problem]).toEqual([
        leaf.slice(0, 20),
        'leaf-not-canonical',
      ]);
    }
  });

  test('a page without WebCrypto (plain HTTP from another host): no-webcrypto, nothing claimed', async () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto') as PropertyDescriptor;
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true });
    try {
      const verdict = await verifyTrace(real.trace, { pinnedKey: real.publicKey });
      expect(verdict).toMatchObject({ ok: false, events: [], problems: [{ problem: 'no-webcrypto' }] });
      expect(verdict.checkpoint).toMatchObject({ signatureValid: false, keyPinned: true });
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto);
    }
    expect((await verifyTrace(real.trace, { pinnedKey: real.publicKey })).ok).toBe(true);
  });

  test('a checkpoint of the wrong form: malformed-note, malformed-key', async () => {
    const garbled = await verifyTrace(
      { ...real.trace, checkpoint: { ...real.trace.checkpoint, signedNote: 'not a note' } },
      { pinnedKey: real.publicKey },
    );
    expect(garbled.checkpoint).toMatchObject({ signatureValid: false, problem: 'malformed-note' });
    expect(garbled.events.every((e) => e.problem === 'no-checkpoint')).toBe(true);
    for (const pinnedKey of ['', 'garbage', real.publicKey.slice(0, -2)]) {
      const verdict = await verifyTrace(real.trace, { pinnedKey });
      expect(verdict.checkpoint).toMatchObject({
        signatureValid: false,
        keyPinned: true,
        key: null,
        problem: 'malformed-key',
      });
      expect(verdict.ok).toBe(false);
    }
    const noKey = await verifyTrace({
      ...real.trace,
      checkpoint: { ...real.trace.checkpoint, publicKey: 42 },
    });
    expect(noKey.checkpoint).toMatchObject({ keyPinned: false, problem: 'malformed-key' });
  });
});

/** SHA-256(0x00 || UTF-8 of the text), base64: the leaf hash the server would give for a leaf text. */
function leafHashOf(text: string): string {
  return serverLeafHash(Buffer.from(text, 'utf8')).toString('base64');
}

describe("binding a trace to the page's proposal", () => {
  test("the asked proposal's own trace verifies, with its leaves for the page to compare", async () => {
    const verdict = await verifyTrace(real.trace, { pinnedKey: real.publicKey, proposalId: real.proposalId });
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.leaves.map((l) => l.globalPosition)).toEqual(
      real.trace.events.map((e) => e.globalPosition),
    );
  });

  test("a genuine, signed trace of another proposal does not verify on this proposal's page", async () => {
    const other = '0190aaaa-0000-7000-8000-000000000001';
    const verdict = await verifyTrace(real.trace, { pinnedKey: real.publicKey, proposalId: other });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.problem)).toContain('not-this-proposal');
    // Every event is still genuine: the problem is whose trace it is.
    expect(verdict.events.every((e) => e.ok)).toBe(true);
  });

  test('a trace that leaves out the close of a vote a decision names does not verify', async () => {
    const decision = real.trace.events.find((e) => {
      const leaf = JSON.parse(e.leaf as string) as { type: string; data: { voteId?: string } };
      return leaf.type === 'CommitteeDecisionRecorded' && leaf.data.voteId !== undefined;
    });
    expect(decision).toBeDefined();
    const voteId = (JSON.parse(decision?.leaf as string) as { data: { voteId: string } }).data.voteId;
    const cut = tampered((trace) => {
      trace.events = trace.events.filter(
        (e) => !(e.type === 'VoteClosed' && e.streamId === `vote-${voteId}`),
      );
    });
    expect(cut.events.length).toBe(real.trace.events.length - 1);
    const verdict = await verifyTrace(cut, { pinnedKey: real.publicKey, proposalId: real.proposalId });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual({ problem: 'vote-missing', streamId: `vote-${voteId}` });
  });

  test('no leaves are handed on when the checkpoint signature fails', async () => {
    const other = server.encodeVerifierKey(
      'someone-else',
      server.publicKeyFromPrivate(server.generateSigningKey()),
    );
    const verdict = await verifyTrace(real.trace, { pinnedKey: other, proposalId: real.proposalId });
    expect(verdict.ok).toBe(false);
    expect(verdict.leaves).toEqual([]);
  });
});
