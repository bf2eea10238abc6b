/**
 * The witness's key file: its key name on a first line of its own, then its Ed25519 private key as a PKCS #8 PEM
 * block (as src/audit/signingKey.ts writes the ledger's key). The name travels with the key because the vkey and
 * every cosignature line carry it; PEM readers (OpenSSL, node:crypto createPrivateKey) skip text before the
 * "-----BEGIN" line, so `openssl pkey -in KEYFILE` still reads the file.
 *
 *   witness key name: witness.example/w1
 *   -----BEGIN PRIVATE KEY-----
 *   MC4CAQAwBQYDK2VwBCIEI…
 *   -----END PRIVATE KEY-----
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { syncFolder, writeNewPrivateFile } from '../dataDir';
import { encodeWitnessVerifierKey } from '../audit/cosignature';
import { generateSigningKey, isKeyName, publicKeyFromPrivate } from '../audit/signedNote';
import type { WitnessKey } from '../audit/witness';

const NAME_LINE_PREFIX = 'witness key name: ';

/** A key file that cannot be used, in words an operator can act on (the CLI exits 2 with it). */
export class WitnessKeyError extends Error {
  override readonly name = 'WitnessKeyError';
}

/** A loaded key and the vkey (type 0x04) that verifies its cosignatures. */
export interface LoadedWitnessKey extends WitnessKey {
  vkey: string;
}

/**
 * Generates a key named `name` and writes it to `file`: created with O_EXCL (an existing file, even an empty one,
 * is never overwritten: the key it held may be the one the world trusts), mode 0600, fsynced with its folder.
 */
export function createWitnessKeyFile(file: string, name: string): LoadedWitnessKey {
  if (!isKeyName(name))
    throw new WitnessKeyError(
      `"${name}" is not a key name: non-empty, without spaces, "+" or control characters`,
    );
  const privateKey = generateSigningKey();
  const text = `${NAME_LINE_PREFIX}${name}\n${String(privateKey.export({ format: 'pem', type: 'pkcs8' }))}`;
  try {
    writeNewPrivateFile(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new WitnessKeyError(`${file} already exists; a key file is never overwritten`);
    throw new WitnessKeyError(`cannot create ${file}: ${code ?? String(error)}`);
  }
  syncFolder(path.dirname(file));
  return withVkey(name, privateKey);
}

/**
 * Reads a key file. Refused, as an SSH client refuses a private key others can read: a file readable or writable
 * by group or others; also a file without the name line, with an invalid name, or without an Ed25519 key.
 */
export function loadWitnessKeyFile(file: string): LoadedWitnessKey {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new WitnessKeyError(`cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new WitnessKeyError(
      `the key file ${file} is open to group or others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${file}`,
    );
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  if (!first.startsWith(NAME_LINE_PREFIX))
    throw new WitnessKeyError(
      `${file} is not a witness key file: its first line is not "${NAME_LINE_PREFIX}<name>" (ledger witness keygen writes one)`,
    );
  const name = first.slice(NAME_LINE_PREFIX.length);
  if (!isKeyName(name)) throw new WitnessKeyError(`${file}: "${name}" is not a valid key name`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text.slice(newline + 1));
  } catch {
    throw new WitnessKeyError(`${file} holds no readable PKCS #8 PEM private key after its name line`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new WitnessKeyError(`${file} holds a ${privateKey.asymmetricKeyType} key, not Ed25519`);
  return withVkey(name, privateKey);
}

function withVkey(name: string, privateKey: KeyObject): LoadedWitnessKey {
  return { name, privateKey, vkey: encodeWitnessVerifierKey(name, publicKeyFromPrivate(privateKey)) };
}
