/**
 * Witnesses for tests of clients that require a witness policy: Ed25519 keys, their cosignature/v1 vkeys (type 0x04)
 * and cosignature lines appended to a checkpoint note, as a witness would answer and the server would serve them.
 */
import { sign, type KeyObject } from 'node:crypto';
import { cosign, cosignatureKeyId, encodeWitnessVerifierKey } from '../../src/audit/cosignature';
import {
  generateSigningKey,
  publicKeyFromPrivate,
  signatureLine,
  splitNote,
} from '../../src/audit/signedNote';

export interface TestWitness {
  name: string;
  key: KeyObject;
  vkey: string;
}

export function makeWitness(name: string): TestWitness {
  const key = generateSigningKey();
  return { name, key, vkey: encodeWitnessVerifierKey(name, publicKeyFromPrivate(key)) };
}

/** The note's checkpoint text (signature lines left off). */
export function noteText(note: string): string {
  const parts = splitNote(note);
  if (parts === null) throw new Error('not a signed note');
  return parts.text;
}

/** One witness's cosignature line of the checkpoint of `note`. */
export function cosignatureLine(note: string, witness: TestWitness, timestamp = 1_700_000_000): string {
  return cosign(noteText(note), witness.key, witness.name, timestamp);
}

/** The note with the cosignature lines of `witnesses` appended. */
export function cosignedBy(
  note: string,
  witnesses: readonly TestWitness[],
  timestamp = 1_700_000_000,
): string {
  return note + witnesses.map((w) => cosignatureLine(note, w, timestamp)).join('');
}

/** The same line with one bit of its signature flipped (its name and key id kept). */
export function corruptedLine(line: string): string {
  const [dash, name, blob] = line.trimEnd().split(' ') as [string, string, string];
  const bytes = Buffer.from(blob, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}

/** The same line with its timestamp set to `time` (a u64), its signature left as it was. */
export function retimedLine(line: string, time: bigint): string {
  const [dash, name, blob] = line.trimEnd().split(' ') as [string, string, string];
  const bytes = Buffer.from(blob, 'base64');
  bytes.writeBigUInt64BE(time, 4);
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}

/**
 * A cosignature line really signed at any u64 time, also those cosign() refuses (beyond 2^53, beyond 2^63 - 1):
 * the signature verifies, so only a verifier's check of the timestamp can refuse it.
 */
export function cosignatureLineAt(note: string, witness: TestWitness, time: bigint): string {
  const message = Buffer.from(`cosignature/v1\ntime ${time}\n${noteText(note)}`, 'utf8');
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(time);
  const id = cosignatureKeyId(witness.name, publicKeyFromPrivate(witness.key));
  return signatureLine(witness.name, Buffer.concat([id, timestamp, sign(null, message, witness.key)]));
}
