#!/usr/bin/env node
// Builds dist/: transpiles src/, projections/ and bench/ with swc (about a second, so `npm start` is quick on a
// fresh clone) and bundles the dashboard (src/dashboard, a browser app) with Vite into dist/dashboard. Type checking
// is `npm run lint` (tsc --noEmit), run in CI.
const fs = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist');
// test/support travels too: benchmarks and drills start the test doubles (the EventStoreDB double, the witness) from
// dist, as they start the server.
const sources = ['src', 'projections', 'bench', 'test/support'];
/** Installed packages are not sources (bench/peers/ holds the benchmarks' peers, installed on demand). */
const installed = 'node_modules';
/** Browser code: Vite bundles it; swc's CommonJS output would be of no use. */
const dashboard = path.join(root, 'src', 'dashboard');

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Hidden folders (bench/.cache holds the 1M-event fixture, a gigabyte) are not sources.
    if (full === dashboard || entry.name.startsWith('.') || entry.name === installed) continue;
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

// Each build writes a fresh tree beside dist's and swaps it in whole, so a file moved or renamed in the sources
// leaves no stale copy behind (a stale routes/reads.js once shadowed the new routes/reads/index.js), and a server
// running from dist never sees a half-written tree.
fs.mkdirSync(out, { recursive: true });
const staging = fs.mkdtempSync(path.join(out, '.build-'));

let compiled = 0;
let copied = 0;
for (const folder of sources) {
  for (const file of walk(path.join(root, folder))) {
    const rel = path.relative(root, file);
    if (rel.endsWith('.test.ts') || rel.endsWith('.d.ts')) continue;
    if (rel.endsWith('.ts')) {
      const target = path.join(staging, rel.replace(/\.ts$/, '.js'));
      const { code, map } = transformFileSync(file, {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'commonjs' },
        sourceMaps: true,
      });
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
      if (map) fs.writeFileSync(`${target}.map`, map);
      compiled++;
    } else if (!rel.includes(`${path.sep}results${path.sep}`)) {
      // Other files (JSON, SQL) travel as they are.
      const target = path.join(staging, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
      copied++;
    }
  }
}

for (const folder of sources) {
  const built = path.join(staging, folder);
  const current = path.join(out, folder);
  if (!fs.existsSync(built)) continue;
  fs.mkdirSync(path.dirname(current), { recursive: true });
  if (fs.existsSync(current)) fs.renameSync(current, path.join(staging, `${folder}.previous`));
  fs.renameSync(built, current);
}
fs.rmSync(staging, { recursive: true, force: true });

async function buildDashboard() {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.mjs') });
}

buildDashboard().then(
  () => {
    if (process.env.BUILD_VERBOSE)
      console.log(`build: ${compiled} compiled, ${copied} copied, dashboard bundled into dist/`);
  },
  (error) => {
    console.error(`build: the dashboard did not build: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  },
);
