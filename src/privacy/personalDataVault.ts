/**
 * Personal data at rest: each person's name, email and phone are sealed with AES-256-GCM under a key of their own.
 * The keys live in their own SQLite file (never in the event store), so erasure deletes one key and leaves every
 * event, and every Merkle proof over it, intact: the ciphertext stays, and nobody can open it any more.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { PersonalData, SealedPersonal } from '../domain/events';

export interface SealResult {
  sealed: SealedPersonal;
  keyId: string;
}

export interface VaultOptions {
  /**
   * A replica's view of the writer's key store: opened read-only (the file must exist), it never creates a key, and
   * it sees an erasure the moment the writer commits it (see keyFor), so no instance shows a shredded name.
   */
  readOnly?: boolean;
}

export class PersonalDataVault {
  private readonly db: Database.Database;
  private readonly getKey: Database.Statement<[string], { key: Buffer }>;
  private readonly cache = new Map<string, Buffer | null>();
  private readonly readOnly: boolean;
  /** The key file's change counter when the cache was last known to match it (read-only vaults). */
  private seenVersion = -1;

  constructor(file: string, options: VaultOptions = {}) {
    this.readOnly = options.readOnly ?? false;
    if (this.readOnly) {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.getKey = this.db.prepare('SELECT key FROM person_keys WHERE key_id = ?');
      return;
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Deleted keys are overwritten with zeros in the file, not merely unlinked from the b-tree.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`CREATE TABLE IF NOT EXISTS person_keys (
      key_id     TEXT PRIMARY KEY,
      key        BLOB NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS erased_keys (
      key_id    TEXT PRIMARY KEY,
      erased_at TEXT NOT NULL
    );`);
    this.getKey = this.db.prepare('SELECT key FROM person_keys WHERE key_id = ?');
  }

  /** The key id of a person: one key per person, so erasing it shreds exactly that person's data. */
  static keyIdFor(personId: string): string {
    return `person-key-${personId}`;
  }

  private keyFor(keyId: string, create: boolean): Buffer | null {
    if (this.readOnly) {
      if (create) throw new Error('this personal-data key store is open read-only (a replica)');
      // Another process (the writer) changed the file: a key it shredded must not be served from this cache. The
      // counter costs one pragma per lookup, a fraction of the decryption it guards.
      const version = this.db.pragma('data_version', { simple: true }) as number;
      if (version !== this.seenVersion) {
        this.cache.clear();
        this.seenVersion = version;
      }
    }
    const cached = this.cache.get(keyId);
    if (cached !== undefined) return cached;
    let key = this.getKey.get(keyId)?.key ?? null;
    if (!key && create) {
      const erased = this.db.prepare('SELECT 1 FROM erased_keys WHERE key_id = ?').get(keyId);
      if (erased) throw new Error(`key ${keyId} was erased and cannot be re-created`);
      key = randomBytes(32);
      this.db
        .prepare('INSERT INTO person_keys(key_id, key, created_at) VALUES (?, ?, ?)')
        .run(keyId, key, new Date().toISOString());
    }
    // A read-only vault keeps no miss: the writer creates a person's key before it appends the registration.
    if (key !== null || !this.readOnly) this.cache.set(keyId, key);
    return key;
  }

  seal(personId: string, personal: PersonalData): SealResult {
    const keyId = PersonalDataVault.keyIdFor(personId);
    const key = this.keyFor(keyId, true) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The person id is bound in as associated data, so a sealed box cannot be moved to another person.
    cipher.setAAD(Buffer.from(personId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final()]);
    return {
      keyId,
      sealed: {
        alg: 'A256GCM',
        iv: iv.toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
      },
    };
  }

  /** The personal data, or null when the key has been erased (or the box does not open). */
  open(personId: string, keyId: string, sealed: SealedPersonal): PersonalData | null {
    const key = this.keyFor(keyId, false);
    if (!key) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(personId, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as PersonalData;
    } catch {
      return null;
    }
  }

  isErased(keyId: string): boolean {
    return this.db.prepare('SELECT 1 FROM erased_keys WHERE key_id = ?').get(keyId) !== undefined;
  }

  /** Crypto-shredding: deletes the key (zeroed in the file) and checkpoints the WAL so no copy lingers there. */
  erase(keyId: string): void {
    if (this.readOnly) throw new Error('this personal-data key store is open read-only (a replica)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM person_keys WHERE key_id = ?').run(keyId);
      this.db
        .prepare('INSERT OR IGNORE INTO erased_keys(key_id, erased_at) VALUES (?, ?)')
        .run(keyId, new Date().toISOString());
    })();
    this.cache.set(keyId, null);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}
