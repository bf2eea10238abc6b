/**
 * `ledger mirror verify` on the real ledger's tiles: a folder written by `ledger tiles export --entries` (also after
 * the log grew and was exported again into the same folder, which keeps the earlier partial tiles), and the app's
 * own /api/v1/audit/tlog routes, whose entry bundles need an evaluator's token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runLedger, runLedgerAsync } from '../support/ledgerBin';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { checkpointWithTiles } from '../support/servedRoutes';
import { makeTempDir } from '../support/tempDir';

describe('ledger mirror verify of the ledger itself', () => {
  let t: LedgerApp;
  const temp = makeTempDir('ledger-mirror-of-ledger-');
  let treeSize = 0;
  let vkey = '';
  const exportTo = (dir: string) =>
    runLedger(['tiles', 'export', dir, '--entries'], { LEDGER_DATA_DIR: t.dataDir });

  beforeAll(async () => {
    t = await openLedgerApp();
    treeSize = await checkpointWithTiles(t);
    vkey = ((await t.get('/audit/checkpoint', 'anonymous')).body as { publicKey: string }).publicKey;
  }, 120_000);
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('given a folder written by ledger tiles export --entries, then it verifies, and again after the log grew', async () => {
    const dir = path.join(temp.dir, 'export');
    expect(exportTo(dir).status).toBe(0);
    const first = runLedger(['mirror', 'verify', dir, '--key', vkey]);
    expect(first).toMatchObject({ status: 0 });
    expect(first.stdout).toContain(`at tree size ${treeSize}, root `);
    expect(first.stdout).toMatch(new RegExp(`entry bundles? \\(${treeSize} entries\\) verified`));

    for (let i = 0; i < 300; i++) await t.record('/persons', { name: `Vekst ${i}` });
    const grown = await checkpointWithTiles(t);
    expect(exportTo(dir).status).toBe(0);
    const second = runLedger(['mirror', 'verify', dir, '--key', vkey]);
    expect(second).toMatchObject({ status: 0 });
    expect(second.stdout).toContain(`at tree size ${grown}, root `);
    expect(second.stdout).toMatch(/, \d+ partial tiles of earlier sizes verified/);
  });

  it("given the ledger's own routes, then the tiles verify for anyone, and the entries with an evaluator's token", async () => {
    const server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/audit/tlog`;
    try {
      const tiles = await runLedgerAsync(['mirror', 'verify', url, '--key', vkey]);
      expect(tiles).toMatchObject({ status: 0 });
      expect(tiles.stdout).toContain('entry bundles not checked');

      const anonymous = await runLedgerAsync(['mirror', 'verify', url, '--key', vkey, '--entries']);
      expect(anonymous.status).toBe(1);
      expect(anonymous.stdout).toContain(`${url}/tile/entries/000 answered 401`);

      const evaluator = await runLedgerAsync(['mirror', 'verify', url, '--key', vkey, '--entries'], {
        LEDGER_TOKEN: TOKENS.evaluator,
      });
      expect(evaluator).toMatchObject({ status: 0 });
      expect(evaluator.stdout).toMatch(/entry bundles? \(\d+ entries\) verified/);
      expect(evaluator.stdout + evaluator.stderr).not.toContain(TOKENS.evaluator);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
