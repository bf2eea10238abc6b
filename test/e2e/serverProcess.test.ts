import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '../..');

describe('the server as a process', () => {
  const temp = makeTempDir('ledger-e2e-');
  afterAll(() => temp.cleanup());

  test('starts on the embedded store, answers /healthz, and stops gracefully on SIGTERM', async () => {
    const started = Date.now();
    const server = await startServerProcess({ LEDGER_DATA_DIR: temp.dir });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(0);
  });

  test('a bad configuration value stops it with exit code 2 and one line naming the variable', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', path.join(root, 'test/support/tsRegister.js'), path.join(root, 'src/cli/ledger.ts'), 'serve'],
      { env: { ...process.env, LEDGER_DATA_DIR: temp.dir, PORT: 'eighty' }, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/PORT/);
  });

  test('ledger --help and ledger serve --help describe the commands', () => {
    const run = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['-r', path.join(root, 'test/support/tsRegister.js'), path.join(root, 'src/cli/ledger.ts'), ...args],
        {
          encoding: 'utf8',
        },
      );
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/serve/);
    const serve = run(['serve', '--help']);
    expect(serve.status).toBe(0);
    expect(serve.stdout).toMatch(/SIGTERM/);
    expect(run(['frobnicate']).status).toBe(2);
  });
});
