/**
 * Every signed checkpoint the log has issued, kept for good: an auditor may hold any of them and ask for a
 * consistency proof from it. Lives in the audit database beside the Merkle tree.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface StoredCheckpoint {
  /** The log's name, the first line of the note (and the signing key's name). */
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** The whole C2SP signed note, as issued. */
  note: string;
  createdAt: string;
}

interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  note: string;
  created_at: string;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  BLOB    NOT NULL,
  note       TEXT    NOT NULL,
  created_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  const firstLine = row.note.indexOf('\n');
  return {
    origin: firstLine < 0 ? row.note : row.note.slice(0, firstLine),
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    note: row.note,
    createdAt: row.created_at,
  };
}

export class CheckpointStore {
  private readonly stmt: {
    insert: BetterSqlite3.Statement<[number, Buffer, string, string]>;
    latest: BetterSqlite3.Statement<[], CheckpointRow>;
    page: BetterSqlite3.Statement<[number, number], CheckpointRow>;
    all: BetterSqlite3.Statement<[], CheckpointRow>;
    getMeta: BetterSqlite3.Statement<[string], { value: string }>;
    setMeta: BetterSqlite3.Statement<[string, string]>;
  };

  constructor(db: BetterSqlite3.Database) {
    db.exec(SCHEMA_SQL);
    const columns = 'tree_size, root_hash, note, created_at';
    this.stmt = {
      // Two processes that sign the same tree size sign the same root (Ed25519 is deterministic): keep the first.
      insert: db.prepare(`INSERT OR IGNORE INTO checkpoints (${columns}) VALUES (?, ?, ?, ?)`),
      latest: db.prepare(`SELECT ${columns} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`),
      page: db.prepare(`SELECT ${columns} FROM checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?`),
      all: db.prepare(`SELECT ${columns} FROM checkpoints ORDER BY tree_size`),
      getMeta: db.prepare('SELECT value FROM audit_meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO audit_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /** Stores the checkpoint; false when one of its tree size was already stored (and is kept). */
  add(checkpoint: Omit<StoredCheckpoint, 'origin'>): boolean {
    return (
      this.stmt.insert.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note, checkpoint.createdAt)
        .changes === 1
    );
  }

  latest(): StoredCheckpoint | undefined {
    const row = this.stmt.latest.get();
    return row ? toCheckpoint(row) : undefined;
  }

  /** Checkpoints with treeSize ≥ fromSize, oldest first. */
  page(fromSize: number, limit: number): StoredCheckpoint[] {
    return this.stmt.page.all(fromSize, limit).map(toCheckpoint);
  }

  /** Every checkpoint, oldest first (one per N events: thousands at most for millions of events). */
  all(): StoredCheckpoint[] {
    return this.stmt.all.all().map(toCheckpoint);
  }

  meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.setMeta.run(key, value);
  }
}
