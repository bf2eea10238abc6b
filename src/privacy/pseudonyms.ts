/**
 * Pseudonyms for person ids in evaluator reads and research exports: HMAC-SHA-256 under a server secret, stable
 * across reads and exports (so researchers can link records) but not reversible without the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class Pseudonyms {
  private readonly cache = new Map<string, string>();

  constructor(private readonly secret: Buffer) {}

  /** Reads the secret from the data directory, creating it (owner-only) on first use. */
  static open(dataDir: string): Pseudonyms {
    const file = path.join(dataDir, 'pseudonym-secret');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return new Pseudonyms(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
  }

  of(personId: string): string {
    let p = this.cache.get(personId);
    if (p === undefined) {
      p = `p-${createHmac('sha256', this.secret).update(personId).digest('hex').slice(0, 20)}`;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(personId, p);
    }
    return p;
  }
}
