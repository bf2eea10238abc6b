import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import {
  COSIGNATURE_V1_TYPE,
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  encodeWitnessVerifierKey,
  parseCosignature,
  parseWitnessVerifierKey,
  verifyCosignature,
  verifyCosignatureLine,
} from '../../../src/audit/cosignature';
import {
  checkpointBody,
  encodeVerifierKey,
  openNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyCheckpointNote,
} from '../../../src/audit/signedNote';
import { emptyRoot } from '../../../src/audit/rfc9162';
import { sha256 } from './proofProbes';

/** The checkpoint of the examples of tlog-checkpoint.md and tlog-cosignature.md (C2SP/C2SP). */
const SPEC_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_LOG_LINE =
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
const SPEC_WITNESS_LINE =
  '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';
/** The timestamp of the spec's example signed message ("time 1679315147"). */
const SPEC_TIME = 1679315147;

/**
 * A vector built by hand from the spec's definitions, outside this project: Python's `cryptography` (OpenSSL)
 * signed `cosignature/v1\ntime 1679315147\n` + SPEC_BODY with the Ed25519 key of this seed, and the key ID is
 * SHA-256("witness.example/w1" || 0x0A || 0x04 || public key)[:4]. The spec publishes no key for its own example,
 * so its example line can be parsed but not verified.
 */
const SEED = '8766fc2054d8b7d52e6066f905063313bd1ebeb222c911f90b2a84039e924a21';
const PUBLIC_KEY = 'ce8fb0d245fa36723e9ccb2b15d8cd23f5fac9f2d536aab851a60292014b6a9f';
const NAME = 'witness.example/w1';
const VKEY = 'witness.example/w1+ae6e1a1c+BM6PsNJF+jZyPpzLKxXYzSP1+sny1TaquFGmApIBS2qf';
const LINE =
  '\u2014 witness.example/w1 rm4aHAAAAABkGFDLQ+CfJ7oWLLBaBuw4SyjuXYZDMaQPSot0WVwraK0QNBg53d0JxPB9qK7T6JFK1ThlSMQDjhotwbg/SbGCZ5X6AQ==\n';

/** An Ed25519 private key from its RFC 8032 seed, through PKCS #8 (RFC 8410), not through the project's helper. */
function keyFromSeed(seedHex: string) {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(seedHex, 'hex'),
  ]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function rawPublicKey(privateKey: ReturnType<typeof keyFromSeed>): Buffer {
  return Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url');
}

/** The bytes of a signature line's base64, and the line rebuilt from (possibly altered) bytes. */
function lineBytes(line: string): { name: string; bytes: Buffer } {
  const [, name, b64] = /^\u2014 (\S+) (\S+)\n$/u.exec(line) ?? [];
  if (name === undefined || b64 === undefined) throw new Error(`not a signature line: ${line}`);
  return { name, bytes: Buffer.from(b64, 'base64') };
}
function rebuild(name: string, bytes: Buffer): string {
  return `\u2014 ${name} ${bytes.toString('base64')}\n`;
}
function flipBit(line: string, byte: number, bit = 0): string {
  const { name, bytes } = lineBytes(line);
  const copy = Buffer.from(bytes);
  copy[byte] = (copy[byte] ?? 0) ^ (1 << bit);
  return rebuild(name, copy);
}

const key = keyFromSeed(SEED);
const witness = parseWitnessVerifierKey(VKEY);

describe('the example of tlog-cosignature.md', () => {
  it('given its witness line, when parsed, then it is key ID 8d66cf3f, the time of its signed message and 64 bytes of signature', () => {
    const cosignature = parseCosignature(SPEC_WITNESS_LINE);
    expect(cosignature).not.toBeNull();
    expect(cosignature?.name).toBe('witness.example.com/w1');
    expect(cosignature?.keyId.toString('hex')).toBe('8d66cf3f');
    expect(cosignature?.timestamp).toBe(SPEC_TIME);
    expect(cosignature?.signature).toHaveLength(64);
  });

  it('given its note, when checked for a witness of that name whose key is not the one that signed, then it is refused', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const stranger = parseWitnessVerifierKey(
      encodeWitnessVerifierKey('witness.example.com/w1', rawPublicKey(other)),
    );
    expect(verifyCosignature(`${SPEC_BODY}\n${SPEC_LOG_LINE}${SPEC_WITNESS_LINE}`, stranger)).toBeNull();
  });

  it('given its log signature line (type 0x01, 68 bytes), when parsed as a cosignature, then it is not one', () => {
    expect(parseCosignature(SPEC_LOG_LINE)).toBeNull();
  });
});

describe('a vector built from the spec outside the project', () => {
  it('given the seed, when the witness vkey is encoded, then it is name+hex(key ID)+base64(0x04 || key)', () => {
    const publicKey = rawPublicKey(key);
    expect(publicKey.toString('hex')).toBe(PUBLIC_KEY);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(NAME, 'utf8'), Buffer.from([0x0a, 0x04]), publicKey]))
      .digest()
      .subarray(0, 4);
    expect(cosignatureKeyId(NAME, publicKey).equals(id)).toBe(true);
    expect(encodeWitnessVerifierKey(NAME, publicKey)).toBe(
      `${NAME}+${id.toString('hex')}+${Buffer.concat([Buffer.from([0x04]), publicKey]).toString('base64')}`,
    );
    expect(encodeWitnessVerifierKey(NAME, publicKey)).toBe(VKEY);
    expect(witness).toEqual({ keyName: NAME, keyId: id, publicKey });
  });

  it('given the spec checkpoint and time, when the message is built, then it is the one printed in the spec', () => {
    const printed =
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(cosignatureMessage(SPEC_BODY, SPEC_TIME).toString('utf8')).toBe(printed);
  });

  it('given the key, checkpoint and time, when cosigned, then the line is the vector byte for byte', () => {
    // Recomputed here with node:crypto alone: key ID || u64 big-endian time || Ed25519(message).
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.from([0x04]), rawPublicKey(key)]))
      .digest()
      .subarray(0, 4);
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(SPEC_TIME));
    const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${SPEC_TIME}\n${SPEC_BODY}`), key);
    expect(rebuild(NAME, Buffer.concat([id, time, signature]))).toBe(LINE);
    expect(cosign(SPEC_BODY, key, NAME, SPEC_TIME)).toBe(LINE);
  });

  it('given the vector line, when verified against the checkpoint and the vkey, then its time comes back', () => {
    expect(verifyCosignatureLine(SPEC_BODY, LINE, witness)).toBe(SPEC_TIME);
    expect(verifyCosignatureLine(SPEC_BODY, LINE.slice(0, -1), witness)).toBe(SPEC_TIME); // without its newline
  });

  it('given the spec note with the vector line appended, when checked, then the other lines are ignored and the time comes back', () => {
    const note = `${SPEC_BODY}\n${SPEC_LOG_LINE}${SPEC_WITNESS_LINE}${LINE}`;
    expect(verifyCosignature(note, witness)).toBe(SPEC_TIME);
  });
});

describe('round trip', () => {
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const witnessKey = generateKeyPairSync('ed25519').privateKey;
  const name = 'witness.example/round-trip';
  const vkey = parseWitnessVerifierKey(encodeWitnessVerifierKey(name, rawPublicKey(witnessKey)));
  const checkpoint = { origin: 'ledger.example/log', treeSize: 42, rootHash: sha256('root') };

  it('given a checkpoint signed by the log, when a witness cosigns it, then log and witness signatures both verify', () => {
    const note = signCheckpoint(checkpoint, logKey, checkpoint.origin);
    const cosigned = note + cosign(checkpointBody(checkpoint), witnessKey, name, 1_750_000_000);
    expect(verifyCosignature(cosigned, vkey)).toBe(1_750_000_000);
    expect(verifyCheckpointNote(cosigned, rawPublicKey(logKey), checkpoint.origin)).toEqual(checkpoint);
  });

  it('given extension lines, when cosigned, then they are signed too', () => {
    const text = `${checkpointBody(checkpoint)}extension one\n`;
    const line = cosign(text, witnessKey, name, 7);
    expect(verifyCosignatureLine(text, line, vkey)).toBe(7);
    expect(verifyCosignatureLine(`${checkpointBody(checkpoint)}extension two\n`, line, vkey)).toBeNull();
    expect(verifyCosignatureLine(checkpointBody(checkpoint), line, vkey)).toBeNull();
  });

  it.each([0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER])(
    'given the time %d, when cosigned, then it comes back',
    (time) => {
      const body = checkpointBody(checkpoint);
      expect(verifyCosignatureLine(body, cosign(body, witnessKey, name, time), vkey)).toBe(time);
    },
  );

  it('given two cosignatures by the witness, when checked, then the latest time is returned', () => {
    const body = checkpointBody(checkpoint);
    const note = `${body}\n${cosign(body, witnessKey, name, 20)}${cosign(body, witnessKey, name, 10)}`;
    expect(verifyCosignature(note, vkey)).toBe(20);
  });

  it('given the empty tree, when cosigned, then it verifies', () => {
    const empty = { origin: 'ledger.example/log', treeSize: 0, rootHash: emptyRoot() };
    const body = checkpointBody(empty);
    expect(verifyCosignatureLine(body, cosign(body, witnessKey, name, 5), vkey)).toBe(5);
  });
});

describe('corrupted cosignatures are refused', () => {
  const note = (...lines: string[]) => `${SPEC_BODY}\n${SPEC_LOG_LINE}${lines.join('')}`;
  const refused = (line: string, body = SPEC_BODY) => {
    expect(verifyCosignatureLine(body, line, witness)).toBeNull();
    expect(verifyCosignature(`${body}\n${line}`, witness)).toBeNull();
  };

  it.each([12, 13, 40, 75])('given a flipped bit in signature byte %d, then refused', (byte) => {
    refused(flipBit(LINE, byte, 3));
  });

  it.each([4, 8, 11])('given a flipped bit in timestamp byte %d, then refused', (byte) => {
    refused(flipBit(LINE, byte, 0));
  });

  it.each([0, 3])(
    'given a flipped bit in key ID byte %d, then the line is not the witness’s and the note has none',
    (byte) => {
      refused(flipBit(LINE, byte, 7));
    },
  );

  it.each([
    ['origin', SPEC_BODY.replace('behind-the-sofa', 'behind-the-Sofa')],
    ['tree size', SPEC_BODY.replace('20852163', '20852164')],
    ['root hash', SPEC_BODY.replace('CsUY', 'CsUZ')],
    ['extension line (one added)', `${SPEC_BODY}extension\n`],
  ])('given a changed %s in the body, then refused', (_what, body) => {
    refused(LINE, body);
  });

  it('given another name on the line, or a witness of another name with the same key, then refused', () => {
    refused(LINE.replace(NAME, 'witness.example/w2'));
    const renamed = parseWitnessVerifierKey(
      encodeWitnessVerifierKey('witness.example/w2', rawPublicKey(key)),
    );
    expect(verifyCosignatureLine(SPEC_BODY, LINE, renamed)).toBeNull();
    expect(verifyCosignature(note(LINE), renamed)).toBeNull();
  });

  it('given the key ID of algorithm byte 0x01 instead of 0x04 on the line, then it is not a cosignature', () => {
    const { bytes } = lineBytes(LINE);
    const id01 = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.from([0x01]), rawPublicKey(key)]))
      .digest()
      .subarray(0, 4);
    refused(rebuild(NAME, Buffer.concat([id01, bytes.subarray(4)])));
  });

  it('given a vkey of type 0x01, then it is no witness vkey, and a 0x04 vkey is no log vkey', () => {
    const vkey01 = encodeVerifierKey(NAME, rawPublicKey(key));
    expect(() => parseWitnessVerifierKey(vkey01)).toThrow(TypeError);
    expect(() => parseVerifierKey(VKEY)).toThrow(TypeError);
    // The 0x04 vkey's type byte replaced with 0x01 (key ID left as it was).
    const typed = Buffer.from(VKEY.split('+').slice(2).join('+'), 'base64');
    typed[0] = 0x01;
    expect(() => parseWitnessVerifierKey(`${NAME}+ae6e1a1c+${typed.toString('base64')}`)).toThrow(TypeError);
    // A log's VerifierKey of the same name and key does not check cosignatures.
    expect(verifyCosignatureLine(SPEC_BODY, LINE, parseVerifierKey(vkey01))).toBeNull();
    expect(verifyCosignature(note(LINE), parseVerifierKey(vkey01))).toBeNull();
  });

  it('given a note signature (0x01) by the witness key, then it is no cosignature, and a cosignature is no note signature', () => {
    const noteSigned = signNote(SPEC_BODY, key, NAME);
    expect(verifyCosignature(noteSigned, witness)).toBeNull();
    expect(openNote(`${SPEC_BODY}\n${LINE}`, rawPublicKey(key), NAME)).toBeNull();
    expect(COSIGNATURE_V1_TYPE).toBe(0x04);
  });

  it.each([
    ['the last 4 characters cut (not base64 any more)', LINE.slice(0, -5) + '\n'],
    ['one character cut', LINE.slice(0, -2) + '\n'],
    ['the padding cut', LINE.replace(/==\n$/u, '\n')],
    ['the last 12 bytes cut', (() => rebuild(NAME, lineBytes(LINE).bytes.subarray(0, 64)))()],
    ['one byte appended', (() => rebuild(NAME, Buffer.concat([lineBytes(LINE).bytes, Buffer.from([0])])))()],
    ['non-canonical padding bits', LINE.replace(/Q==\n$/u, 'R==\n')],
    ['no base64 at all', `\u2014 ${NAME}\n`],
  ])('given %s, then refused', (_what, line) => {
    expect(parseCosignature(line)).toBeNull();
    refused(line);
  });

  it('given a cosignature over another checkpoint, when checked on this one, then refused', () => {
    const other = SPEC_BODY.replace('20852163', '20852170').replace('CsUY', 'AAAA');
    const line = cosign(other, key, NAME, SPEC_TIME);
    expect(verifyCosignatureLine(other, line, witness)).toBe(SPEC_TIME);
    refused(line);
  });

  it('given a failing line of the witness beside a valid one, when the note is checked, then the note is refused', () => {
    expect(verifyCosignature(note(LINE, flipBit(LINE, 50)), witness)).toBeNull();
    expect(verifyCosignature(note(flipBit(LINE, 50), LINE), witness)).toBeNull();
  });

  it('given a note without any line of the witness, then refused', () => {
    expect(verifyCosignature(note(SPEC_WITNESS_LINE), witness)).toBeNull();
  });

  it('given a timestamp beyond 2^63 - 1 with a valid signature over it, then refused', () => {
    const { bytes } = lineBytes(LINE);
    for (const time of [2n ** 63n, 2n ** 64n - 1n, 2n ** 53n]) {
      const t = Buffer.alloc(8);
      t.writeBigUInt64BE(time);
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${SPEC_BODY}`), key);
      refused(rebuild(NAME, Buffer.concat([bytes.subarray(0, 4), t, signature])));
    }
  });

  it('given text that is not a checkpoint, when cosigned, then it throws, and when checked, refused', () => {
    expect(() => cosign('two\nlines\n', key, NAME, 1)).toThrow(TypeError);
    expect(() => cosign(SPEC_BODY.slice(0, -1), key, NAME, 1)).toThrow(TypeError);
    expect(() => cosign(SPEC_BODY, key, 'a name', 1)).toThrow(TypeError);
    expect(() => cosign(SPEC_BODY, key, NAME, -1)).toThrow(TypeError);
    expect(() => cosign(SPEC_BODY, key, NAME, 1.5)).toThrow(TypeError);
    // Valid signatures over texts that are not checkpoints (leading zero in the size; two lines), made by hand.
    for (const bad of [
      'example.com/x\n007\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'two\nlines\n',
    ]) {
      const { bytes } = lineBytes(LINE);
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${SPEC_TIME}\n${bad}`), key);
      const line = rebuild(NAME, Buffer.concat([bytes.subarray(0, 12), signature]));
      expect(verifyCosignatureLine(bad, line, witness)).toBeNull();
      expect(verifyCosignature(`${bad}\n${line}`, witness)).toBeNull();
    }
  });

  it('given more than one line, when parsed as one cosignature, then refused', () => {
    expect(parseCosignature(LINE + LINE)).toBeNull();
    expect(verifyCosignatureLine(SPEC_BODY, LINE + LINE, witness)).toBeNull();
  });
});
