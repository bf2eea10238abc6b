/**
 * The offline checkers with a witness policy: `ledger verify-trace --policy` and scripts/verify-audit-proof.js
 * --policy, on a real trace of the simulated trial whose checkpoint note carries cosignature lines appended (as the
 * server serves them), made with witness keys of the test. Not enough valid cosignatures: not verified (exit 1),
 * with who cosigned and what the quorum needs; a policy that cannot be used: exit 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { runLedger } from '../support/ledgerBin';
import { makeTempDir } from '../support/tempDir';
import { openTrialTrace, type TrialTrace } from '../support/trialTrace';
import {
  corruptedLine,
  cosignatureLine,
  cosignatureLineAt,
  makeWitness,
  type TestWitness,
} from '../support/witnessFixtures';

const root = path.resolve(__dirname, '../..');
const NO_DATABASE = { LEDGER_DATA_DIR: '/nonexistent-so-no-database-is-used' };

let real: TrialTrace;
let temp: ReturnType<typeof makeTempDir>;
let a: TestWitness, b: TestWitness, c: TestWitness;
let note: string;

beforeAll(async () => {
  real = await openTrialTrace();
  temp = makeTempDir('ledger-trace-policy-');
  [a, b, c] = ['a.witness.example', 'b.witness.example', 'c.witness.example'].map(makeWitness) as [
    TestWitness,
    TestWitness,
    TestWitness,
  ];
  note = real.trace.checkpoint.signedNote as string;
}, 120_000);
afterAll(() => {
  real.t.close();
  temp.cleanup();
});

const write = (name: string, text: string): string => {
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const policy = (log = real.publicKey) =>
  write(
    'two.policy',
    `# two of three witnesses\nlog ${log}\nwitness A ${a.vkey}\nwitness B ${b.vkey} https://b.witness.example/\nwitness C ${c.vkey}\ngroup two 2 A B C\nquorum two\n`,
  );
/** The trace file with the checkpoint note cosigned by these lines. */
const traceWith = (lines: string[]): string =>
  write(
    'trace.json',
    JSON.stringify({
      ...real.trace,
      checkpoint: { ...real.trace.checkpoint, signedNote: note + lines.join('') },
    }),
  );

function verifyTrace(...args: string[]) {
  return runLedger(['verify-trace', ...args], NO_DATABASE);
}

function script(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'scripts/verify-audit-proof.js'), ...args], {
    encoding: 'utf8',
  });
}

describe('ledger verify-trace --policy', () => {
  it('given a checkpoint cosigned by two of the three, then it verifies, pinning the policy log key', () => {
    const run = verifyTrace(
      traceWith([cosignatureLine(note, a), cosignatureLine(note, c)]),
      '--policy',
      policy(),
    );
    expect(run.stdout).toMatch(/^ok: \d+ events verified/);
    expect(run.stdout).toContain('policy: the checkpoint meets');
    expect(run.stdout).not.toContain('pin it with --public-key'); // the policy's log key was pinned
    expect(run.status).toBe(0);
  });

  it('given --checkpoint, then the policy judges that checkpoint, the one the proofs are held to, not the trace note', () => {
    const trusted = (signedNote: string): string =>
      write(
        'trusted.json',
        JSON.stringify({ ...real.trace.checkpoint, publicKey: real.publicKey, signedNote }),
      );
    const cosigned = [cosignatureLine(note, a), cosignatureLine(note, b)];
    // A cosigned note in the trace vouches for nothing when the checkpoint the proofs use carries no cosignature:
    // otherwise a genuine cosigned note could be shipped beside proofs to a forked root no witness saw.
    const unwitnessed = verifyTrace(traceWith(cosigned), '--checkpoint', trusted(note), '--policy', policy());
    expect(unwitnessed.stdout).toContain('cosigned by 0 of the 2 witnesses the policy requires');
    expect(unwitnessed.status).toBe(1);
    const witnessed = verifyTrace(
      traceWith([]),
      '--checkpoint',
      trusted(note + cosigned.join('')),
      '--policy',
      policy(),
    );
    expect(witnessed.stdout).toMatch(/^ok: \d+ events verified/);
    expect(witnessed.status).toBe(0);
  });

  it('given a checkpoint cosigned by one, then it is not verified: who cosigned, who did not, what the quorum needs', () => {
    const run = verifyTrace(traceWith([cosignatureLine(note, a)]), '--policy', policy());
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAILED: 1 problem\n/);
    expect(run.stdout).toContain('cosigned by 1 of the 2 witnesses the policy requires');
    expect(run.stdout).toContain('cosigned: A\n');
    expect(run.stdout).toContain('not cosigned: B, C\n');
    expect(run.stdout).toContain('the quorum needs: 2 of (A, B, C)');
  });

  it('given a policy whose log is another key, then it is not verified', () => {
    const other = encodeVerifierKey(
      real.trace.checkpoint.origin as string,
      publicKeyFromPrivate(generateSigningKey()),
    );
    const run = verifyTrace(
      traceWith([cosignatureLine(note, a), cosignatureLine(note, b)]),
      '--policy',
      policy(other),
      '--public-key',
      real.publicKey,
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('not signed by any log the policy lists');
  });

  it.each([
    [
      'a cosignature of another checkpoint',
      () => [cosignatureLine(note, a), cosignatureLine(note.replace(/\n\d+\n/, '\n1\n'), b)],
    ],
    [
      'the right name with another key',
      () => [cosignatureLine(note, a), cosignatureLine(note, makeWitness(b.name))],
    ],
    ['a flipped bit', () => [cosignatureLine(note, a), corruptedLine(cosignatureLine(note, b))]],
    ['a time beyond 2^63', () => [cosignatureLine(note, a), cosignatureLineAt(note, b, 1n << 63n)]],
    [
      'over 100 signature lines',
      () => [
        cosignatureLine(note, a),
        cosignatureLine(note, b),
        ...Array(100).fill(cosignatureLine(note, c)),
      ],
    ],
  ] as Array<[string, () => string[]]>)('given %s, then it is not verified (exit 1)', (_, lines) => {
    const run = verifyTrace(traceWith(lines()), '--policy', policy());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('not verified under the policy');
  });

  it('given a policy that cannot be used, then exit 2 naming the line', () => {
    const bad = write('bad.policy', `witness A ${a.vkey}\nwitness A ${b.vkey}\nquorum A\n`);
    const run = verifyTrace(traceWith([]), '--policy', bad);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^ledger verify-trace: the policy \S+bad\.policy, line 2: the name "A" is already defined/,
    );
  });
});

describe('scripts/verify-audit-proof.js --policy', () => {
  const event = () => real.trace.events[0] as { inclusionProof: unknown };
  const inclusion = (lines: string[], policyFile: string) =>
    script(
      'inclusion',
      real.publicKey,
      write('note.txt', note + lines.join('')),
      write('event.json', JSON.stringify(event())),
      write('inclusion.json', JSON.stringify(event().inclusionProof)),
      '--policy',
      policyFile,
    );

  it('given two valid cosignatures, then the inclusion proof verifies; given one, it is not verified', () => {
    const ok = inclusion([cosignatureLine(note, b), cosignatureLine(note, c)], policy());
    expect(ok.stdout).toMatch(/^OK: event \d+ is in .*\nOK: the checkpoint meets the witness policy\n$/);
    expect(ok.status).toBe(0);
    const short = inclusion([cosignatureLine(note, b)], policy());
    expect(short.status).toBe(1);
    expect(short.stderr).toContain(
      'FAILED: the checkpoint is not verified under the policy: cosigned by 1 of the 2 witnesses the policy requires (cosigned: B; not cosigned: A, C)',
    );
  });

  it('given hostile cosignatures, then it is not verified, never a crash', () => {
    for (const lines of [
      [cosignatureLine(note, a), corruptedLine(cosignatureLine(note, b))],
      [cosignatureLine(note, a), cosignatureLineAt(note, b, (1n << 64n) - 1n)],
      [cosignatureLine(note, a), cosignatureLine(note, makeWitness(b.name))],
      [cosignatureLine(note, a), cosignatureLine(note, b), ...Array(100).fill(cosignatureLine(note, c))],
    ]) {
      const run = inclusion(lines, policy());
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^FAILED: the checkpoint is not verified under the policy: /);
    }
  });

  it('given consistency, then both checkpoints must meet the policy', () => {
    const cosigned = write('cosigned.txt', note + cosignatureLine(note, a) + cosignatureLine(note, b));
    const bare = write('bare.txt', note);
    const proof = write('consistency.json', JSON.stringify({ path: [] }));
    expect(
      script('consistency', real.publicKey, cosigned, cosigned, proof, '--policy', policy()).status,
    ).toBe(0);
    const older = script('consistency', real.publicKey, bare, cosigned, proof, '--policy', policy());
    expect(older.status).toBe(1);
    expect(older.stderr).toContain('the older checkpoint is not verified under the policy');
  });

  it('given a policy it cannot use, then exit 2 naming the line', () => {
    for (const [text, says] of [
      [`witness A ${a.vkey}\ngroup g 3 A\nquorum g\n`, 'policy line 2: '],
      [`log ${a.vkey}\nquorum none\n`, 'policy line 1: '],
      [`witness A ${a.vkey}\n`, 'policy line 1: no quorum line'],
      [`# ${'x'.repeat(1024 * 1024)}\nquorum none\n`, 'over 1048576 bytes'],
    ]) {
      const run = inclusion([], write('bad.policy', text as string));
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(says);
    }
    const missing = inclusion([], path.join(temp.dir, 'absent.policy'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the policy/);
  });
});
