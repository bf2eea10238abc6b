/**
 * Witness cosignatures, C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), Ed25519 `cosignature/v1`:
 * a note signature of signature type 0x04 (signed-note, "Signature types") on a checkpoint, whose signature is a
 * `timestamped_signature` (u64 big-endian POSIX seconds, then the 64-byte Ed25519 signature) over
 *
 *     cosignature/v1\n
 *     time <timestamp>\n
 *     <the whole checkpoint note text, final newline included, signature lines not>
 *
 * and whose key ID is SHA-256(name || 0x0A || 0x04 || public key)[:4]. The same formats are read and written by
 * Go's filippo.io/torchwood (litewitness), sigsum-go and the transparency-dev witness, so a witness that no one here
 * wrote can cosign our checkpoints and we can check its cosignatures.
 *
 * The ML-DSA-44 type (0x06, `subtree/v1`) of the same specification is not implemented. Checking a quorum of
 * cosignatures (tlog-policy) is not done here either: this file only says whether one witness cosigned a note.
 */
import type { KeyObject } from 'node:crypto';
import { sign } from 'node:crypto';
import {
  KEY_ID_SIZE,
  assertKeyName,
  encodeVerifierKey,
  isNoteSafe,
  keyId,
  parseCheckpointBody,
  parseSignatureLines,
  parseVerifierKey,
  publicKeyFromPrivate,
  signatureLine,
  splitNote,
  verifyEd25519,
  type SignatureLine,
  type VerifierKey,
} from './signedNote';

/** signed-note "Signature types": 0x04 is the timestamped Ed25519 checkpoint cosignature of tlog-cosignature. */
export const COSIGNATURE_V1_TYPE = 0x04;
/** The header line of the signed message, for domain separation from note signatures (type 0x01). */
export const COSIGNATURE_V1_HEADER = 'cosignature/v1';

const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
/** key ID || timestamped_signature { u64 timestamp; opaque ed25519_signature[64]; } */
const COSIGNATURE_BLOB_SIZE = KEY_ID_SIZE + TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;
/** "It MUST NOT exceed 2^63 - 1". */
const MAX_SPEC_TIMESTAMP = (1n << 63n) - 1n;

/** One parsed (not verified) cosignature line. */
export interface Cosignature {
  /** The cosigner's key name, as on the signature line. */
  name: string;
  /** The 4-byte key ID on the line. */
  keyId: Buffer;
  /** POSIX seconds at which the cosigner says it signed. */
  timestamp: number;
  /** The 64-byte Ed25519 signature. */
  signature: Buffer;
}

// ---- keys -------------------------------------------------------------------------------------------------------

/** tlog-cosignature: key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Buffer {
  return keyId(name, publicKey, COSIGNATURE_V1_TYPE);
}

/** The witness's vkey, `<name>+<hex key ID>+<base64(0x04 || public key)>`, as a tlog-policy `witness` line holds it. */
export function encodeWitnessVerifierKey(name: string, publicKey: Uint8Array): string {
  return encodeVerifierKey(name, publicKey, COSIGNATURE_V1_TYPE);
}

/** Parses a witness vkey; throws a TypeError for any other, a note-signing (0x01) vkey included. */
export function parseWitnessVerifierKey(vkey: string): VerifierKey {
  return parseVerifierKey(vkey, COSIGNATURE_V1_TYPE);
}

// ---- signing ----------------------------------------------------------------------------------------------------

/**
 * tlog-cosignature "Ed25519 signed message": the header line, the timestamp line (ASCII decimal, no leading zeroes)
 * and the checkpoint note text, which must end in its newline.
 */
export function cosignatureMessage(checkpointText: string, timestamp: number): Buffer {
  assertTimestamp(timestamp);
  if (!checkpointText.endsWith('\n')) throw new TypeError('a checkpoint note text ends in a newline');
  return Buffer.from(`${COSIGNATURE_V1_HEADER}\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/**
 * Cosigns a checkpoint note text (origin, size, root hash and any extension lines, final newline included) at a
 * POSIX time in seconds, and returns the signature line to append to the checkpoint's note:
 * `— <name> <base64(key ID || u64 big-endian timestamp || Ed25519 signature)>` and its newline.
 * Only the checkpoint's signer can be trusted about the text; the caller must have verified it, and its consistency
 * with what this witness cosigned before, since that is what the cosignature states.
 */
export function cosign(
  checkpointText: string,
  privateKey: KeyObject,
  name: string,
  timestamp: number,
): string {
  assertKeyName(name);
  assertCheckpointText(checkpointText);
  const publicKey = publicKeyFromPrivate(privateKey);
  const signature = sign(null, cosignatureMessage(checkpointText, timestamp), privateKey);
  const time = Buffer.alloc(TIMESTAMP_SIZE);
  time.writeBigUInt64BE(BigInt(timestamp));
  return signatureLine(name, Buffer.concat([cosignatureKeyId(name, publicKey), time, signature]));
}

// ---- verifying --------------------------------------------------------------------------------------------------

/**
 * Parses one cosignature line (its final newline optional) without verifying it; null when it is not a note
 * signature line carrying a key ID, a timestamp within 2^63 - 1 and a 64-byte signature. A timestamp beyond
 * Number.MAX_SAFE_INTEGER (about 285 million years ahead) is refused too, as the specification lets verifiers refuse
 * timestamps in the future.
 */
export function parseCosignature(line: string): Cosignature | null {
  if (!isNoteSafe(line)) return null;
  const lines = parseSignatureLines(line.endsWith('\n') ? line : `${line}\n`);
  const [only] = lines ?? [];
  return only === undefined || lines?.length !== 1 ? null : fromSignatureLine(only);
}

/**
 * Verifies one cosignature line over a checkpoint note text against a witness vkey (as parseWitnessVerifierKey
 * gives it) and returns its timestamp, or null when the line is not that witness's cosignature of that checkpoint.
 */
export function verifyCosignatureLine(
  checkpointText: string,
  line: string,
  witness: VerifierKey,
): number | null {
  if (!isCheckpointText(checkpointText)) return null;
  const cosignature = parseCosignature(line);
  if (cosignature === null || !isWitnessKey(cosignature.name, cosignature.keyId, witness)) return null;
  return verifies(checkpointText, cosignature, witness) ? cosignature.timestamp : null;
}

/**
 * Verifies a witness's cosignature on a checkpoint note (text, blank line, signature lines) and returns the time it
 * gives, or null. As signed-note says, lines of other keys are ignored (the log's own signature, other witnesses,
 * unknown types), a line with the witness's name and key ID that does not verify rejects the note, and so does a note
 * with no line of the witness. When the witness cosigned more than once, the latest time is returned. The log's own
 * signature is not checked here (verifyCheckpointNote does that).
 */
export function verifyCosignature(note: string, witness: VerifierKey): number | null {
  const parts = splitNote(note);
  if (parts === null || !isCheckpointText(parts.text)) return null;
  let latest: number | null = null;
  for (const line of parts.signatures) {
    if (!isWitnessKey(line.name, line.blob.subarray(0, KEY_ID_SIZE), witness)) continue;
    const cosignature = fromSignatureLine(line);
    if (cosignature === null || !verifies(parts.text, cosignature, witness)) return null;
    latest = latest === null ? cosignature.timestamp : Math.max(latest, cosignature.timestamp);
  }
  return latest;
}

// ---- internals --------------------------------------------------------------------------------------------------

function fromSignatureLine({ name, blob }: SignatureLine): Cosignature | null {
  if (blob.length !== COSIGNATURE_BLOB_SIZE) return null;
  const time = blob.readBigUInt64BE(KEY_ID_SIZE);
  if (time > MAX_SPEC_TIMESTAMP || time > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    name,
    keyId: blob.subarray(0, KEY_ID_SIZE),
    timestamp: Number(time),
    signature: blob.subarray(KEY_ID_SIZE + TIMESTAMP_SIZE),
  };
}

/**
 * signed-note: "the tuple of key name and key ID uniquely identifies the key". The ID is recomputed with type 0x04
 * from the witness's name and key, and the witness must carry that ID too: a VerifierKey of another type (a log's
 * 0x01 vkey of the same key) is not a witness and matches no cosignature line.
 */
function isWitnessKey(name: string, id: Buffer, witness: VerifierKey): boolean {
  const expected = cosignatureKeyId(witness.keyName, witness.publicKey);
  return name === witness.keyName && witness.keyId.equals(expected) && id.equals(expected);
}

function verifies(checkpointText: string, cosignature: Cosignature, witness: VerifierKey): boolean {
  const message = cosignatureMessage(checkpointText, cosignature.timestamp);
  return verifyEd25519(witness.publicKey, message, cosignature.signature);
}

/** A cosignature is "applied to a checkpoint": origin, size, root hash, then any non-empty extension lines. */
function isCheckpointText(text: string): boolean {
  return isNoteSafe(text) && parseCheckpointBody(text) !== null;
}

function assertCheckpointText(text: string): void {
  if (!isCheckpointText(text))
    throw new TypeError('only a checkpoint note text (tlog-checkpoint) is cosigned');
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new TypeError('a cosignature timestamp is an integer number of seconds >= 0');
}
