/**
 * `ledger verify` and `ledger checkpoint` as an operator runs them: separate processes on a data directory, no
 * server. Exit 0 on a good ledger, 1 with the first bad position after tampering — also with worker threads.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { parseVerifierKey, verifyCheckpointNote } from '../../src/audit/signedNote';
import {
  appendPlausibleEvents,
  buildAuditedLedger,
  sealedStore,
  type AuditedLedgerFiles,
} from '../support/auditedLedger';
import { runLedger } from '../support/ledgerBin';
import { makeTempDir } from '../support/tempDir';

function ledger(
  dataDir: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  return runLedger(args, { LEDGER_DATA_DIR: dataDir }, 60_000);
}

describe('the ledger verify and ledger checkpoint commands', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dir: string;
  let files: AuditedLedgerFiles;

  beforeAll(async () => {
    temp = makeTempDir('ledger-cli-verify-');
    dir = temp.dir;
    files = await buildAuditedLedger(dir, { events: 80, checkpointEvery: 20 });
  });
  afterAll(() => temp.cleanup());

  it('given --help, then each command explains itself and exits 0', () => {
    for (const command of ['verify', 'checkpoint']) {
      const help = ledger(dir, command, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^ledger ${command} `));
      expect(help.stdout).toContain('Exit code');
    }
  });

  it('given a good data directory, then verify exits 0, on this thread and with worker threads', () => {
    for (const args of [[], ['--workers', '2']]) {
      const run = ledger(dir, 'verify', ...args);
      expect(run).toMatchObject({ status: 0 });
      expect(run.stdout).toMatch(
        /^ok: 80 events verified against the Merkle tree \(size 80\), 5 checkpoints checked, 80 seals checked\nroot: \S{44}\n$/,
      );
      expect(run.stderr).toMatch(/verify: 80\/80 events \(100%\)/); // a progress line, stderr not being a terminal
    }
  });

  it('given a data directory with no ledger, then verify says so and exits 2', () => {
    const run = ledger(path.join(dir, 'nowhere'), 'verify');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no ledger/);
  });

  it('given checkpoint, then it prints the latest signed note, which the printed verifier key verifies', () => {
    const run = ledger(dir, 'checkpoint');
    expect(run.status).toBe(0);
    const vkey = /verifier key: (\S+)/.exec(run.stderr)?.[1] ?? '';
    const { keyName, publicKey } = parseVerifierKey(vkey);
    expect(verifyCheckpointNote(run.stdout, publicKey, keyName)).toMatchObject({
      origin: keyName,
      treeSize: 80,
    });
  });

  it('given events appended without a server, then verify first takes them in (signing nothing) and checkpoint --new signs them', async () => {
    const store = sealedStore(files);
    await appendPlausibleEvents(store, 7, 42);
    await store.close();
    const before = ledger(dir, 'verify', '--json');
    expect(JSON.parse(before.stdout)).toMatchObject({
      ok: true,
      treeSize: 87,
      eventsVerified: 87,
      eventsBeyondTree: 0,
      eventsSealChecked: 87,
      checkpointsVerified: 5,
    });
    const run = ledger(dir, 'checkpoint', '--new', '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ treeSize: 87, origin: 'test.example/ledger' });
    expect(JSON.parse(ledger(dir, 'verify', '--json').stdout)).toMatchObject({
      ok: true,
      treeSize: 87,
      checkpointsVerified: 6,
    });
  });

  it('given an event altered in the file, then verify exits 1 and names the first bad position', () => {
    const db = new Database(path.join(dir, 'events.sqlite'));
    db.exec('DROP TRIGGER events_no_update');
    db.prepare(`UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE global_position = 23`).run();
    db.close();
    for (const args of [[], ['--workers', '2']]) {
      const run = ledger(dir, 'verify', ...args);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('first bad position: 23');
      expect(run.stdout).toMatch(/position 23: altered: /);
    }
    const json = JSON.parse(ledger(dir, 'verify', '--json').stdout) as {
      ok: boolean;
      firstBadPosition: number;
    };
    expect(json).toMatchObject({ ok: false, firstBadPosition: 23 });
    // Views are not built from it either: a rebuild would present the altered event as the record.
    const rebuild = ledger(dir, 'rebuild');
    expect(rebuild.status).toBe(1);
    expect(rebuild.stderr).toMatch(
      /1 stored event did not come through .* position 23 \(mismatch\)\. Nothing was rebuilt/,
    );
    expect(rebuild.stdout).not.toContain('rebuilt');
  });

  describe('with worker threads over several chunks of 4,096 events', () => {
    let golden: string;
    beforeAll(async () => {
      golden = path.join(temp.dir, 'golden-5k');
      fs.mkdirSync(golden);
      await buildAuditedLedger(golden, { events: 5000, checkpointEvery: 1000 });
    });

    /** Copies the golden ledger, tampers with it as an attacker would, and verifies it both ways. */
    function verifyBothWays(sql: string): Array<Record<string, unknown>> {
      const copy = fs.mkdtempSync(path.join(temp.dir, 'copy-'));
      for (const name of fs.readdirSync(golden))
        fs.copyFileSync(path.join(golden, name), path.join(copy, name));
      const db = new Database(path.join(copy, 'events.sqlite'));
      db.exec(`DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; ${sql}`);
      db.close();
      return ['0', '2'].map((workers) =>
        JSON.parse(ledger(copy, 'verify', '--json', '--workers', workers).stdout),
      );
    }

    it.each([
      ['nothing', '', undefined],
      [
        'an altered event in the second chunk',
        "UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 4500",
        4500,
      ],
      ['a deleted event (a chunk with a gap)', 'DELETE FROM events WHERE global_position = 100', 100],
      [
        'two swapped events in different chunks',
        `UPDATE events SET global_position = -1 WHERE global_position = 10;
        UPDATE events SET global_position = 10 WHERE global_position = 4200;
        UPDATE events SET global_position = 4200 WHERE global_position = -1;`,
        10,
      ],
      ['the last events cut off', 'DELETE FROM events WHERE global_position >= 4990', 4990],
    ])('given %s, then workers and this thread give the same result', (_what, sql, firstBad) => {
      const [serial, parallel] = verifyBothWays(sql);
      expect(parallel).toEqual(serial);
      expect(serial).toMatchObject({ ok: firstBad === undefined, treeSize: 5000 });
      expect(serial?.firstBadPosition).toBe(firstBad);
    });
  });
});
