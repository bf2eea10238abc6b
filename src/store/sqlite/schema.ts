/**
 * The SQLite event log. One row per event; `global_position` is the rowid (64-bit), dense from the genesis
 * position. Triggers refuse UPDATE and DELETE so that even a plain SQLite connection cannot rewrite history
 * without first dropping them (which the audit's verify then catches).
 */
export const EVENTS_SCHEMA_VERSION = 1;

export const eventsSchemaSql = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  event_id        TEXT    NOT NULL,
  stream_id       TEXT    NOT NULL,
  stream_revision INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  schema_version  INTEGER NOT NULL,
  recorded_at     TEXT    NOT NULL,
  occurred_at     TEXT    NOT NULL,
  actor           TEXT    NOT NULL,
  correlation_id  TEXT    NOT NULL,
  causation_id    TEXT,
  data            TEXT    NOT NULL,
  data_key_id     TEXT,
  seal_key_id     TEXT,
  seal            BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events(event_id);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events(stream_id, stream_revision);
-- No index on (type, global_position): reading in global order through it sorts every match again per page, while a
-- rowid range scan skips other types cheaply, and appends would pay for it. A file made with it loses it here.
DROP INDEX IF EXISTS events_type_position;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are immutable: UPDATE is refused');
END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are immutable: DELETE is refused');
END;
-- Seals (store/eventSeal.ts): each event is stored with its writer's seal (seal_key_id, seal). When an operator
-- seals stored events anew under another key (\`ledger audit recover\`), those seals go here: insert-only like the
-- events, beside the first ones, never replacing them.
CREATE TABLE IF NOT EXISTS event_reseals (
  key_id          TEXT    NOT NULL,
  global_position INTEGER NOT NULL,
  seal            BLOB    NOT NULL,
  PRIMARY KEY (key_id, global_position)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS event_reseals_no_update BEFORE UPDATE ON event_reseals
BEGIN
  SELECT RAISE(ABORT, 'seals are immutable: UPDATE is refused');
END;
CREATE TRIGGER IF NOT EXISTS event_reseals_no_delete BEFORE DELETE ON event_reseals
BEGIN
  SELECT RAISE(ABORT, 'seals are immutable: DELETE is refused');
END;
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** Columns an events table made before seals lacks: added in place (ALTER TABLE ADD COLUMN changes no row). */
export const SEAL_COLUMNS_SQL = [
  'ALTER TABLE events ADD COLUMN seal_key_id TEXT',
  'ALTER TABLE events ADD COLUMN seal BLOB',
];

export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_revision: number;
  type: string;
  schema_version: number;
  recorded_at: string;
  occurred_at: string;
  actor: string;
  correlation_id: string;
  causation_id: string | null;
  data: string;
  data_key_id: string | null;
}

/** The envelope's columns; every row also has its seal (`seal_key_id`, `seal`), read only by the seal check. */
export const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_revision, type, schema_version, recorded_at, occurred_at, actor, correlation_id, causation_id, data, data_key_id';

/** Every column of the events table, the seal's included. */
export const STORED_COLUMNS = [...EVENT_COLUMNS.split(', '), 'seal_key_id', 'seal'];
