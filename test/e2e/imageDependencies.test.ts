/**
 * "Production dependencies only suffice" (the image, issue 13): the runtime stage holds dist/, bin/, package.json
 * and the node_modules of `npm ci --omit=dev`. Two checks that would each have caught a real mistake:
 * - statically, every package that dist/src and dist/projections require() is a builtin or in `dependencies`;
 * - by running the Dockerfile's own CMD with a preloaded hook (test/support/productionOnlyHook.js) under which every
 *   module `npm ci --omit=dev` leaves out (package-lock's `dev`/`devOptional` entries) and every file of the checkout
 *   outside dist/ and bin/ is absent, as in the image, then walking the server's kinds of work: views and their rebuild on a worker thread,
 *   personal data, the audit log, exports, the API document and its renderer, the dashboard and /metrics.
 * A negative control shows a dev dependency is absent under the hook, so "it all worked" means something.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { makeTempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '../..');
const hook = path.join(root, 'test/support/productionOnlyHook.js');
const lockFile = path.join(root, 'package-lock.json');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Ports 4550–4599 are this suite's (the machine is shared). */
const PORT = 4551;
const TOKENS = {
  admin: 'image-admin-token-00000001',
  clerk: 'image-clerk-token-00000002',
  evaluator: 'image-evaluator-token-003',
};

function* jsFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(full);
    else if (entry.name.endsWith('.js')) yield full;
  }
}

const packageOf = (specifier: string): string =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] as string);

/** The Dockerfile's CMD (exec form). */
function imageCommand(): string[] {
  const line = fs
    .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CMD '))
    .at(-1);
  return JSON.parse(line?.slice(4) ?? '[]') as string[];
}

const hookEnv = (log: string) => ({
  PATH: process.env.PATH ?? '',
  PRODUCTION_ONLY_LOCK: lockFile,
  PRODUCTION_ONLY_LOG: log,
});

test('statically: every package dist/src and dist/projections require is a builtin or a production dependency', () => {
  const required = new Map<string, string>();
  for (const dir of ['dist/src', 'dist/projections']) {
    for (const file of jsFiles(path.join(root, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\brequire(?:\.resolve)?\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
        const specifier = m[1] as string;
        if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
        required.set(packageOf(specifier), path.relative(root, file));
      }
    }
  }
  expect(required.size).toBeGreaterThan(5); // the walk saw the code
  const notProduction = [...required].filter(([name]) => !(name in pkg.dependencies));
  expect(notProduction).toEqual([]);
});

test('under the hook a dev dependency is absent and a production one loads (the negative control)', () => {
  const temp = makeTempDir('ledger-hook-');
  try {
    const log = path.join(temp.dir, 'hook.log');
    const run = (code: string): { ok: boolean; out: string } => {
      try {
        const out = execFileSync(process.execPath, ['--require', hook, '-e', code], {
          cwd: root,
          env: hookEnv(log),
          stdio: 'pipe',
        }).toString();
        return { ok: true, out };
      } catch (error) {
        return { ok: false, out: String((error as { stderr?: Buffer }).stderr ?? error) };
      }
    };
    expect(run("require('express'); require('better-sqlite3')").ok).toBe(true);
    const dev = run("require('typescript')");
    expect(dev.ok).toBe(false);
    expect(dev.out).toContain('node_modules/typescript is a dev dependency');
    // A file of the checkout that is not in the image (src/ is TypeScript the image does not carry).
    expect(run("require('./scripts/build.js')").ok).toBe(false);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/ABSENT typescript from \[eval\]/);
  } finally {
    temp.cleanup();
  }
});

test("the image's CMD serves, rebuilds and exports with nothing but production dependencies", async () => {
  const [node, ...args] = imageCommand();
  expect(node).toBe('node');
  expect(args).toContain('dist/src/cli/ledger.js');
  const temp = makeTempDir('ledger-image-');
  const log = path.join(temp.dir, 'hook.log');
  const child = spawn(process.execPath, ['--require', hook, ...args], {
    cwd: root,
    env: {
      ...hookEnv(log),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(PORT),
      LEDGER_DATA_DIR: path.join(temp.dir, 'data'),
      LEDGER_API_TOKENS: `admin=${TOKENS.admin},clerk=${TOKENS.clerk},evaluator=${TOKENS.evaluator}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${PORT}`;
  const call = async (
    method: 'GET' | 'POST',
    route: string,
    role?: keyof typeof TOKENS,
    body?: unknown,
  ): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        ...(role ? { Authorization: `Bearer ${TOKENS[role]}` } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        Accept: 'application/json, text/html;q=0.9',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, text: await res.text() };
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await call('GET', '/readyz').catch(() => ({ status: 0, text: '' }));
      if (ready.status === 200) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const person = await call('POST', '/api/v1/persons', 'clerk', {
      name: 'Ola Nordmann',
      email: 'ola@example.no',
    });
    expect(person.status).toBe(201);
    expect((await call('POST', '/api/v1/arenas', 'clerk', { name: 'Torg', areas: ['Vollen'] })).status).toBe(
      201,
    );
    const rebuild = await call('POST', '/api/v1/admin/projections/influence/rebuild', 'admin');
    expect([200, 202]).toContain(rebuild.status);
    const answers = await Promise.all([
      call('GET', '/api/v1/audit/verify', 'admin'),
      call('GET', '/api/v1/exports/proposals?format=csv', 'evaluator'),
      call('GET', '/api/v1/influence?groupBy=committee'),
      call('GET', '/openapi.json'),
      call('GET', '/docs'),
      call('GET', '/docs/swagger-ui-bundle.js'),
      call('GET', '/'),
      call('GET', '/metrics'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(answers[7]?.text).toContain('ledger_commands_total{command="RegisterPerson",outcome="accepted"');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : [];
    temp.cleanup();
    // Our code never asks for what the image lacks, not even on a path that would survive it; a dependency may
    // probe for an optional module (debug for supports-color), and the walk above shows the server did without.
    const absent = lines.filter((l) => l.startsWith('ABSENT'));
    expect(absent.filter((l) => !/ from (\.\.\/)*([^ ]*\/)?node_modules\//.test(l))).toEqual([]);
    process.stderr.write(
      `\nimage dependencies: ${absent.length} optional probe(s) for absent modules:\n${absent.join('\n')}\n`,
    );
    // The hook was there: in the server and in the rebuild's worker thread.
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^loaded node_modules\/express /)]));
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^loaded node_modules\/better-sqlite3 thread=[1-9]/)]),
    );
  }
}, 60_000);
