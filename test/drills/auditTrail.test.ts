/**
 * R8, changes behind the server's back: with the server stopped, someone with the files deletes the audit database,
 * removes the last event together with its leaf and checkpoint, inserts a forged row at the end, or alters an event
 * with the immutability triggers dropped. Each time the restarted server (the installed `ledger serve`) must refuse
 * to sign and to record (503, /readyz naming the cause), `ledger verify` must exit 1 naming it, and only an
 * operator's explicit `ledger audit recover` gets it going again — with a new history only when asked, and said so.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from '../../src/store/sqlite/schema';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const ADMIN = 'drill-admin-token-00000001';
const env = (dir: string) => ({
  LEDGER_DATA_DIR: dir,
  LEDGER_API_TOKENS: `admin=${ADMIN}`,
  LEDGER_CHECKPOINT_EVERY_EVENTS: '100',
  LEDGER_CHECKPOINT_ORIGIN: 'drill.example/ledger',
});

interface Readiness {
  status: string;
  checks: { audit: { ok: boolean; state: string; problems?: Array<{ cause: string; position?: number }> } };
}

async function readiness(server: ServerProcess): Promise<Readiness & { httpStatus: number }> {
  const res = await fetch(`${server.url}/readyz`);
  return { httpStatus: res.status, ...((await res.json()) as Readiness) };
}

/** Waits until the audit log has decided (it authenticates the stored events at start). */
async function settled(server: ServerProcess): Promise<Readiness & { httpStatus: number }> {
  for (let i = 0; i < 100; i++) {
    const r = await readiness(server);
    if (
      r.checks.audit.state !== 'checking' &&
      (r.status === 'ready' || r.checks.audit.state === 'refusing')
    ) {
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return readiness(server);
}

function command(server: ServerProcess, n: number): Promise<Response> {
  return fetch(`${server.url}/api/v1/arenas`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `Innbyggertorg ${n}`, areas: [`Område ${n}`] }),
  });
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Lines in the journal; -1 when it is not a file that can be read (so a journal the server made anew shows). */
const journalLines = (dir: string): number => {
  try {
    return fs.readFileSync(path.join(dir, 'checkpoint-journal.ndjson'), 'utf8').split('\n').filter(Boolean)
      .length;
  } catch {
    return -1;
  }
};

/** A forged row: a copy of the event at `position` with `changes`, inserted as a plain connection would. */
function insertCopyOf(db: Database.Database, position: number, changes: Partial<EventRow>): void {
  const row = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE global_position = ?`)
    .get(position) as EventRow;
  const columns = EVENT_COLUMNS.split(', ');
  db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run({
    ...row,
    ...changes,
  });
}

/** An attacker's plain connection to the event file, the immutability triggers dropped first. */
function attack(dir: string, change: (db: Database.Database) => void): void {
  const db = new Database(path.join(dir, 'events.sqlite'));
  db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
  change(db);
  db.close();
}

describe('R8: the audit trail changed behind the server’s back', () => {
  const temp = makeTempDir('ledger-trail-');
  const golden = path.join(temp.dir, 'golden');
  let events = 0;
  afterAll(() => temp.cleanup());

  beforeAll(async () => {
    expect(runLedger(['demo', '--no-serve'], env(golden)).status).toBe(0);
    // One clean run signs checkpoints over the whole trial and stops with a last one.
    const server = await startServerProcess(env(golden), 30_000);
    expect((await settled(server)).status).toBe('ready');
    await stop(server);
    const db = new Database(path.join(golden, 'events.sqlite'), { readonly: true });
    events = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    db.close();
    expect(journalLines(golden)).toBeGreaterThan(10);
  }, 120_000);

  let copies = 0;
  const copy = (): string => {
    const dir = path.join(temp.dir, `copy-${++copies}`);
    fs.cpSync(golden, dir, { recursive: true });
    return dir;
  };

  /** Starts the server on `dir` and checks it refuses for `cause`, and that it signs and records nothing. */
  async function expectRefusal(dir: string, cause: string, position?: number): Promise<void> {
    const before = journalLines(dir);
    const server = await startServerProcess(env(dir), 30_000);
    try {
      const ready = await settled(server);
      expect(ready.httpStatus).toBe(503);
      expect(ready.checks.audit).toMatchObject({ ok: false, state: 'refusing' });
      expect(ready.checks.audit.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ cause, ...(position !== undefined ? { position } : {}) }),
        ]),
      );
      const refused = await command(server, 1);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { type: string }).type).toBe('/api/v1/problems/audit-trail-broken');
      expect(await server.outputMatching(/REFUSING TO SIGN/)).toMatch(/REFUSING TO SIGN/);
      expect(server.output()).toMatch(
        /WARNING: the audit trail does not hold together, so this server records and signs NOTHING/,
      );
      expect(server.output()).toContain(cause);
    } finally {
      await stop(server);
    }
    expect(journalLines(dir)).toBe(before); // nothing was signed, not even at the clean stop
  }

  function expectVerifyFails(dir: string, cause: string, firstBad?: number): void {
    const run = runLedger(['verify'], { LEDGER_DATA_DIR: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${cause}: `));
    if (firstBad !== undefined) expect(run.stdout).toContain(`first bad position: ${firstBad}`);
  }

  test('untouched, the restarted server signs and records as before (the drill starts from a sound ledger)', async () => {
    const dir = copy();
    const server = await startServerProcess(env(dir), 30_000);
    try {
      expect((await settled(server)).checks.audit).toMatchObject({ ok: true, state: 'ok' });
      expect((await command(server, 1)).status).toBe(201);
    } finally {
      await stop(server);
    }
    expect(journalLines(dir)).toBe(journalLines(golden) + 1); // the clean stop signed the new event
    expect(runLedger(['verify'], { LEDGER_DATA_DIR: dir }).status).toBe(0);
  });

  test('the audit database deleted: refused (audit-missing); recover rebuilds it and the same history goes on', async () => {
    const dir = copy();
    for (const suffix of ['', '-wal', '-shm'])
      fs.rmSync(path.join(dir, `audit.sqlite${suffix}`), { force: true });
    await expectRefusal(dir, 'audit-missing');
    expectVerifyFails(dir, 'audit-missing');
    const recover = runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: dir });
    expect(recover.stdout).toMatch(
      /^recovered: .* (\d+) of \1 signed checkpoints on record match the rebuilt tree/m,
    );
    expect(recover.status).toBe(0);
    expect(runLedger(['verify'], { LEDGER_DATA_DIR: dir }).status).toBe(0);
    const server = await startServerProcess(env(dir), 30_000);
    try {
      expect((await settled(server)).status).toBe('ready');
      expect((await command(server, 2)).status).toBe(201);
    } finally {
      await stop(server);
    }
  });

  test('an event altered and the audit database deleted (the attack found): refused; recover refuses; a new history only when asked', async () => {
    const dir = copy();
    attack(dir, (db) =>
      db.prepare("UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 200").run(),
    );
    for (const suffix of ['', '-wal', '-shm'])
      fs.rmSync(path.join(dir, `audit.sqlite${suffix}`), { force: true });
    await expectRefusal(dir, 'audit-missing');
    expectVerifyFails(dir, 'event-seal-mismatch', 200);

    const refused = runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: dir });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/^REFUSED, nothing was changed/m);
    expect(refused.stdout).toMatch(
      /does not match the signed checkpoint of tree size \d+: events it covers were changed/,
    );
    expect(refused.stdout).toContain('the event at position 200 does not match its seal');
    await expectRefusal(dir, 'audit-missing'); // still refusing: nothing was changed

    expect(runLedger(['audit', 'recover', '--new-history'], { LEDGER_DATA_DIR: dir }).status).toBe(2); // no reason
    const restarted = runLedger(
      ['audit', 'recover', '--new-history', '--reason', 'drill: event 200 altered'],
      {
        LEDGER_DATA_DIR: dir,
      },
    );
    expect(restarted.status).toBe(0);
    expect(restarted.stdout).toMatch(/A NEW SIGNED HISTORY starts at tree size/);
    expect(restarted.stdout).toMatch(/are now the ONLY proof of what\s+the ledger held before/);
    const journal = fs.readFileSync(path.join(dir, 'checkpoint-journal.ndjson'), 'utf8');
    expect(journal).toContain('"kind":"history-restarted"');
    expect(journal).toContain('drill: event 200 altered');
    expect(runLedger(['verify'], { LEDGER_DATA_DIR: dir }).status).toBe(0);
    const server = await startServerProcess(env(dir), 30_000);
    try {
      expect((await settled(server)).status).toBe('ready');
    } finally {
      await stop(server);
    }
  });

  test('a ledger from before seals and the journal (neither file): refused (seal-key-missing); recover keeps its history', async () => {
    const dir = copy();
    fs.rmSync(path.join(dir, 'event-seal-key'));
    fs.rmSync(path.join(dir, 'checkpoint-journal.ndjson'));
    const server = await startServerProcess(env(dir), 30_000);
    try {
      const ready = await settled(server);
      expect(ready.checks.audit.problems).toEqual([
        expect.objectContaining({ cause: 'journal-missing' }),
        expect.objectContaining({ cause: 'seal-key-missing' }),
      ]);
      expect((await command(server, 1)).status).toBe(503);
    } finally {
      await stop(server);
    }
    const recover = runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: dir });
    expect(recover.stdout).toMatch(
      new RegExp(
        `^recovered: .*\\n.*${events.toLocaleString('en')} events the verified checkpoints vouch for were sealed`,
        'm',
      ),
    );
    expect(recover.status).toBe(0);
    expect(journalLines(dir)).toBe(journalLines(golden) + 1); // the history, recreated, and the recovery
    expect(runLedger(['verify'], { LEDGER_DATA_DIR: dir }).status).toBe(0);
  });

  test('the last event deleted with its leaf and its checkpoint: refused (store-truncated)', async () => {
    const dir = copy();
    const last = events - 1;
    attack(dir, (db) => db.prepare('DELETE FROM events WHERE global_position = ?').run(last));
    const audit = new Database(path.join(dir, 'audit.sqlite'));
    // Every stored node whose range reaches the last leaf, and every checkpoint that covers it.
    audit.prepare('DELETE FROM merkle_node WHERE (idx + 1) * (1 << level) > ?').run(last);
    audit.prepare('DELETE FROM checkpoints WHERE tree_size > ?').run(last);
    audit.close();
    await expectRefusal(dir, 'store-truncated', last);
    expectVerifyFails(dir, 'store-truncated');
  });

  test('a forged row inserted at the end of the store: refused (event-unsealed) at its position', async () => {
    const dir = copy();
    attack(dir, (db) =>
      insertCopyOf(db, 300, {
        global_position: events,
        event_id: '0190a7c0-0000-7000-8000-00000000f0f0',
        stream_id: 'proposal-0190a7c0-0000-7000-8000-00000000f0f1',
        stream_revision: 0,
      }),
    );
    await expectRefusal(dir, 'event-unsealed', events);
    expectVerifyFails(dir, 'event-unsealed', events);
  });

  test('a forged row put far beyond the end (a gap before it): refused (store-gap), not a follower retrying for ever', async () => {
    const dir = copy();
    attack(dir, (db) =>
      insertCopyOf(db, 300, {
        global_position: events + 1000,
        event_id: '0190a7c0-0000-7000-8000-00000000f0f3',
        stream_id: 'proposal-0190a7c0-0000-7000-8000-00000000f0f4',
        stream_revision: 0,
      }),
    );
    await expectRefusal(dir, 'store-gap', events);
    expectVerifyFails(dir, 'store-gap');
  });

  test('an event altered with the triggers dropped: refused (event-seal-mismatch) at its position', async () => {
    const dir = copy();
    attack(dir, (db) =>
      expect(
        db
          .prepare(`UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE global_position = 1234`)
          .run().changes,
      ).toBe(1),
    );
    await expectRefusal(dir, 'event-seal-mismatch', 1234);
    expectVerifyFails(dir, 'altered', 1234);
  });

  test('a text column turned into a BLOB of the same bytes (seals alike, but no longer matches its stream): refused', async () => {
    const dir = copy();
    attack(dir, (db) =>
      expect(
        db.prepare('UPDATE events SET stream_id = CAST(stream_id AS BLOB) WHERE global_position = 1234').run()
          .changes,
      ).toBe(1),
    );
    await expectRefusal(dir, 'event-seal-mismatch', 1234);
    expectVerifyFails(dir, 'altered', 1234); // named, not a crash
  });

  test('a genuine "history restarted" line copied to the end of the journal (to void what came after it): refused', async () => {
    const dir = copy();
    attack(dir, (db) =>
      db.prepare("UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 10").run(),
    );
    expect(
      runLedger(['audit', 'recover', '--new-history', '--reason', 'drill'], { LEDGER_DATA_DIR: dir }).status,
    ).toBe(0);
    const server = await startServerProcess(env(dir), 30_000);
    try {
      expect((await settled(server)).status).toBe('ready');
      expect((await command(server, 9)).status).toBe(201);
    } finally {
      await stop(server);
    }
    const journal = path.join(dir, 'checkpoint-journal.ndjson');
    const restart = fs
      .readFileSync(journal, 'utf8')
      .split('\n')
      .find((l) => l.includes('"history-restarted"')) as string;
    fs.appendFileSync(journal, `${restart}\n`);
    for (const suffix of ['', '-wal', '-shm'])
      fs.rmSync(path.join(dir, `audit.sqlite${suffix}`), { force: true });
    await expectRefusal(dir, 'journal-corrupt');
  });

  test('a forged row put below the start of the log (a negative position, where no check used to look): refused', async () => {
    const dir = copy();
    attack(dir, (db) =>
      insertCopyOf(db, 300, {
        global_position: -1,
        event_id: '0190a7c0-0000-7000-8000-00000000f0f2',
        stream_revision: 999,
      }),
    );
    await expectRefusal(dir, 'event-unsealed', -1);
    expectVerifyFails(dir, 'event-unsealed', -1);
  });

  test('the journal edited: an unsigned "history restarted" line, a line that is no entry, a cut last line, all refused; recover writes it anew', async () => {
    const journal = (dir: string) => path.join(dir, 'checkpoint-journal.ndjson');
    const restart = copy();
    fs.appendFileSync(
      journal(restart),
      `${JSON.stringify({ kind: 'history-restarted', at: new Date().toISOString(), treeSize: 0, reason: 'x', previousCheckpoints: 0 })}\n`,
    );
    await expectRefusal(restart, 'journal-corrupt');

    const cut = copy();
    const text = fs.readFileSync(journal(cut), 'utf8');
    fs.writeFileSync(journal(cut), text.slice(0, -2)); // the last checkpoint's line, cut short
    const audit = new Database(path.join(cut, 'audit.sqlite'));
    audit.prepare('DELETE FROM checkpoints WHERE tree_size = (SELECT max(tree_size) FROM checkpoints)').run();
    audit.close();
    await expectRefusal(cut, 'journal-corrupt');

    const garbage = copy();
    const lines = fs.readFileSync(journal(garbage), 'utf8').split('\n');
    lines[2] = 'garbage line';
    fs.writeFileSync(journal(garbage), lines.join('\n'));
    await expectRefusal(garbage, 'journal-corrupt');
    const recover = runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: garbage });
    expect(recover.stdout).toMatch(/written anew without them/);
    expect(recover.status).toBe(0);
    expect(runLedger(['audit', 'status'], { LEDGER_DATA_DIR: garbage }).status).toBe(0);
  });

  test('the journal deleted alone: refused (journal-missing); a journal that cannot be read: refused (trail-unreadable), not left "checking"', async () => {
    const gone = copy();
    fs.rmSync(path.join(gone, 'checkpoint-journal.ndjson'));
    await expectRefusal(gone, 'journal-missing');
    expect(runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: gone }).status).toBe(0);
    expect(runLedger(['verify'], { LEDGER_DATA_DIR: gone }).status).toBe(0);

    const directory = copy();
    fs.rmSync(path.join(directory, 'checkpoint-journal.ndjson'));
    fs.mkdirSync(path.join(directory, 'checkpoint-journal.ndjson'));
    await expectRefusal(directory, 'trail-unreadable');
  });
});
