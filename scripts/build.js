#!/usr/bin/env node
// Builds dist/ by transpiling src/, projections/ and bench/ with swc: about a second, so `npm start` is quick
// on a fresh clone. Type checking is `npm run lint` (tsc --noEmit), run in CI.
const fs = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist');
const sources = ['src', 'projections', 'bench'];

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

let compiled = 0;
let copied = 0;
for (const folder of sources) {
  for (const file of walk(path.join(root, folder))) {
    const rel = path.relative(root, file);
    if (rel.endsWith('.test.ts') || rel.endsWith('.d.ts')) continue;
    if (rel.endsWith('.ts')) {
      const target = path.join(out, rel.replace(/\.ts$/, '.js'));
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
      // Static assets (the dashboard's HTML, CSS, browser JS) travel as they are.
      const target = path.join(out, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
      copied++;
    }
  }
}
if (process.env.BUILD_VERBOSE) console.log(`build: ${compiled} compiled, ${copied} copied into dist/`);
