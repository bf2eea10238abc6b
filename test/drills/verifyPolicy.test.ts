/**
 * `ledger verify --policy` as an operator or evaluator runs it on a data directory: the newest checkpoint, with the
 * cosignatures the ledger holds for it, must meet a C2SP tlog-policy. The cosignatures are put where the ledger keeps
 * them (the audit database's cosignatures table, as the witness submitter does), made with witness keys of the test.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { CosignatureStore } from '../../src/audit/cosignatureStore';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { buildAuditedLedger, type AuditedLedgerFiles } from '../support/auditedLedger';
import { runLedger } from '../support/ledgerBin';
import { makeTempDir } from '../support/tempDir';
import {
  corruptedLine,
  cosignatureLine,
  cosignatureLineAt,
  makeWitness,
  type TestWitness,
} from '../support/witnessFixtures';

const run = (dataDir: string, ...args: string[]) => runLedger(args, { LEDGER_DATA_DIR: dataDir }, 60_000);

describe('ledger verify --policy', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let files: AuditedLedgerFiles;
  let a: TestWitness, b: TestWitness, c: TestWitness;
  let notes: Map<number, string>;
  let logVkey: string;

  const writePolicy = (name: string, text: string): string => {
    const file = path.join(temp.dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const twoOfThree = () =>
    `log ${logVkey}\nwitness A ${a.vkey}\nwitness B ${b.vkey}\nwitness C ${c.vkey}\ngroup two 2 A B C\nquorum two\n`;

  /** Replaces the cosignatures the ledger holds for a tree size. */
  function holdCosignatures(treeSize: number, lines: Array<[string, string]>): void {
    const db = new Database(files.audit);
    db.prepare('DELETE FROM cosignatures WHERE tree_size = ?').run(treeSize);
    const store = new CosignatureStore(db);
    for (const [witness, line] of lines)
      store.add({ treeSize, witness, line, receivedAt: new Date().toISOString() });
    db.close();
  }

  beforeAll(async () => {
    temp = makeTempDir('ledger-verify-policy-');
    files = await buildAuditedLedger(temp.dir, { events: 60, checkpointEvery: 20 });
    logVkey = encodeVerifierKey(files.origin, publicKeyFromPrivate(files.key));
    [a, b, c] = ['a.witness.example', 'b.witness.example', 'c.witness.example'].map(makeWitness) as [
      TestWitness,
      TestWitness,
      TestWitness,
    ];
    const db = new Database(files.audit);
    new CosignatureStore(db); // the table, as a server that starts makes it
    const rows = db.prepare('SELECT tree_size, note FROM checkpoints ORDER BY tree_size').all() as {
      tree_size: number;
      note: string;
    }[];
    db.close();
    notes = new Map(rows.map((row) => [row.tree_size, row.note]));
    expect([...notes.keys()]).toEqual([0, 20, 40, 60]);
    // Every checkpoint cosigned by A and B, but the newest only by A: B lags (or refused it).
    for (const [size, note] of notes) {
      const lines: Array<[string, string]> = [[a.name, cosignatureLine(note, a)]];
      if (size !== 60) lines.push([b.name, cosignatureLine(note, b)]);
      holdCosignatures(size, lines);
    }
  });
  afterAll(() => temp.cleanup());

  it('given --help, then it explains the option', () => {
    const help = run(temp.dir, 'verify', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--policy FILE');
  });

  it('given a newest checkpoint cosigned by one of the two witnesses needed, then it is not verified, saying who cosigned, who did not, what the quorum needs and which checkpoint does meet it', () => {
    const result = run(temp.dir, 'verify', '--policy', writePolicy('two.policy', twoOfThree()));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^ok: 60 events verified/); // the ledger itself verifies
    expect(result.stdout).toContain('not verified under the policy');
    expect(result.stdout).toContain('cosigned by 1 of the 2 witnesses the policy requires');
    expect(result.stdout).toContain('  cosigned: A\n');
    expect(result.stdout).toContain('  not cosigned: B, C\n');
    expect(result.stdout).toContain('the quorum needs: 2 of (A, B, C)');
    expect(result.stdout).toMatch(/the newest checkpoint that meets it: tree size 40, signed /);
    // Just signed: the witnesses may not have answered yet; it is said, and still not verified.
    expect(result.stdout).toContain('signed in the last 30 seconds');
  });

  it('given --json, then the result has a policy section and is not ok', () => {
    const result = run(temp.dir, 'verify', '--json', '--policy', writePolicy('two.policy', twoOfThree()));
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      ok: false,
      problemCount: 0,
      policy: {
        newest: {
          met: false,
          treeSize: 60,
          logSigned: true,
          quorum: 'two',
          required: 2,
          counted: 1,
          cosigned: ['A'],
          invalid: [],
          missing: ['B', 'C'],
        },
        newestMet: { treeSize: 40 },
        awaitingCosignature: true,
      },
    });
  });

  it('given the second cosignature arrives, then it verifies, and without --policy nothing changes', () => {
    const newest = notes.get(60) as string;
    holdCosignatures(60, [
      [a.name, cosignatureLine(newest, a)],
      [c.name, cosignatureLine(newest, c)],
    ]);
    const result = run(temp.dir, 'verify', '--policy', writePolicy('two.policy', twoOfThree()));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('policy: verified under');
    expect(result.stdout).toContain('  cosigned: A, C\n');
    expect(run(temp.dir, 'verify').status).toBe(0);
  });

  it('given a policy whose log is another key, then even a cosigned checkpoint is not verified', () => {
    const other = encodeVerifierKey(files.origin, publicKeyFromPrivate(generateSigningKey()));
    const policy = writePolicy('other-log.policy', twoOfThree().replace(logVkey, other));
    const result = run(temp.dir, 'verify', '--policy', policy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('the checkpoint is not signed by any log the policy lists');
  });

  it('given a policy without log lines and quorum none, then the data directory key is the log, as without a policy', () => {
    const result = run(temp.dir, 'verify', '--policy', writePolicy('none.policy', 'quorum none\n'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('the quorum "none" is met');
  });

  describe('hostile cosignatures held for the newest checkpoint', () => {
    const hostile: Array<[string, () => Array<[string, string]>, string]> = [
      [
        'a cosignature of another checkpoint',
        () => [
          [a.name, cosignatureLine(notes.get(60) as string, a)],
          [b.name, cosignatureLine(notes.get(40) as string, b)],
        ],
        'cosignature that does not verify (forged or altered): B',
      ],
      [
        'a cosignature with the right name but another key (so another key id)',
        () => [
          [a.name, cosignatureLine(notes.get(60) as string, a)],
          [b.name, cosignatureLine(notes.get(60) as string, makeWitness(b.name))],
        ],
        'not cosigned: B, C',
      ],
      [
        'a cosignature with one bit of its signature flipped',
        () => [
          [a.name, cosignatureLine(notes.get(60) as string, a)],
          [b.name, corruptedLine(cosignatureLine(notes.get(60) as string, b))],
        ],
        'cosignature that does not verify (forged or altered): B',
      ],
      [
        'a cosignature signed at a time beyond 2^63',
        () => [
          [a.name, cosignatureLine(notes.get(60) as string, a)],
          [b.name, cosignatureLineAt(notes.get(60) as string, b, (1n << 63n) + 5n)],
        ],
        'cosignature that does not verify (forged or altered): B',
      ],
      [
        'over 100 signature lines (valid cosignatures among them)',
        () => [
          [a.name, cosignatureLine(notes.get(60) as string, a)],
          [b.name, cosignatureLine(notes.get(60) as string, b)],
          ...Array.from({ length: 100 }, (_, i): [string, string] => {
            const w = makeWitness(`filler${i}.example`);
            return [w.name, cosignatureLine(notes.get(60) as string, w)];
          }),
        ],
        'not cosigned: A, B, C',
      ],
    ];
    it.each(hostile)('given %s, then it is not verified (exit 1), never a crash', (_, lines, says) => {
      holdCosignatures(60, lines());
      const result = run(temp.dir, 'verify', '--policy', writePolicy('two.policy', twoOfThree()));
      expect(result.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(says);
    });
  });

  describe('a policy that cannot be used is bad configuration: exit 2, naming the line', () => {
    const w = () => `witness A ${a.vkey}\n`;
    const cases: Array<[string, () => string, RegExp]> = [
      ['an unknown keyword', () => `${w()}witnesses B x\nquorum A\n`, /line 2: unknown keyword/],
      ['a missing item', () => `witness A\nquorum A\n`, /line 1: a witness line is/],
      ['an extra item', () => `${w()}quorum A B\n`, /line 2: a quorum line is/],
      [
        'a name defined twice',
        () => `${w()}witness A ${b.vkey}\nquorum A\n`,
        /line 2: the name "A" is already/,
      ],
      ['none defined', () => `witness none ${a.vkey}\nquorum none\n`, /line 1: "none" is a predefined name/],
      ['an undefined member', () => `${w()}group g any A B\nquorum g\n`, /line 2: "B" is not a witness/],
      ['none as a member', () => `${w()}group g any A none\nquorum g\n`, /line 2: "none" cannot be a group/],
      ['a member listed twice', () => `${w()}group g 1 A A\nquorum g\n`, /line 2: "A" is listed twice/],
      [
        'a member of two groups',
        () => `${w()}group g any A\ngroup h any A\nquorum h\n`,
        /line 3: "A" is already listed as a group member on line 2/,
      ],
      ['k above n', () => `${w()}group g 2 A\nquorum g\n`, /line 2: the threshold 2 is more than/],
      ['k of 0', () => `${w()}group g 0 A\nquorum g\n`, /line 2: the threshold k must be at least 1/],
      ['k not decimal', () => `${w()}group g 0x1 A\nquorum g\n`, /line 2: the threshold "0x1"/],
      [
        'a duplicate witness line',
        () => `${w()}witness A2 ${a.vkey}\nquorum A\n`,
        /line 2: duplicate witness/,
      ],
      [
        'a duplicate log line',
        () => `log ${logVkey}\nlog ${logVkey}\nquorum none\n`,
        /line 2: duplicate log/,
      ],
      ['a log key as a witness key', () => `witness A ${logVkey}\nquorum A\n`, /line 1: bad witness vkey/],
      ['a witness key as a log key', () => `log ${a.vkey}\nquorum none\n`, /line 1: bad log vkey/],
      [
        'a bad URL',
        () => `witness A ${a.vkey} not-a-url\nquorum A\n`,
        /line 1: "not-a-url" is not an absolute URL/,
      ],
      ['a carriage return', () => `${w().trimEnd()}\r\nquorum A\n`, /line 1: character 0x0d/],
      ['no quorum line', () => `${w()}# no quorum\n`, /line 2: no quorum line/],
      [
        'two quorum lines',
        () => `${w()}quorum A\nquorum none\n`,
        /line 3: a policy has exactly one quorum line/,
      ],
      ['a quorum of an undefined name', () => `quorum X\n`, /line 1: "X" is not a witness or group/],
    ];
    it.each(cases)('given %s', (_, text, says) => {
      const result = run(temp.dir, 'verify', '--policy', writePolicy('bad.policy', text()));
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^ledger verify: the policy \S+bad\.policy, line \d+: /);
      expect(result.stderr).toMatch(says);
      expect(result.stdout).toBe('');
    });

    it('given a missing file, a file over 1 MiB, a file that is not UTF-8 or no file name, then exit 2 with one line', () => {
      const huge = writePolicy('huge.policy', `# ${'x'.repeat(1024 * 1024)}\nquorum none\n`);
      const latin1 = path.join(temp.dir, 'latin1.policy');
      fs.writeFileSync(latin1, Buffer.from('# K\xe6rnes\nquorum none\n', 'latin1'));
      for (const [args, says] of [
        [['--policy', path.join(temp.dir, 'absent.policy')], /cannot read .*absent\.policy/],
        [['--policy', huge], /huge\.policy is \d+ bytes; a policy file is at most 1048576/],
        [['--policy', latin1], /latin1\.policy is not UTF-8 text/],
        [['--policy'], /--policy names a tlog-policy file/],
      ] as const) {
        const result = run(temp.dir, 'verify', ...args);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(says);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  });
});
