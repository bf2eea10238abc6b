import fs from 'node:fs';
import path from 'node:path';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

describe('the server as a process', () => {
  const temp = makeTempDir('ledger-e2e-');
  afterAll(() => temp.cleanup());

  test('starts on the embedded store, answers /healthz, and stops gracefully on SIGTERM', async () => {
    // How fast it starts is measured by `npm run bench -- start`, not asserted here.
    const server = await startServerProcess({ LEDGER_DATA_DIR: temp.dir });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // The printed dashboard address serves the dashboard (the built app, not a placeholder).
    const dashboardUrl = /dashboard (http:\/\/\S+)/.exec(server.output())?.[1];
    expect(dashboardUrl).toBe(`${server.url}/`);
    const page = await fetch(dashboardUrl as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    // No tokens configured: an admin token is generated, printed once, and works; only its hash is kept.
    const token = /\n\n {2}(\S{40,})\n\n/.exec(server.output())?.[1];
    expect(token).toBeDefined();
    const ok = await fetch(`${server.url}/api/v1/arenas`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Heggedal innbyggertorg', areas: ['Heggedal'] }),
    });
    expect(ok.status).toBe(201);
    const stored = fs.readFileSync(path.join(temp.dir, 'api-tokens.json'), 'utf8');
    expect(stored).not.toContain(token as string);
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(0);

    // The second start finds the stored hash and prints no new token.
    const again = await startServerProcess({ LEDGER_DATA_DIR: temp.dir });
    expect(again.output()).not.toMatch(/admin token was generated/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });

  test('a bad configuration value stops it with exit code 2 and one line naming the variable', () => {
    const result = runLedger(['serve'], { LEDGER_DATA_DIR: temp.dir, PORT: 'eighty' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/PORT/);
  });

  test('ledger --help and ledger serve --help describe the commands', () => {
    const run = (args: string[]) => runLedger(args);
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/serve/);
    const serve = run(['serve', '--help']);
    expect(serve.status).toBe(0);
    expect(serve.stdout).toMatch(/SIGTERM/);
    expect(run(['frobnicate']).status).toBe(2);
  });
});
