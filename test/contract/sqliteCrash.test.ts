import { spawn } from 'node:child_process';
import path from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { makeTempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '../..');

/** Runs the writer until it has acknowledged `minAcks` appends, then SIGKILLs it; returns the acks it printed. */
function runAndKill(file: string, minAcks: number): Promise<Map<string, number>> {
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
    const acks = new Map<string, number>();
    let buffer = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [, eventId, position] = line.split(' ');
        if (eventId && position) acks.set(eventId, Number(position));
      }
      if (!killed && acks.size >= minAcks) {
        killed = true;
        // A random extra moment so the kill lands at varied points of a group commit.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 20));
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited without being killed: ${stderr}`));
    });
  });
}

describe('crash drill: kill -9 during 64 concurrent appenders', () => {
  const temp = makeTempDir('ledger-crash-');
  afterAll(() => temp.cleanup());

  test('every acknowledged append is present exactly once and the log stays dense', async () => {
    const file = path.join(temp.dir, 'events.sqlite');
    const acknowledged = new Map<string, number>();
    for (let round = 0; round < 5; round++) {
      const acks = await runAndKill(file, 300 + round * 100);
      expect(acks.size).toBeGreaterThanOrEqual(300);
      for (const [id, pos] of acks) acknowledged.set(id, pos);
    }

    const store = new SqliteEventStore({ file });
    try {
      const head = await store.headPosition();
      const rows = store.db
        .prepare('SELECT global_position AS p, event_id AS id FROM events ORDER BY global_position')
        .all() as Array<{ p: number; id: string }>;
      expect(rows.length).toBe(head + 1);
      rows.forEach((row, i) => expect(row.p).toBe(i));
      const byId = new Map(rows.map((r) => [r.id, r.p]));
      expect(byId.size).toBe(rows.length);
      for (const [id, position] of acknowledged) expect(byId.get(id)).toBe(position);
    } finally {
      await store.close();
    }
  }, 120_000);
});
