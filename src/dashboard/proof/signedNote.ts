/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, and the transparency-log checkpoint
 * that is their body (https://c2sp.org/tlog-checkpoint), read in the browser with WebCrypto. The rules are those of
 * the server's writer and reader (src/audit/signedNote.ts), which uses node:crypto.
 *
 * A note may carry signature lines of other keys (witness cosignatures, a future key): they are parsed and kept,
 * for the reader's witness policy (witnessPolicy.ts), and otherwise ignored, as signed-note prescribes.
 */
import { decodeBase64, type Bytes } from './base64';
import { HASH_SIZE } from './rfc9162';

/** A parsed verifier key ("vkey") `<name>+<hex key id>+<base64(type || public key)>`, type 0x01 unless said. */
export interface VerifierKey {
  name: string;
  /** 8 lower-case hex digits. */
  keyId: string;
  publicKey: Bytes;
  /** The vkey text it was read from. */
  text: string;
}

/** One signature line `— <name> <base64(key id || signature)>`, not yet verified. */
export interface NoteSignature {
  name: string;
  keyId: string;
  /** What follows the key id: an Ed25519 signature for a note signer, something longer for a cosigner. */
  signature: Bytes;
}

export interface SignedNote {
  /** The signed text: everything up to the last blank line, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

/** The tree head a checkpoint commits to. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Bytes;
}

/** signed-note "Signature types": 0x01 is Ed25519, 0x04 the timestamped Ed25519 cosignature (cosignature/v1). */
export const ED25519_TYPE = 0x01;
export const COSIGNATURE_V1_TYPE = 0x04;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
/** signed-note: "— " (U+2014 EM DASH, U+0020) opens every signature line. */
const SIGNATURE_PREFIX = '\u2014 ';
/** signed-note: verifiers must accept at least 16 signatures; bound the work an oversized note can cause. */
const MAX_SIGNATURES = 100;
/** A checkpoint note is a few hundred characters; far longer is hostile input. */
const MAX_NOTE_LENGTH = 64 * 1024;
/** The longest signature blob read: a key id, a timestamp and a signature (cosignature/v1) with room to spare. */
const MAX_SIGNATURE_BLOB = 256;

// ---- keys -------------------------------------------------------------------------------------------------------

/** signed-note: key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], in hex. */
async function ed25519KeyId(
  name: string,
  publicKey: Uint8Array,
  signatureType: number = ED25519_TYPE,
): Promise<string> {
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes);
  input.set([0x0a, signatureType], nameBytes.length);
  input.set(publicKey, nameBytes.length + 2);
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  return toHex(hash.subarray(0, KEY_ID_SIZE));
}

/**
 * Reads a verifier key of a signature type (0x01, a log's, unless said; 0x04 a witness's); null when it is not an
 * Ed25519 vkey of that type or its key id does not match its name and key.
 */
export async function parseVerifierKey(
  vkey: unknown,
  signatureType: number = ED25519_TYPE,
): Promise<VerifierKey | null> {
  if (typeof vkey !== 'string' || vkey.length > 1024) return null;
  // The base64 part may itself contain '+', so split on the first two only.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) return null;
  const name = vkey.slice(0, first);
  const keyId = vkey.slice(first + 1, second);
  const typedKey = decodeBase64(vkey.slice(second + 1), 1 + ED25519_PUBLIC_KEY_SIZE);
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(keyId)) return null;
  if (typedKey === null || typedKey.length !== 1 + ED25519_PUBLIC_KEY_SIZE || typedKey[0] !== signatureType)
    return null;
  const publicKey = typedKey.slice(1);
  if ((await ed25519KeyId(name, publicKey, signatureType)) !== keyId) return null;
  return { name, keyId, publicKey, text: vkey };
}

// ---- notes ------------------------------------------------------------------------------------------------------

/** Splits a signed note into its text and signature lines; null when it is not a well-formed note. */
export function parseSignedNote(note: unknown): SignedNote | null {
  if (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH || !isNoteSafe(note)) return null;
  // "the text is separated from the signatures by the last empty line in the note"
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return null;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const signature = parseSignatureLine(line);
    if (signature === null) return null;
    signatures.push(signature);
  }
  return { text: note.slice(0, split + 1), signatures };
}

function parseSignatureLine(line: string): NoteSignature | null {
  if (!line.startsWith(SIGNATURE_PREFIX)) return null;
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return null;
  const name = rest.slice(0, space);
  const blob = decodeBase64(rest.slice(space + 1), MAX_SIGNATURE_BLOB);
  // A key id and at least one byte of signature.
  if (!isKeyName(name) || blob === null || blob.length <= KEY_ID_SIZE) return null;
  return { name, keyId: toHex(blob.subarray(0, KEY_ID_SIZE)), signature: blob.slice(KEY_ID_SIZE) };
}

/**
 * signed-note, "Signatures": the note's lines by this key (same name and key id) must all verify. 'absent' when
 * there is none, so the note says nothing about this key; 'invalid' when one of them fails.
 */
export async function verifyNoteSignature(
  note: SignedNote,
  key: VerifierKey,
): Promise<'valid' | 'invalid' | 'absent'> {
  const byKey = note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (byKey.length === 0) return 'absent';
  const message = new TextEncoder().encode(note.text);
  for (const { signature } of byKey) {
    if (!(await verifyEd25519(key.publicKey, message, signature))) return 'invalid';
  }
  return 'valid';
}

export async function verifyEd25519(publicKey: Bytes, message: Bytes, signature: Bytes): Promise<boolean> {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch {
    return false; // a public key that is not a point on the curve verifies nothing
  }
}

// ---- checkpoints ------------------------------------------------------------------------------------------------

/**
 * tlog-checkpoint "Note text": origin, decimal tree size, base64 root hash, one per line, then optional extension
 * lines (ignored); null when the text is not one.
 */
export function parseCheckpointBody(text: string): Checkpoint | null {
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root] = lines;
  if (origin === undefined || size === undefined || root === undefined) return null;
  if (lines.some((line) => line.length === 0)) return null; // "a sequence of at least three non-empty lines"
  // "ASCII decimal … with no leading zeroes (unless the tree is empty)"
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) return null;
  const treeSize = Number(size);
  const rootHash = decodeBase64(root, HASH_SIZE);
  if (!Number.isSafeInteger(treeSize) || rootHash === null || rootHash.length !== HASH_SIZE) return null;
  return { origin, treeSize, rootHash };
}

// ---- text rules -------------------------------------------------------------------------------------------------

/** signed-note: "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)". */
function isKeyName(name: string): boolean {
  return /^[^\s+]+$/u.test(name) && isNoteSafe(name);
}

/** signed-note: "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters … other than newline". */
function isNoteSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return false;
  }
  // A lone UTF-16 surrogate has no UTF-8 encoding (in /u mode a well-formed pair is one non-Cs code point).
  return !/\p{Cs}/u.test(text);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
