/**
 * The checkpoint signing key: one Ed25519 private key in a PKCS #8 PEM file readable by the server's user only.
 * It never leaves the server (QUALITY.md S3); clients get the public half as a C2SP verifier key.
 */
import type { KeyObject } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeNewPrivateFile } from '../dataDir';
import { generateSigningKey } from './signedNote';

export interface LoadedSigningKey {
  key: KeyObject;
  /** True when this call created the file. */
  created: boolean;
  /** True when group or others may read the file (it should be 0600). */
  looseMode: boolean;
}

/**
 * Reads the key at `file`; when the file does not exist and `createIfMissing` is set, generates one and writes it
 * with mode 0600 (fsynced: a key lost to a power cut would orphan every checkpoint signed with it).
 */
export function loadSigningKey(file: string, createIfMissing: boolean): LoadedSigningKey {
  if (!fs.existsSync(file)) {
    if (!createIfMissing) throw new Error(`no checkpoint signing key at ${file}`);
    const created = createKeyFile(file);
    if (created) return { key: created, created: true, looseMode: false };
    // Another process created it between our check and our write: read theirs.
  }
  const key = createPrivateKey(fs.readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the checkpoint signing key at ${file} is ${key.asymmetricKeyType}, not Ed25519`);
  }
  return { key, created: false, looseMode: (fs.statSync(file).mode & 0o077) !== 0 };
}

/** Writes a new key with O_EXCL; null when the file appeared meanwhile. */
function createKeyFile(file: string): KeyObject | null {
  const key = generateSigningKey();
  const pem = String(key.export({ format: 'pem', type: 'pkcs8' }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeNewPrivateFile(file, pem);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  return key;
}
