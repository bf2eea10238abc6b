/**
 * The witness cosignatures the ledger has received for its checkpoints (tlog-cosignature), kept in the audit
 * database beside the checkpoints they sign. A checkpoint's stored note stays exactly as the log signed it (the
 * journal and the trail checks compare it byte for byte); its cosignature lines are appended whenever it is served.
 *
 * A line is stored only after the ledger checked it against the witness's key from its policy; a line put into the
 * file behind the server's back is still served, but every client checks cosignatures against its own policy, so it
 * adds nothing a client would count.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface StoredCosignature {
  treeSize: number;
  /** The witness's key name, as its signature line and the policy's `witness` line carry it. */
  witness: string;
  /** The whole signature line, `— <name> <base64>` and its newline. */
  line: string;
  /** When the ledger received it (ISO 8601). */
  receivedAt: string;
}

interface CosignatureRow {
  tree_size: number;
  witness: string;
  line: string;
  received_at: string;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS cosignatures (
  tree_size   INTEGER NOT NULL,
  witness     TEXT    NOT NULL,
  line        TEXT    NOT NULL,
  received_at TEXT    NOT NULL,
  PRIMARY KEY (tree_size, witness)
);
`;

const toCosignature = (row: CosignatureRow): StoredCosignature => ({
  treeSize: row.tree_size,
  witness: row.witness,
  line: row.line,
  receivedAt: row.received_at,
});

export class CosignatureStore {
  private readonly stmt: {
    upsert: BetterSqlite3.Statement<[number, string, string, string]>;
    forSize: BetterSqlite3.Statement<[number], CosignatureRow>;
    forSizes: BetterSqlite3.Statement<[number, number], CosignatureRow>;
    latestOf: BetterSqlite3.Statement<[string], { tree_size: number | null }>;
  };

  constructor(db: BetterSqlite3.Database) {
    db.exec(SCHEMA_SQL);
    const columns = 'tree_size, witness, line, received_at';
    this.stmt = {
      // A witness cosigns a size once; a newer line from it for the same size (a retried call) replaces the old.
      upsert: db.prepare(
        `INSERT INTO cosignatures (${columns}) VALUES (?, ?, ?, ?)
         ON CONFLICT (tree_size, witness) DO UPDATE SET line = excluded.line, received_at = excluded.received_at`,
      ),
      forSize: db.prepare(`SELECT ${columns} FROM cosignatures WHERE tree_size = ? ORDER BY witness`),
      forSizes: db.prepare(
        `SELECT ${columns} FROM cosignatures WHERE tree_size BETWEEN ? AND ? ORDER BY tree_size, witness`,
      ),
      latestOf: db.prepare('SELECT MAX(tree_size) AS tree_size FROM cosignatures WHERE witness = ?'),
    };
  }

  add(cosignature: StoredCosignature): void {
    this.stmt.upsert.run(cosignature.treeSize, cosignature.witness, cosignature.line, cosignature.receivedAt);
  }

  /** The cosignatures of one tree size, by witness name. */
  of(treeSize: number): StoredCosignature[] {
    return this.stmt.forSize.all(treeSize).map(toCosignature);
  }

  /** The largest tree size this witness's cosignature is kept for, if any (where the submitter resumes). */
  latestSizeOf(witness: string): number | undefined {
    return this.stmt.latestOf.get(witness)?.tree_size ?? undefined;
  }

  /** The cosignatures of the sizes from … to (inclusive), for a page of checkpoints. */
  between(from: number, to: number): StoredCosignature[] {
    return this.stmt.forSizes.all(from, to).map(toCosignature);
  }
}
