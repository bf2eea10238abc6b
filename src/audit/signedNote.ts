/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, and the transparency-log checkpoint
 * that is their body here (https://c2sp.org/tlog-checkpoint). The format is the one Go's sumdb/note and the
 * transparency-dev tools read, so an outsider can check our checkpoints with off-the-shelf code.
 */
import type { KeyObject } from 'node:crypto';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { HASH_SIZE } from './rfc9162';

/** The tree head a checkpoint commits to. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

/** A parsed verifier key ("vkey"): who signs, and the key that checks it. */
export interface VerifierKey {
  keyName: string;
  keyId: Buffer;
  publicKey: Buffer;
}

/** signed-note "Signature types": 0x01 is Ed25519 over the note text (other types, e.g. 0x04, live elsewhere). */
export const ED25519_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
export const KEY_ID_SIZE = 4;
/** signed-note: "— " (U+2014 EM DASH, U+0020) opens every signature line. */
const SIGNATURE_PREFIX = '\u2014 ';
/** signed-note: verifiers must accept at least 16 signatures; bound the work an oversized note can cause. */
const MAX_SIGNATURES = 100;
/** PKCS #8 DER header of an Ed25519 private key (RFC 8410 §7); the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// ---- keys -------------------------------------------------------------------------------------------------------

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** The signing key of a 32-byte RFC 8032 seed (how Go's note package and most tools store Ed25519 keys). */
export function signingKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32-byte RFC 8032 encoding of the public key of an Ed25519 private key. */
export function publicKeyFromPrivate(privateKey: KeyObject): Buffer {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError('the signing key must be an Ed25519 key');
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (x === undefined) throw new TypeError('the Ed25519 key has no public part');
  return Buffer.from(x, 'base64url');
}

/**
 * signed-note "Ed25519 signatures": key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]; another
 * signature type byte (signed-note, "Signature types") gives that type's key ID of the same name and key.
 */
export function keyId(keyName: string, publicKey: Uint8Array, signatureType: number = ED25519_TYPE): Buffer {
  assertSignatureType(signatureType);
  const hash = createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.from([0x0a, signatureType]))
    .update(publicKey)
    .digest();
  return hash.subarray(0, KEY_ID_SIZE);
}

/**
 * The verifier key text `<name>+<hex key id>+<base64(type || public key)>` that clients configure, for a 32-byte
 * Ed25519 public key; the type is 0x01 (note signatures) unless another Ed25519-keyed type is given.
 */
export function encodeVerifierKey(
  keyName: string,
  publicKey: Uint8Array,
  signatureType: number = ED25519_TYPE,
): string {
  assertKeyName(keyName);
  assertPublicKey(publicKey);
  const typedKey = Buffer.concat([Buffer.from([signatureType]), publicKey]);
  return `${keyName}+${keyId(keyName, publicKey, signatureType).toString('hex')}+${typedKey.toString('base64')}`;
}

/**
 * Parses a verifier key of the given signature type (0x01 unless said) and a 32-byte Ed25519 public key; throws a
 * TypeError saying what is wrong with it, a key of any other type included.
 */
export function parseVerifierKey(vkey: string, signatureType: number = ED25519_TYPE): VerifierKey {
  assertSignatureType(signatureType);
  const typeHex = signatureType.toString(16).padStart(2, '0');
  // The base64 part may itself contain '+', so split on the first two only.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new TypeError('a verifier key is <name>+<key id>+<key>');
  const keyName = vkey.slice(0, first);
  const hexId = vkey.slice(first + 1, second);
  const typedKey = strictBase64(vkey.slice(second + 1));
  if (!isKeyName(keyName)) throw new TypeError('the key name must be non-empty, without spaces or "+"');
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new TypeError('the key id must be 8 lower-case hex digits');
  if (typedKey === null || typedKey.length !== 1 + ED25519_PUBLIC_KEY_SIZE || typedKey[0] !== signatureType) {
    throw new TypeError(`the key must be base64 of 0x${typeHex} followed by a 32-byte Ed25519 public key`);
  }
  const publicKey = typedKey.subarray(1);
  const expectedId = keyId(keyName, publicKey, signatureType);
  if (expectedId.toString('hex') !== hexId) throw new TypeError('the key id does not match the name and key');
  return { keyName, keyId: expectedId, publicKey };
}

// ---- notes ------------------------------------------------------------------------------------------------------

/** Signs a note text (which must end in a newline) and returns the whole note: text, blank line, signature line. */
export function signNote(text: string, privateKey: KeyObject, keyName: string): string {
  assertKeyName(keyName);
  if (!text.endsWith('\n') || !isNoteSafe(text)) {
    throw new TypeError('a note text must end in a newline and contain no control character but newline');
  }
  const publicKey = publicKeyFromPrivate(privateKey);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${signatureLine(keyName, Buffer.concat([keyId(keyName, publicKey), signature]))}`;
}

/** One signature line, `— <name> <base64(blob)>` and its newline, where blob is the key ID and the signature. */
export function signatureLine(keyName: string, blob: Uint8Array): string {
  assertKeyName(keyName);
  return `${SIGNATURE_PREFIX}${keyName} ${Buffer.from(blob).toString('base64')}\n`;
}

/**
 * Verifies a note against one known key and returns its text, or null when the note is malformed, carries no
 * signature by that key, or carries one that fails (signed-note, "Signatures": signatures by other keys are
 * ignored; a failing one by the known key rejects the whole note).
 */
export function openNote(note: string, publicKey: Uint8Array, keyName: string): string | null {
  if (!isKeyName(keyName) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) return null;
  const parts = splitNote(note);
  if (parts === null) return null;
  const { text, signatures } = parts;

  const wantedId = keyId(keyName, publicKey);
  const message = Buffer.from(text, 'utf8');
  let verified = false;
  for (const { name, blob } of signatures) {
    if (name !== keyName || !blob.subarray(0, KEY_ID_SIZE).equals(wantedId)) continue;
    if (!verifyEd25519(publicKey, message, blob.subarray(KEY_ID_SIZE))) return null;
    verified = true;
  }
  return verified ? text : null;
}

/** A parsed signature line: the key name, and the decoded base64 (key ID, then the signature of that type). */
export interface SignatureLine {
  name: string;
  blob: Buffer;
}

/**
 * Splits a signed note into its text (ending in its newline) and its signature lines, or null when it is not a
 * well-formed signed note. Nothing is verified: the caller picks the lines of the keys it knows.
 */
export function splitNote(note: string): { text: string; signatures: SignatureLine[] } | null {
  if (!isNoteSafe(note)) return null;
  // "the text is separated from the signatures by the last empty line in the note"
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const signatures = parseSignatureLines(note.slice(split + 2));
  return signatures === null ? null : { text: note.slice(0, split + 1), signatures };
}

/** The signature block: lines `— <name> <base64(key id || signature)>`, each with its newline; else null. */
export function parseSignatureLines(block: string): SignatureLine[] | null {
  if (!block.endsWith('\n')) return null;
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return null;
  const parsed: SignatureLine[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return null;
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const blob = space < 0 ? null : strictBase64(rest.slice(space + 1));
    // A key id and at least one byte of signature.
    if (!isKeyName(name) || blob === null || blob.length <= KEY_ID_SIZE) return null;
    parsed.push({ name, blob });
  }
  return parsed;
}

/** RFC 8032 verification of a 64-byte signature; false (never a throw) for a key that is not a curve point. */
export function verifyEd25519(publicKey: Uint8Array, message: Buffer, signature: Buffer): boolean {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    return verify(null, message, key, signature);
  } catch {
    return false; // a public key that is not a point on the curve verifies nothing
  }
}

// ---- checkpoints ------------------------------------------------------------------------------------------------

/** tlog-checkpoint "Note text": origin, decimal tree size, base64 root hash, one per line. */
export function checkpointBody({ origin, treeSize, rootHash }: Checkpoint): string {
  if (origin.length === 0 || origin.includes('\n'))
    throw new TypeError('the origin must be one non-empty line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0)
    throw new TypeError('the tree size must be an integer >= 0');
  if (rootHash.length !== HASH_SIZE) throw new TypeError('the root hash must be 32 bytes');
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash).toString('base64')}\n`;
}

/** Parses a checkpoint note text; null when it is not one. Extension lines are allowed and ignored. */
export function parseCheckpointBody(text: string): Checkpoint | null {
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root] = lines;
  if (origin === undefined || size === undefined || root === undefined) return null;
  if (lines.some((line) => line.length === 0)) return null; // "a sequence of at least three non-empty lines"
  // "ASCII decimal … with no leading zeroes (unless the tree is empty)"
  if (!/^(0|[1-9][0-9]*)$/.test(size)) return null;
  const treeSize = Number(size);
  const rootHash = strictBase64(root);
  if (!Number.isSafeInteger(treeSize) || rootHash === null || rootHash.length !== HASH_SIZE) return null;
  return { origin, treeSize, rootHash };
}

/** The full signed checkpoint note for a tree head. */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject, keyName: string): string {
  return signNote(checkpointBody(checkpoint), privateKey, keyName);
}

/** The tree head of a checkpoint note signed by the given key, or null when it is not one. */
export function verifyCheckpointNote(
  noteText: string,
  publicKey: Uint8Array,
  keyName: string,
): Checkpoint | null {
  const text = openNote(noteText, publicKey, keyName);
  return text === null ? null : parseCheckpointBody(text);
}

// ---- text rules -------------------------------------------------------------------------------------------------

/** signed-note: "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)". */
export function isKeyName(name: string): boolean {
  return /^[^\s+]+$/u.test(name) && isNoteSafe(name);
}

export function assertKeyName(name: string): void {
  if (!isKeyName(name))
    throw new TypeError('a key name must be non-empty, without spaces, "+" or control characters');
}

function assertPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE) throw new TypeError('an Ed25519 public key is 32 bytes');
}

function assertSignatureType(signatureType: number): void {
  if (!Number.isInteger(signatureType) || signatureType < 0 || signatureType > 0xff)
    throw new TypeError('a signature type is one byte');
}

/** signed-note: "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters … other than newline". */
export function isNoteSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return false;
  }
  // A lone UTF-16 surrogate has no UTF-8 encoding (in /u mode a well-formed pair is one non-Cs code point).
  return !/\p{Cs}/u.test(text);
}

/** Standard base64 (RFC 4648 §4) in its one canonical spelling, or null; Buffer.from alone accepts anything. */
export function strictBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
