/**
 * Crash drill for the SQLite adapter: a writer process with 64 concurrent appenders is killed with SIGKILL in the
 * middle of its load, five times on the same file. Every append it acknowledged must be in the log exactly once at
 * the position it was told, the log must stay dense, and nothing may be in the log that no appender started. The
 * moment of each kill is drawn from a seeded generator: replay a run with CRASH_SEED=<seed> (printed on failure).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { seededRandom } from '../support/auditedLedger';
import { makeTempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '../..');
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const APPENDERS = 64;

interface Round {
  /** Event ids handed to the store, in the order the writer started them. */
  started: Set<string>;
  /** Event id → the position the store acknowledged. */
  acks: Map<string, number>;
}

/** Runs the writer until it has acknowledged `minAcks` appends, waits `killDelayMs`, then SIGKILLs it. */
function runAndKill(file: string, minAcks: number, killDelayMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        path.join(root, 'test/support/tsRegister.js'),
        path.join(root, 'test/support/crashWriter.ts'),
        file,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const round: Round = { started: new Set(), acks: new Map() };
    let buffer = '';
    let stderr = '';
    let killed = false;
    let signal: NodeJS.Signals | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [what, eventId, position] = line.split(' ');
        if (what === 'start' && eventId) round.started.add(eventId);
        if (what === 'ack' && eventId && position) round.acks.set(eventId, Number(position));
      }
      if (!killed && round.acks.size >= minAcks) {
        killed = true;
        // The delay lets the kill land at varied points of a group commit.
        setTimeout(() => child.kill('SIGKILL'), killDelayMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, s) => (signal = s));
    // 'close' comes after the pipes are drained: every line the writer got out before it died has been read.
    child.on('close', () => {
      if (signal === 'SIGKILL') resolve(round);
      else reject(new Error(`writer exited without being killed: ${stderr}`));
    });
  });
}

describe(`crash drill: kill -9 during ${APPENDERS} concurrent appenders (CRASH_SEED=${SEED})`, () => {
  const temp = makeTempDir('ledger-crash-');
  afterAll(() => temp.cleanup());

  test('every acknowledged append is present exactly once, nothing else is, and the log stays dense', async () => {
    await withSeedOnFailure(async () => {
      const file = path.join(temp.dir, 'events.sqlite');
      const random = seededRandom(SEED);
      const started = new Set<string>();
      const acknowledged = new Map<string, number>();
      for (let round = 0; round < 5; round++) {
        const killDelayMs = Math.floor(random() * 20);
        const { started: s, acks } = await runAndKill(file, 300 + round * 100, killDelayMs);
        // The kill interrupted work: appends were in flight (started, not acknowledged), at most one per
        // appender, since each appender waits for its acknowledgement before it starts the next.
        const inFlight = [...s].filter((id) => !acks.has(id)).length;
        expect({ round, killDelayMs, inFlight: inFlight > 0 && inFlight <= APPENDERS }).toEqual({
          round,
          killDelayMs,
          inFlight: true,
        });
        expect([...acks.keys()].filter((id) => !s.has(id))).toEqual([]);
        for (const id of s) started.add(id);
        for (const [id, pos] of acks) acknowledged.set(id, pos);
      }

      const store = new SqliteEventStore({ file });
      try {
        const head = await store.headPosition();
        const rows = store.db
          .prepare('SELECT global_position AS p, event_id AS id FROM events ORDER BY global_position')
          .all() as Array<{ p: number; id: string }>;
        expect(rows.length).toBe(head + 1);
        expect(rows.filter((row, i) => row.p !== i)).toEqual([]);
        const byId = new Map(rows.map((r) => [r.id, r.p]));
        expect(byId.size).toBe(rows.length);
        expect([...acknowledged].filter(([id, position]) => byId.get(id) !== position)).toEqual([]);
        // Nothing appears that no appender started; appends in flight at a kill may or may not have landed.
        expect(rows.filter((r) => !started.has(r.id))).toEqual([]);
      } finally {
        await store.close();
      }
    });
  }, 120_000);
});

/** Runs the drill, naming the seed in any failure so the run can be replayed. */
async function withSeedOnFailure(drill: () => Promise<void>): Promise<void> {
  try {
    await drill();
  } catch (error) {
    if (error instanceof Error) error.message = `CRASH_SEED=${SEED}: ${error.message}`;
    throw error;
  }
}
