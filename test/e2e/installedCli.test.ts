/**
 * The `ledger` command as an administrator meets it after `npm ci`: through npx and the installed bin, each command
 * a process of its own. Before this, every command through the bin printed nothing and exited 0, and `verify` after
 * `demo --no-serve` said "ok" having checked nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { root, runLedger } from '../support/ledgerBin';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const COMMANDS = [
  'serve',
  'verify',
  'checkpoint',
  'audit',
  'verify-trace',
  'tiles',
  'witness',
  'rebuild',
  'export',
  'token',
  'demo',
  'mirror',
];

describe('the installed ledger command', () => {
  const temp = makeTempDir('ledger-installed-');
  afterAll(() => temp.cleanup());

  test('npx ledger --help prints the usage with every command, and each command its own help', () => {
    const npx = spawnSync('npx', ['--no-install', 'ledger', '--help'], { cwd: root, encoding: 'utf8' });
    expect(npx.status).toBe(0);
    for (const command of COMMANDS) expect(npx.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    const version = runLedger(['--version']);
    expect(version.stdout).toMatch(/^participation-ledger \d+\.\d+\.\d+\n$/);
    for (const command of COMMANDS) {
      const help = runLedger([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^ledger ${command}`));
    }
  });

  test('an unknown command, or none, exits 2 with the usage on stderr', () => {
    const unknown = runLedger(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(runLedger([]).status).toBe(2);
    expect(runLedger(['audit']).status).toBe(2);
    // An option a command does not take is a mistake, never silently ignored.
    const bogus = runLedger(['verify', '--bogus']);
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toMatch(/unknown option --bogus/);
    expect(runLedger(['checkpoint', '--nwe']).status).toBe(2);
  });

  describe('verify on the demo trial', () => {
    const dir = path.join(temp.dir, 'demo');
    beforeAll(() => {
      const demo = runLedger(['demo', '--no-serve'], { LEDGER_DATA_DIR: dir });
      expect(demo.status).toBe(0);
    });

    test('right after demo --no-serve (no tree yet), verify first builds the tree and checks every event', () => {
      const events = (() => {
        const db = new Database(path.join(dir, 'events.sqlite'), { readonly: true });
        try {
          return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
        } finally {
          db.close();
        }
      })();
      expect(events).toBeGreaterThan(5000);
      const run = runLedger(['verify'], { LEDGER_DATA_DIR: dir });
      const n = events.toLocaleString('en');
      expect(run.stdout).toMatch(
        new RegExp(
          `^ok: ${n} events verified against the Merkle tree \\(size ${n}\\), 0 checkpoints checked, ${n} seals checked$`,
          'm',
        ),
      );
      expect(run.status).toBe(0);
    });

    test('after one event is changed in the file, verify exits 1 and names its position', () => {
      const db = new Database(path.join(dir, 'events.sqlite'));
      db.exec('DROP TRIGGER events_no_update');
      db.prepare("UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 123").run();
      db.close();
      const run = runLedger(['verify'], { LEDGER_DATA_DIR: dir });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('first bad position: 123');
      expect(run.stdout).toMatch(/position 123: altered: /);
      expect(run.stdout).toMatch(/position 123: event-seal-mismatch: /);
    });
  });

  test('a first start that fails on a taken port keeps no token; the next start shows one that works', async () => {
    const dir = path.join(temp.dir, 'port');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const env = { LEDGER_DATA_DIR: dir, PORT: String(port), LEDGER_API_TOKENS: '' };
      const failed = runLedger(['serve'], env);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(failed.stdout).not.toMatch(/admin token was generated/);
      expect(fs.existsSync(path.join(dir, 'api-tokens.json'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    const server = await startServerProcess({ LEDGER_DATA_DIR: dir, LEDGER_API_TOKENS: '' });
    try {
      const token = /\n\n {2}(\S{40,})\n\n/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      const created = await fetch(`${server.url}/api/v1/arenas`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Heggedal innbyggertorg', areas: ['Heggedal'] }),
      });
      expect(created.status).toBe(201);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test('rebuild and a second server refuse while a server uses the data directory, and work once it stopped', async () => {
    const dir = path.join(temp.dir, 'busy');
    const server = await startServerProcess({ LEDGER_DATA_DIR: dir });
    let stopped = false;
    try {
      const rebuild = runLedger(['rebuild'], { LEDGER_DATA_DIR: dir });
      expect(rebuild.status).toBe(1);
      expect(rebuild.stderr).toMatch(/another ledger process is using .*\(ledger serve, pid \d+/);
      expect(rebuild.stderr).toMatch(/POST \/api\/v1\/admin\/projections\/:name\/rebuild/);
      const second = runLedger(['serve'], { LEDGER_DATA_DIR: dir, PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/another ledger process is using/);
      expect(runLedger(['audit', 'recover'], { LEDGER_DATA_DIR: dir }).status).toBe(1);
      // Removing the lock file does not hand the directory to another process while the server lives.
      fs.rmSync(path.join(dir, 'ledger.lock'));
      expect(runLedger(['rebuild'], { LEDGER_DATA_DIR: dir }).status).toBe(1);
      server.child.kill('SIGTERM');
      await server.exited;
      stopped = true;
      const after = runLedger(['rebuild'], { LEDGER_DATA_DIR: dir });
      expect(after.stdout).toMatch(/^rebuilt all views from/);
      expect(after.status).toBe(0);
    } finally {
      if (!stopped) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
  });

  test('the data directory is 0700 and every file in it 0600; a loosened file is named at start', async () => {
    const dir = path.join(temp.dir, 'modes');
    const first = await startServerProcess({ LEDGER_DATA_DIR: dir });
    first.child.kill('SIGTERM');
    await first.exited;
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dir);
    expect(files).toEqual(
      expect.arrayContaining([
        'events.sqlite',
        'personal-data-keys.sqlite',
        'audit.sqlite',
        'read-model.sqlite',
        'idempotency.sqlite',
        'checkpoint-signing-key.pem',
        'event-seal-key',
        'checkpoint-journal.ndjson',
        'pseudonym-secret',
        'api-tokens.json',
      ]),
    );
    for (const file of files)
      expect([file, fs.statSync(path.join(dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    fs.chmodSync(path.join(dir, 'personal-data-keys.sqlite'), 0o644);
    const second = await startServerProcess({ LEDGER_DATA_DIR: dir });
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.output()).toMatch(/personal-data-keys\.sqlite \(0644\).*readable by other users/);
  });
});
