import fc from 'fast-check';
import type { KeyObject } from 'node:crypto';
import { cosign, encodeWitnessVerifierKey } from '../../../src/audit/cosignature';
import {
  checkpointBody,
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
  type Checkpoint,
} from '../../../src/audit/signedNote';
import {
  PolicyError,
  QUORUM_NONE,
  checkpointLog,
  logsOf,
  parsePolicy,
  quorumMet,
  witnessed,
  type Policy,
} from '../../../src/audit/witnessPolicy';

const ORIGIN = 'ledger.example.org/participation';
const CHECKPOINT: Checkpoint = { origin: ORIGIN, treeSize: 42, rootHash: Buffer.alloc(32, 7) };
const TEXT = checkpointBody(CHECKPOINT);
const TIME = 1_764_633_600;

const logKey = generateSigningKey();
const LOG_VKEY = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(logKey));
const NOTE = signCheckpoint(CHECKPOINT, logKey, ORIGIN);

interface TestWitness {
  keyName: string;
  key: KeyObject;
  vkey: string;
}
function makeWitness(keyName: string): TestWitness {
  const key = generateSigningKey();
  return { keyName, key, vkey: encodeWitnessVerifierKey(keyName, publicKeyFromPrivate(key)) };
}
/** Six witnesses for the spec's example, named by their policy names. */
const W = Object.fromEntries(
  ['X1', 'X2', 'X3', 'Y1', 'Y2', 'Y3'].map((name) => [name, makeWitness(`witness.example/${name}`)]),
) as Record<'X1' | 'X2' | 'X3' | 'Y1' | 'Y2' | 'Y3', TestWitness>;

function cosignatureOf(witness: TestWitness, text = TEXT): string {
  return cosign(text, witness.key, witness.keyName, TIME);
}
/** The log-signed note with the given cosignature lines appended. */
function noteWith(...lines: string[]): string {
  return NOTE + lines.join('');
}
/** A cosignature line whose last signature byte is changed: the witness's name and key ID, a bad signature. */
function forged(line: string): string {
  const [, name, b64] = /^\u2014 (\S+) (\S+)\n$/u.exec(line) ?? [];
  if (name === undefined || b64 === undefined) throw new Error('not a signature line');
  const bytes = Buffer.from(b64, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return `\u2014 ${name} ${bytes.toString('base64')}\n`;
}

/** The example policy of tlog-policy.md, "Example policy", its <vkey>s replaced by real keys. */
const SPEC_EXAMPLE = `log ${LOG_VKEY}

witness X1 ${W.X1.vkey}
witness X2 ${W.X2.vkey}
witness X3 ${W.X3.vkey}
group X-witnesses 2 X1 X2 X3

witness Y1 ${W.Y1.vkey}
witness Y2 ${W.Y2.vkey}
witness Y3 ${W.Y3.vkey}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

function refusal(text: string): PolicyError {
  try {
    parsePolicy(text);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe('the example policy of tlog-policy.md', () => {
  const policy = parsePolicy(SPEC_EXAMPLE);

  it('given it, when parsed, then it is one log, six witnesses and the groups and quorum the spec describes', () => {
    expect(policy.logs).toHaveLength(1);
    expect(policy.logs[0]?.key.keyName).toBe(ORIGIN);
    expect(policy.witnesses.map((witness) => [witness.name, witness.line])).toEqual([
      ['X1', 3],
      ['X2', 4],
      ['X3', 5],
      ['Y1', 8],
      ['Y2', 9],
      ['Y3', 10],
    ]);
    expect(policy.groups).toEqual([
      { name: 'X-witnesses', threshold: 2, members: ['X1', 'X2', 'X3'], line: 6 },
      { name: 'Y-witnesses', threshold: 1, members: ['Y1', 'Y2', 'Y3'], line: 11 },
      { name: 'X-and-Y', threshold: 2, members: ['X-witnesses', 'Y-witnesses'], line: 13 },
    ]);
    expect(policy.quorum).toBe('X-and-Y');
    expect(policy.quorumLine).toBe(14);
  });

  it('given two X and one Y cosignature, when the quorum is evaluated, then it is met ("at least two of the X-witnesses, and … at least one of the Y-witnesses")', () => {
    const result = quorumMet(policy, noteWith(cosignatureOf(W.X1), cosignatureOf(W.X3), cosignatureOf(W.Y2)));
    expect(result.met).toBe(true);
    expect(result.cosigned).toEqual(['X1', 'X3', 'Y2']);
    expect(result.missing).toEqual(['X2', 'Y1', 'Y3']);
    expect(result.invalid).toEqual([]);
    expect(result.timestamps.get('X3')).toBe(TIME);
  });

  it('given one X and all three Y, or all three X and no Y, when evaluated, then it is not met', () => {
    const ys = [W.Y1, W.Y2, W.Y3].map((witness) => cosignatureOf(witness));
    expect(quorumMet(policy, noteWith(cosignatureOf(W.X2), ...ys)).met).toBe(false);
    const xs = [W.X1, W.X2, W.X3].map((witness) => cosignatureOf(witness));
    expect(quorumMet(policy, noteWith(...xs)).met).toBe(false);
  });
});

describe('a policy with every construct', () => {
  const kelvin = makeWitness('witness.example/kelvin');
  const k = makeWitness('witness.example/k');
  const text = [
    '# tlog-policy of the participation ledger',
    '   # an indented comment',
    '',
    ' \t ',
    `log ${LOG_VKEY} https://ledger.example.org/audit/tlog/`,
    `\tlog\t${encodeVerifierKey('other.example/log', publicKeyFromPrivate(generateSigningKey()))}  `,
    `witness X1 ${W.X1.vkey} https://witness.example/x1/`,
    `witness  X2 \t${W.X2.vkey}`,
    `witness X3 ${W.X3.vkey} http://[::1]:8080/`,
    `witness K ${k.vkey}`,
    `witness \u212a ${kelvin.vkey} https://b\u00fccher.example/w`, // KELVIN SIGN: a name distinct from "K"
    'group two-of-three 2 X1 X2 X3',
    'group both all K \u212a',
    'group either any two-of-three both',
    'quorum either', // no final newline: the last line still counts
  ].join('\n');
  const policy = parsePolicy(text);

  it('given it, when parsed, then comments, blank lines, tabs, URLs, all/any/k, nested groups and opaque names all come through', () => {
    expect(logsOf(policy).map((log) => [log.key.keyName, log.url, log.line])).toEqual([
      [ORIGIN, 'https://ledger.example.org/audit/tlog/', 5],
      ['other.example/log', null, 6],
    ]);
    expect(policy.witnesses.map((witness) => [witness.name, witness.url])).toEqual([
      ['X1', 'https://witness.example/x1/'],
      ['X2', null],
      ['X3', 'http://[::1]:8080/'],
      ['K', null],
      ['\u212a', 'https://b\u00fccher.example/w'],
    ]);
    expect(policy.groups.map((group) => [group.name, group.threshold, group.members])).toEqual([
      ['two-of-three', 2, ['X1', 'X2', 'X3']],
      ['both', 2, ['K', '\u212a']],
      ['either', 1, ['two-of-three', 'both']],
    ]);
    expect(policy.quorum).toBe('either');
    expect(policy.quorumLine).toBe(15);
  });

  it('given the nested quorum, when evaluated, then either branch meets it and half of each does not', () => {
    const both = [cosignatureOf(k), cosignatureOf(kelvin)];
    expect(quorumMet(policy, noteWith(...both)).met).toBe(true);
    expect(quorumMet(policy, noteWith(cosignatureOf(W.X1), cosignatureOf(W.X2))).met).toBe(true);
    expect(quorumMet(policy, noteWith(cosignatureOf(W.X1), cosignatureOf(k))).met).toBe(false);
    expect(quorumMet(policy, noteWith(cosignatureOf(kelvin))).cosigned).toEqual(['\u212a']);
  });

  it('given a no-break space or a name that spells a keyword, when parsed, then they are names (whitespace is only space and tab)', () => {
    const odd = parsePolicy(
      `witness X\u00a0Y ${W.Y1.vkey}\nwitness all ${W.Y2.vkey}\ngroup any all X\u00a0Y all\nquorum any\n`,
    );
    expect(odd.witnesses.map((witness) => witness.name)).toEqual(['X\u00a0Y', 'all']);
    expect(odd.groups[0]).toMatchObject({ name: 'any', threshold: 2, members: ['X\u00a0Y', 'all'] });
  });

  it('given one key as a log (0x01) and as a witness (0x04), in either order, then it is refused: the log could cosign alone', () => {
    const self = encodeWitnessVerifierKey(ORIGIN, publicKeyFromPrivate(logKey));
    expect(refusal(`log ${LOG_VKEY}\nwitness self ${self}\nquorum self\n`)).toMatchObject({
      line: 2,
      reason: expect.stringMatching(/the public key of the log on line 1: a log cannot witness itself/),
    });
    expect(refusal(`witness self ${self}\nlog ${LOG_VKEY}\nquorum self\n`)).toMatchObject({
      line: 2,
      reason: expect.stringMatching(/the public key of the witness on line 1: a log cannot witness itself/),
    });
  });

  it('given a CRLF copy of a one-line policy, when parsed, then the carriage return is refused on line 1', () => {
    expect(refusal('quorum none\r\n')).toMatchObject({ line: 1, reason: expect.stringMatching(/0x0d/) });
  });
});

describe('refused policies, each with its line number', () => {
  const [x1, x2] = [W.X1.vkey, W.X2.vkey];
  const cases: [string, string, number, RegExp][] = [
    ['an unknown keyword', `witness X1 ${x1}\nwitnes X2 ${x2}\nquorum X1\n`, 2, /unknown keyword "witnes"/],
    ['a keyword in capitals', `Quorum none\n`, 1, /unknown keyword "Quorum"/],
    [
      'a witness name twice',
      `witness X1 ${x1}\nwitness X1 ${x2}\nquorum X1\n`,
      2,
      /already defined on line 1/,
    ],
    [
      'a group named like a witness',
      `witness X1 ${x1}\n\ngroup X1 any X1\nquorum X1\n`,
      3,
      /already defined on line 1/,
    ],
    ['a witness named none', `witness none ${x1}\nquorum none\n`, 1, /predefined/],
    ['a group named none', `witness X1 ${x1}\ngroup none any X1\nquorum none\n`, 2, /predefined/],
    [
      'the same witness key under another key name',
      `witness X1 ${x1}\nwitness X2 ${encodeWitnessVerifierKey('renamed.example/w', publicKeyFromPrivate(W.X1.key))}\nquorum X1\n`,
      2,
      /duplicate witness: the public key of line 1/,
    ],
    ['the same witness key twice', `witness X1 ${x1}\nwitness X2 ${x1}\nquorum X1\n`, 2, /duplicate witness/],
    [
      'the same log key twice, under another key name',
      `log ${LOG_VKEY}\nlog ${encodeVerifierKey('renamed.example/log', publicKeyFromPrivate(logKey))}\nquorum none\n`,
      2,
      /duplicate log/,
    ],
    ['a group naming an unknown member', `witness X1 ${x1}\ngroup G 1 X1 X9\nquorum G\n`, 2, /"X9" is not/],
    [
      'a group naming a member defined after it (a cycle cannot be written)',
      `witness X1 ${x1}\ngroup A any X1 B\ngroup B any A\nquorum B\n`,
      2,
      /"B" is not a witness or group defined on a preceding line/,
    ],
    ['a group listing itself', `witness X1 ${x1}\ngroup G any X1 G\nquorum G\n`, 2, /cannot list itself/],
    [
      'none as a group member',
      `witness X1 ${x1}\ngroup G any X1 none\nquorum G\n`,
      3 - 1,
      /cannot be a group member/,
    ],
    ['a member listed twice', `witness X1 ${x1}\ngroup G 2 X1 X1\nquorum G\n`, 2, /listed twice/],
    [
      'a name listed as a member of two groups',
      `witness X1 ${x1}\nwitness X2 ${x2}\ngroup A any X1\ngroup B all X1 X2\nquorum B\n`,
      4,
      /already listed as a group member on line 3/,
    ],
    [
      'k > n',
      `witness X1 ${x1}\nwitness X2 ${x2}\ngroup G 3 X1 X2\nquorum G\n`,
      3,
      /more than the 2 members/,
    ],
    ['k = 0', `witness X1 ${x1}\ngroup G 0 X1\nquorum G\n`, 2, /at least 1/],
    ['k negative', `witness X1 ${x1}\ngroup G -1 X1\nquorum G\n`, 2, /not all, any or a decimal/],
    ['k in hexadecimal', `witness X1 ${x1}\ngroup G 0x1 X1\nquorum G\n`, 2, /not all, any or a decimal/],
    ['a group without members', `witness X1 ${x1}\ngroup G any\nquorum X1\n`, 2, /at least one member/],
    ['quorum missing', `witness X1 ${x1}\n# no quorum\n`, 2, /no quorum line/],
    ['an empty policy', '', 1, /no quorum line/],
    ['quorum twice', `witness X1 ${x1}\nquorum X1\nquorum none\n`, 3, /exactly one quorum line, and line 2/],
    ['a quorum naming an unknown witness', `quorum X1\nwitness X1 ${x1}\n`, 1, /"X1" is not/],
    ['a quorum without a name', `quorum\n`, 1, /"quorum <name>"/],
    ['a bad witness vkey', `witness X1 ${x1.slice(0, -2)}\nquorum X1\n`, 1, /bad witness vkey/],
    ['a log vkey used for a witness', `witness L ${LOG_VKEY}\nquorum L\n`, 1, /bad witness vkey.*0x04/],
    ['a witness vkey used for a log', `log ${x1}\nquorum none\n`, 1, /bad log vkey.*0x01/],
    ['a hex key (Sigsum dialect) for a log', `log ${'ab'.repeat(32)}\nquorum none\n`, 1, /bad log vkey/],
    ['a URL without a scheme', `witness X1 ${x1} witness.example/x1\nquorum X1\n`, 1, /not an absolute URL/],
    ['a bad log URL', `log ${LOG_VKEY} http://\nquorum none\n`, 1, /not an absolute URL/],
    [
      'trailing garbage after a URL',
      `witness X1 ${x1} https://witness.example/ # X1\nquorum X1\n`,
      1,
      /"witness <name> <vkey> \[<url>\]"/,
    ],
    ['trailing garbage after a quorum', `quorum none please\n`, 1, /"quorum <name>"/],
    ['a NUL byte', `quorum none\n#\u0000\n`, 2, /0x00 at column 2/],
    ['a DEL byte', `quorum none\u007f\n`, 1, /0x7f/],
    ['a vertical tab as whitespace', `quorum\u000bnone\n`, 1, /0x0b/],
  ];

  it.each(cases)('given %s, when parsed, then it is refused on its line', (_what, text, line, reason) => {
    const error = refusal(text);
    expect(error.name).toBe('PolicyError');
    expect(error.line).toBe(line);
    expect(error.reason).toMatch(reason);
    expect(error.message).toBe(`tlog-policy line ${line}: ${error.reason}`);
  });
});

describe('quorum evaluation with real cosignatures', () => {
  const twoOfThree = parsePolicy(
    `log ${LOG_VKEY}\nwitness A ${W.X1.vkey}\nwitness B ${W.X2.vkey}\nwitness C ${W.X3.vkey}\ngroup G 2 A B C\nquorum G\n`,
  );

  it('given 2 valid cosignatures of a 2-of-3 group, when evaluated, then it is met', () => {
    const result = quorumMet(twoOfThree, noteWith(cosignatureOf(W.X1), cosignatureOf(W.X3)));
    expect(result).toMatchObject({ met: true, cosigned: ['A', 'C'], invalid: [], missing: ['B'] });
  });

  it('given 1 valid and 1 forged cosignature, when evaluated, then it is not met and the forgery is named invalid', () => {
    const result = quorumMet(twoOfThree, noteWith(cosignatureOf(W.X1), forged(cosignatureOf(W.X2))));
    expect(result).toMatchObject({ met: false, cosigned: ['A'], invalid: ['B'], missing: ['C'] });
  });

  it('given a cosignature of another checkpoint moved onto this one, when evaluated, then it is invalid', () => {
    const other = checkpointBody({ ...CHECKPOINT, treeSize: 43 });
    const result = quorumMet(twoOfThree, noteWith(cosignatureOf(W.X1), cosignatureOf(W.X2, other)));
    expect(result).toMatchObject({ met: false, invalid: ['B'] });
  });

  it('given cosignatures of witnesses not in the policy, when evaluated, then they are ignored', () => {
    const strangers = [makeWitness('stranger.example/1'), makeWitness('witness.example/X2')];
    const lines = strangers.map((witness) => cosignatureOf(witness));
    expect(quorumMet(twoOfThree, noteWith(cosignatureOf(W.X1), ...lines))).toMatchObject({
      met: false,
      cosigned: ['A'],
      invalid: [],
    });
    expect(quorumMet(twoOfThree, noteWith(...lines, cosignatureOf(W.X1), cosignatureOf(W.X2))).met).toBe(
      true,
    );
  });

  it('given a quorum that is a single witness, when evaluated, then that witness alone decides', () => {
    const single = parsePolicy(`witness A ${W.Y1.vkey}\nwitness B ${W.Y2.vkey}\nquorum A\n`);
    expect(quorumMet(single, noteWith(cosignatureOf(W.Y1))).met).toBe(true);
    expect(quorumMet(single, noteWith(cosignatureOf(W.Y2))).met).toBe(false);
  });

  it('given quorum none, when evaluated, then a checkpoint note without cosignatures meets it but a malformed note does not', () => {
    const none = parsePolicy(`log ${LOG_VKEY}\nquorum ${QUORUM_NONE}\n`);
    expect(quorumMet(none, NOTE)).toMatchObject({ met: true, cosigned: [], missing: [] });
    expect(quorumMet(none, 'not a note').met).toBe(false);
    expect(quorumMet(none, `hello\n\n${NOTE.split('\n\n')[1] ?? ''}`).met).toBe(false);
  });

  it('given a note cosigned twice by the same witness, when evaluated, then it counts once, with the latest time', () => {
    const again = cosign(TEXT, W.X1.key, W.X1.keyName, TIME + 60);
    const result = quorumMet(twoOfThree, noteWith(cosignatureOf(W.X1), again));
    expect(result).toMatchObject({ met: false, cosigned: ['A'] });
    expect(result.timestamps.get('A')).toBe(TIME + 60);
  });
});

describe('a cosignature made outside the project', () => {
  // The vector of cosignature.test.ts: Python's `cryptography` signed tlog-cosignature.md's example checkpoint.
  const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  const logLine =
    '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
  const vkey = 'witness.example/w1+ae6e1a1c+BM6PsNJF+jZyPpzLKxXYzSP1+sny1TaquFGmApIBS2qf';
  const line =
    '\u2014 witness.example/w1 rm4aHAAAAABkGFDLQ+CfJ7oWLLBaBuw4SyjuXYZDMaQPSot0WVwraK0QNBg53d0JxPB9qK7T6JFK1ThlSMQDjhotwbg/SbGCZ5X6AQ==\n';

  it('given a policy whose quorum is that witness, when its note is evaluated, then the quorum is met at its time', () => {
    const policy = parsePolicy(`witness w1 ${vkey}\nquorum w1\n`);
    const result = quorumMet(policy, `${body}\n${logLine}${line}`);
    expect(result.met).toBe(true);
    expect(result.timestamps.get('w1')).toBe(1679315147);
    expect(quorumMet(policy, `${body}\n${logLine}${forged(line)}`)).toMatchObject({
      met: false,
      invalid: ['w1'],
    });
  });
});

describe('the log of a checkpoint', () => {
  const policy = parsePolicy(SPEC_EXAMPLE);

  it('given a note signed by the listed log, when checked, then the log and checkpoint are returned', () => {
    const found = checkpointLog(policy, NOTE);
    expect(found?.log.line).toBe(1);
    expect(found?.checkpoint.treeSize).toBe(42);
  });

  it('given a note signed by another key of the same name, or a checkpoint of another origin, when checked, then no log is found', () => {
    expect(checkpointLog(policy, signCheckpoint(CHECKPOINT, generateSigningKey(), ORIGIN))).toBeNull();
    const renamed = parsePolicy(
      `log ${encodeVerifierKey('elsewhere.example/log', publicKeyFromPrivate(logKey))}\nquorum none\n`,
    );
    const signedAsElsewhere = signCheckpoint(CHECKPOINT, logKey, 'elsewhere.example/log');
    expect(checkpointLog(renamed, signedAsElsewhere)).toBeNull();
  });
});

describe('properties', () => {
  const pool = ['X1', 'X2', 'X3', 'Y1', 'Y2'] as const;
  const lines = new Map(pool.map((name) => [name, cosignatureOf(W[name])]));

  it('any k-of-n group is met exactly when at least k of its members cosigned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: pool.length }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            k: fc.integer({ min: 1, max: n }),
            signers: fc.subarray(pool.slice(0, n) as string[]),
            forgers: fc.subarray(pool.slice(0, n) as string[]),
          }),
        ),
        ({ n, k, signers, forgers }) => {
          const members = pool.slice(0, n);
          const text = [
            ...members.map((name) => `witness ${name} ${W[name].vkey}`),
            `group G ${k} ${members.join(' ')}`,
            'quorum G',
          ].join('\n');
          const policy = parsePolicy(text);
          const honest = signers.filter((name) => !forgers.includes(name));
          const note = noteWith(
            ...signers.map((name) => {
              const line = lines.get(name as (typeof pool)[number]) ?? '';
              return forgers.includes(name) ? forged(line) : line;
            }),
          );
          const result = quorumMet(policy, note);
          expect(result.met).toBe(honest.length >= k);
          expect(result.cosigned.length).toBe(honest.length);
          expect(witnessed(policy, 'G', new Set(honest))).toBe(honest.length >= k);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parsePolicy either returns a policy or throws a PolicyError with a line inside the text', () => {
    const token = fc.constantFrom(
      'log',
      'witness',
      'group',
      'quorum',
      'none',
      'any',
      'all',
      '2',
      'X1',
      '#',
      ' ',
      '\t',
      '\n',
      W.X1.vkey,
      LOG_VKEY,
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (tokens) => {
        const text = tokens.join(' ');
        let policy: Policy | null = null;
        try {
          policy = parsePolicy(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
          const count = Math.max(1, text.replace(/\n$/, '').split('\n').length);
          expect((error as PolicyError).line).toBeGreaterThanOrEqual(1);
          expect((error as PolicyError).line).toBeLessThanOrEqual(count);
        }
        if (policy !== null) expect(policy.quorum === QUORUM_NONE || policy.witnesses.length > 0).toBe(true);
      }),
    );
  });
});
