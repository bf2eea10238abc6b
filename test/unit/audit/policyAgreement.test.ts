/**
 * The independent tlog-policy readings agree with the ledger's (src/audit/witnessPolicy.ts): the one in
 * scripts/verify-audit-proof.js, written from the C2SP texts for outsiders, and the dashboard's in-browser one
 * (src/dashboard/proof/witnessPolicy.ts, WebCrypto). Same generated policies — valid and broken in every way the
 * specification forbids — and the same notes, cosigned, corrupted and hostile: the same verdicts, and for a policy
 * that is refused, the same line.
 */
import fc from 'fast-check';
import path from 'node:path';
import { encodeWitnessVerifierKey } from '../../../src/audit/cosignature';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../../src/audit/signedNote';
import {
  checkpointLog,
  parsePolicy,
  PolicyError,
  quorumMet,
  type Policy,
} from '../../../src/audit/witnessPolicy';
import * as browser from '../../../src/dashboard/proof/witnessPolicy';
import {
  corruptedLine,
  cosignatureLine,
  cosignatureLineAt,
  makeWitness,
  retimedLine,
  type TestWitness,
} from '../../support/witnessFixtures';

interface ScriptVerdict {
  met: boolean;
  logSigned: boolean | null;
  cosigned: string[];
  invalid: string[];
  missing: string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the outsider's script is CommonJS by design
const script = require(path.resolve(__dirname, '../../../scripts/verify-audit-proof.js')) as {
  parsePolicy(text: string): unknown;
  checkUnderPolicy(policy: unknown, note: string): ScriptVerdict;
  PolicyError: new (...args: unknown[]) => Error & { line: number };
};

const logKey = generateSigningKey();
const otherLogKey = generateSigningKey();
const ORIGIN = 'ledger.example/asker';
const logVkey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(logKey));
const otherLogVkey = encodeVerifierKey('other.example/log', publicKeyFromPrivate(otherLogKey));
const witnesses: TestWitness[] = ['w1.example', 'w2.example', 'w3.example', 'w4.example'].map(makeWitness);
const stranger = makeWitness('w1.example'); // the first witness's name, another key
const note = signCheckpoint({ origin: ORIGIN, treeSize: 42, rootHash: Buffer.alloc(32, 7) }, logKey, ORIGIN);
const otherNote = signCheckpoint(
  { origin: ORIGIN, treeSize: 43, rootHash: Buffer.alloc(32, 8) },
  logKey,
  ORIGIN,
);
const forgedNote = signCheckpoint(
  { origin: ORIGIN, treeSize: 42, rootHash: Buffer.alloc(32, 7) },
  otherLogKey,
  ORIGIN,
);

const names = ['a', 'n0', 'n1', 'n2', 'n3', 'q', 'none', 'K', '\u212a'];

/** A policy line: mostly of the spec's forms, with the mistakes it forbids mixed in. */
const policyLine: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(`log ${logVkey}`, `log ${otherLogVkey}`, `log ${logVkey} https://ledger.example/`),
  fc.constantFrom(`log ${witnesses[0]!.vkey}`, 'log', `log ${logVkey} not-a-url`, `log ${logVkey} a b`),
  fc
    .tuple(
      fc.constantFrom(...names),
      fc.nat(witnesses.length - 1),
      fc.constantFrom('', ' https://w.example/', ' nope'),
    )
    .map(([name, i, url]) => `witness ${name} ${witnesses[i]!.vkey}${url}`),
  fc.constantFrom(`witness x ${logVkey}`, 'witness y', `witness z ${stranger.vkey}`),
  // one public key as a log and as a witness, in either order: refused by all three
  fc.constantFrom(
    `witness self ${encodeWitnessVerifierKey(ORIGIN, publicKeyFromPrivate(logKey))}`,
    `log ${encodeVerifierKey('w.example/log', publicKeyFromPrivate(witnesses[0]!.key))}`,
  ),
  fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom('all', 'any', '0', '1', '2', '3', '01', 'x'),
      fc.array(fc.constantFrom(...names), { minLength: 0, maxLength: 4 }), // repeats too
    )
    .map(([name, k, members]) => `group ${name} ${k} ${members.join(' ')}`),
  fc.constantFrom(...names).map((name) => `quorum ${name}`),
  fc.constantFrom(
    '',
    '# a comment',
    '  \t',
    'quorum',
    'quorum a b',
    'witnesses a',
    'group g any a a',
    'group g2 any n0 n0',
    'group g2 2 n1 n0 n1',
    'group g2 any n0 none',
    'group g2 1 g2',
    'bad\rline',
    'del\u007f',
  ),
);

/** Policies of the usual shape (witnesses, then a group, then the quorum), which mostly parse. */
const wellFormedPolicy: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.subarray([0, 1, 2, 3], { minLength: 1 }),
    fc.constantFrom('all', 'any', '1', '2', '3'),
    fc.boolean(),
  )
  .map(([withLog, chosen, k, flat]) => {
    const lines = withLog ? [`log ${logVkey}`] : [];
    for (const i of chosen) lines.push(`witness n${i} ${witnesses[i]!.vkey}`);
    if (flat) lines.push(`quorum n${chosen[0]}`);
    else lines.push(`group q ${k} ${chosen.map((i) => `n${i}`).join(' ')}`, 'quorum q');
    return `${lines.join('\n')}\n`;
  });

const policyText = fc.oneof(
  wellFormedPolicy,
  // a second group over the same witnesses, which must not list a name twice or reuse a member
  fc
    .tuple(
      wellFormedPolicy,
      fc.constantFrom('any', 'all', '1', '2'),
      fc.array(fc.constantFrom('n0', 'n1', 'n2', 'n3'), { minLength: 1, maxLength: 3 }),
    )
    .map(([text, k, members]) =>
      text.replace(/quorum \S+\n$/, `group g ${k} ${members.join(' ')}\nquorum g\n`),
    ),
  // one line of any kind put into a policy that parses: most mistakes are then the only one
  fc.tuple(wellFormedPolicy, policyLine, fc.nat()).map(([text, line, at]) => {
    const lines = text.split('\n');
    lines.splice(at % lines.length, 0, line);
    return lines.join('\n');
  }),
  fc.array(policyLine, { maxLength: 10 }).map((lines) => lines.join('\n')),
  fc.array(policyLine, { maxLength: 8 }).map((lines) => `${lines.join('\n')}\nquorum none\n`),
);

/** A note's signature block: the log's line, cosignatures and hostile lines. */
const extraLine = fc.oneof(
  fc.nat(witnesses.length - 1).map((i) => cosignatureLine(note, witnesses[i]!)),
  fc.nat(witnesses.length - 1).map((i) => corruptedLine(cosignatureLine(note, witnesses[i]!))),
  fc.nat(witnesses.length - 1).map((i) => cosignatureLine(otherNote, witnesses[i]!)), // another checkpoint's
  fc.constant(cosignatureLine(note, stranger)), // the right name, another key (so another key id)
  fc.nat(witnesses.length - 1).map((i) => retimedLine(cosignatureLine(note, witnesses[i]!), 1n << 63n)),
  fc
    .tuple(
      fc.nat(witnesses.length - 1),
      fc.constantFrom(1n << 53n, (1n << 53n) + 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n),
    )
    .map(([i, time]) => cosignatureLineAt(note, witnesses[i]!, time)),
  fc
    .nat(witnesses.length - 1)
    .map((i) => retimedLine(cosignatureLine(note, witnesses[i]!), (1n << 53n) + 1n)),
  fc.constantFrom('\u2014 junk AAAA\n', '\u2014 other.example/w AAAAAAAAAAA=\n', 'not a signature line\n'),
);
const noteInput: fc.Arbitrary<string> = fc.oneof(
  fc.subarray(witnesses).map((ws) => note + ws.map((w) => cosignatureLine(note, w)).join('')), // valid cosignatures only
  fc.array(extraLine, { maxLength: 6 }).map((lines) => note + lines.join('')),
  fc.array(extraLine, { maxLength: 3 }).map((lines) => forgedNote + lines.join('')),
  fc.constant(note + cosignatureLine(note, witnesses[0]!).repeat(100)), // over the 100 lines a note may have
  fc.constantFrom('', 'garbage', note.replace('42', '042'), note.slice(0, -1)),
);

type Parsed = { policy: Policy } | { line: number };
function parseOurs(text: string): Parsed {
  try {
    return { policy: parsePolicy(text) };
  } catch (error) {
    if (error instanceof PolicyError) return { line: error.line };
    throw error;
  }
}

function ourVerdict(policy: Policy, text: string): ScriptVerdict {
  const quorum = quorumMet(policy, text);
  const logSigned = policy.logs.length === 0 ? null : checkpointLog(policy, text) !== null;
  return {
    met: quorum.met && logSigned !== false,
    logSigned,
    cosigned: quorum.cosigned,
    invalid: quorum.invalid,
    missing: quorum.missing,
  };
}

describe('three readings of tlog-policy and cosignature/v1', () => {
  it('given generated policies, then the script refuses exactly those the ledger refuses, on the same line, and judges every note alike', () => {
    let parsed = 0;
    let met = 0;
    fc.assert(
      fc.property(policyText, fc.array(noteInput, { minLength: 1, maxLength: 3 }), (text, notes) => {
        const ours = parseOurs(text);
        let theirs: unknown;
        try {
          theirs = script.parsePolicy(text);
        } catch (error) {
          if (!(error instanceof script.PolicyError)) throw error;
          expect(ours).toEqual({ line: error.line });
          return;
        }
        if ('line' in ours)
          throw new Error(`the script accepts what the ledger refuses on line ${ours.line}`);
        parsed++;
        for (const n of notes) {
          const verdict = ourVerdict(ours.policy, n);
          if (verdict.met) met++;
          expect(script.checkUnderPolicy(theirs, n)).toEqual(verdict);
        }
      }),
      { numRuns: 400 },
    );
    // The comparison of verdicts did run, on notes that meet their policy as well as on notes that do not.
    expect(parsed).toBeGreaterThan(50);
    expect(met).toBeGreaterThan(10); // about 30 in 400 runs
  });

  it('given generated policies, then the browser refuses exactly those the ledger refuses, on the same line, and judges every note alike', async () => {
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(
        policyText,
        fc.array(noteInput, { minLength: 1, maxLength: 3 }),
        async (text, notes) => {
          const ours = parseOurs(text);
          const theirs = await browser.parsePolicy(text);
          if (!theirs.ok) {
            expect(ours).toEqual({ line: theirs.line });
            return;
          }
          if ('line' in ours)
            throw new Error(`the browser accepts what the ledger refuses on line ${ours.line}`);
          parsed++;
          for (const n of notes) {
            const verdict = await browser.checkUnderPolicy(theirs.policy, n);
            const { met, logSigned, cosigned, invalid, missing } = verdict;
            expect({ met, logSigned, cosigned, invalid, missing }).toEqual(ourVerdict(ours.policy, n));
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(parsed).toBeGreaterThan(40);
  });

  it('given a 2-of-3 policy and a note cosigned by 2, then all three say it is met, and with one corrupted none does', async () => {
    const text = `log ${logVkey}\n${witnesses
      .slice(0, 3)
      .map((w, i) => `witness n${i} ${w.vkey}`)
      .join('\n')}\ngroup q 2 n0 n1 n2\nquorum q\n`;
    const good = note + cosignatureLine(note, witnesses[0]!) + cosignatureLine(note, witnesses[2]!);
    const bad =
      note + corruptedLine(cosignatureLine(note, witnesses[0]!)) + cosignatureLine(note, witnesses[2]!);
    const ours = parsePolicy(text);
    const browserPolicy = await browser.parsePolicy(text);
    if (!browserPolicy.ok) throw new Error('the browser refused a valid policy');
    for (const [n, met] of [
      [good, true],
      [bad, false],
    ] as const) {
      expect(ourVerdict(ours, n).met).toBe(met);
      expect(script.checkUnderPolicy(script.parsePolicy(text), n).met).toBe(met);
      expect((await browser.checkUnderPolicy(browserPolicy.policy, n)).met).toBe(met);
    }
    expect(ourVerdict(ours, bad)).toMatchObject({ cosigned: ['n2'], invalid: ['n0'], missing: ['n1'] });
  });
});
