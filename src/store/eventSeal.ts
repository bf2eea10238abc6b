/**
 * The writer's seal on each event: HMAC-SHA256, under a key kept outside the event store, of every field the Merkle
 * leaf covers (API.md "Leaf hash") in the text the store keeps. The ledger's own write path seals what it appends;
 * a row inserted or altered directly in the database file carries no seal that matches, so the audit log refuses to
 * take it into the tree and sign it. This stops someone who holds the database file; someone who also holds this key
 * (the server itself) is stopped only by checkpoints held outside (docs/audit.md). It lives beside the store port
 * because sealing is part of every adapter's write path; the audit log asks the store to check seals (EventSeals).
 *
 * The key file holds 64 random base64url characters (384 bits); its id (16 hex digits of a hash of the key) is stored beside every seal, so a
 * new key (an operator starting a new history, `ledger audit recover --new-history`) seals anew beside the old seals,
 * which stay: nothing in the event store is ever updated or deleted.
 */
import crypto, { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { writeNewPrivateFile } from '../dataDir';
import path from 'node:path';

/** An event's fields as the store keeps them: JSON texts for `actor` and `data`, null for an absent optional. */
export interface SealedFields {
  globalPosition: number;
  eventId: string;
  streamId: string;
  streamRevision: number;
  type: string;
  schemaVersion: number;
  recordedAt: string;
  occurredAt: string;
  /** JSON text of `{principal, role}`. */
  actorJson: string;
  correlationId: string;
  causationId: string | null;
  /** JSON text of the event's data, personal data in its encrypted form. */
  dataJson: string;
  dataKeyId: string | null;
}

export const SEAL_SIZE = 32;
const DOMAIN = 'participation-ledger/event-seal/v1\n';
/** A lone surrogate: UTF-8 would write it as U+FFFD, so two different texts could share one seal. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The sealed text: each field as `<length>:<text>\n` (length in UTF-16 code units), absent ones as `-\n`, in the
 * order of SealedFields. Length prefixes make the encoding unambiguous whatever a field contains.
 */
function sealText(f: SealedFields): string {
  return (
    DOMAIN +
    field(String(f.globalPosition)) +
    field(f.eventId) +
    field(f.streamId) +
    field(String(f.streamRevision)) +
    field(f.type) +
    field(String(f.schemaVersion)) +
    field(f.recordedAt) +
    field(f.occurredAt) +
    field(f.actorJson) +
    field(f.correlationId) +
    field(f.causationId) +
    field(f.dataJson) +
    field(f.dataKeyId)
  );
}

function field(text: string | null): string {
  return text === null ? '-\n' : `${text.length}:${text}\n`;
}

/** Base64url of 48 random bytes: the key is these 64 ASCII characters, as bytes (one SHA-256 block). */
const KEY_CHARS = /^[A-Za-z0-9_-]{64}$/;
const FILE_HEADER = 'participation-ledger event seal key v1';

/**
 * SHA-256 in one call where Node has crypto.hash (20.12+), which makes no Hash object per call: sealing runs inside
 * every append's transaction, and HMAC objects cost twice the hashing itself there.
 */
const oneShot: ((data: string | Uint8Array) => Buffer) | undefined =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : undefined;

export class SealKey {
  /** 16 hex digits naming the key (not secret); stored with each seal. */
  readonly id: string;
  /** RFC 2104's K ⊕ ipad and K ⊕ opad. The key is one block of ASCII, so both are ASCII too, usable as text. */
  private readonly innerPad: string;
  private readonly outerPad: Buffer;

  constructor(private readonly secret: string) {
    if (!KEY_CHARS.test(secret)) throw new Error('an event seal key is 64 base64url characters');
    this.id = createHash('sha256')
      .update('participation-ledger/event-seal-key-id\n')
      .update(secret)
      .digest('hex')
      .slice(0, 16);
    const key = Buffer.from(secret, 'ascii');
    this.innerPad = String.fromCharCode(...key.map((b) => b ^ 0x36));
    this.outerPad = Buffer.from(key.map((b) => b ^ 0x5c));
  }

  static generate(): SealKey {
    return new SealKey(randomBytes(48).toString('base64url'));
  }

  seal(fields: SealedFields): Buffer {
    return this.hmac(sealText(fields));
  }

  /** True when `seal` is this key's seal of exactly these fields. */
  matches(fields: SealedFields, seal: Uint8Array): boolean {
    if (seal.length !== SEAL_SIZE) return false;
    const text = sealText(fields);
    if (LONE_SURROGATE.test(text)) return false;
    return timingSafeEqual(this.hmac(text), seal);
  }

  /** HMAC-SHA256 (RFC 2104) of the UTF-8 of `text` under the key; written out with one-shot hashes when possible. */
  hmac(text: string): Buffer {
    if (!oneShot)
      return createHmac('sha256', Buffer.from(this.secret, 'ascii')).update(text, 'utf8').digest();
    const inner = oneShot(this.innerPad + text);
    return oneShot(Buffer.concat([this.outerPad, inner], 96));
  }

  /** The key file's text: a version line and the key. */
  toFileText(): string {
    return `${FILE_HEADER}\n${this.secret}\n`;
  }

  static fromFileText(text: string, file: string): SealKey {
    const [header, body] = text.split('\n');
    if (header !== FILE_HEADER || body === undefined || !KEY_CHARS.test(body)) {
      throw new Error(`${file} is not an event seal key`);
    }
    return new SealKey(body);
  }
}

/** The key in `file`, or undefined when there is none. */
export function readSealKey(file: string): SealKey | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return SealKey.fromFileText(text, file);
}

/**
 * Writes `key` to `file` with mode 0600 and fsyncs it (a key lost to a power cut would leave every seal unverifiable).
 * `replace`: move an existing file aside (`<file>.replaced-<time>`) first, keeping the old key for forensics.
 */
export function writeSealKey(file: string, key: SealKey, options: { replace?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (options.replace && fs.existsSync(file)) {
    fs.renameSync(file, `${file}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  }
  writeNewPrivateFile(file, key.toFileText());
}
