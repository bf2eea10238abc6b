/**
 * Idempotency-Key (API.md): the first response to a (caller, route, key) is stored durably; repeating the key with
 * the same request returns it and appends nothing; the same key with another request is a mismatch, which the
 * route refuses. Concurrent repeats wait for the first to finish rather than racing it.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalJson } from '../audit/canonicalJson';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type IdempotencyOutcome =
  | { kind: 'fresh'; response: StoredResponse }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' };

export class IdempotencyStore {
  private readonly db: Database.Database;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      scope        TEXT PRIMARY KEY,
      request_hash TEXT NOT NULL,
      status       INTEGER NOT NULL,
      body         TEXT NOT NULL,
      headers      TEXT NOT NULL,
      created_at   TEXT NOT NULL
    )`);
  }

  static scopeOf(principal: string, route: string, key: string): string {
    return createHash('sha256').update(`${principal}\u0000${route}\u0000${key}`).digest('hex');
  }

  /** The same request is the same JSON whatever the order of its keys, so the hash is over its canonical form. */
  static hashRequest(value: unknown): string {
    return createHash('sha256').update(canonicalJson(value)).digest('hex');
  }

  private lookup(
    scope: string,
  ): { request_hash: string; status: number; body: string; headers: string } | undefined {
    return this.db
      .prepare('SELECT request_hash, status, body, headers FROM idempotency_keys WHERE scope = ?')
      .get(scope) as { request_hash: string; status: number; body: string; headers: string } | undefined;
  }

  /**
   * Runs `execute` once per scope. Only successful (2xx) responses are remembered: a failed command may be retried
   * with the same key once its cause is fixed.
   */
  async run(
    scope: string,
    requestHash: string,
    execute: () => Promise<StoredResponse>,
  ): Promise<IdempotencyOutcome> {
    for (;;) {
      const stored = this.lookup(scope);
      if (stored) {
        if (stored.request_hash !== requestHash) return { kind: 'mismatch' };
        return {
          kind: 'replay',
          response: {
            status: stored.status,
            body: JSON.parse(stored.body) as unknown,
            headers: JSON.parse(stored.headers) as Record<string, string>,
          },
        };
      }
      const running = this.inFlight.get(scope);
      if (running) {
        await running.catch(() => undefined);
        continue;
      }
      const attempt = execute();
      this.inFlight.set(scope, attempt);
      try {
        const response = await attempt;
        if (response.status >= 200 && response.status < 300) {
          this.db
            .prepare(
              'INSERT OR IGNORE INTO idempotency_keys(scope, request_hash, status, body, headers, created_at) VALUES (?, ?, ?, ?, ?, ?)',
            )
            .run(
              scope,
              requestHash,
              response.status,
              JSON.stringify(response.body),
              JSON.stringify(response.headers),
              new Date().toISOString(),
            );
        }
        return { kind: 'fresh', response };
      } finally {
        this.inFlight.delete(scope);
      }
    }
  }

  close(): void {
    this.db.close();
  }
}
