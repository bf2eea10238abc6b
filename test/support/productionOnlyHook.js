// Preloaded (`node --require`) into the built server by test/e2e/imageDependencies.test.ts: it makes the checkout
// look like the image. The image holds dist/, bin/, package.json and the node_modules of `npm ci --omit=dev`, which
// leaves out exactly the packages package-lock.json marks `dev` or `devOptional`; so a module from one of those, or a
// file of the checkout outside dist/ and bin/ (src/, test/, scripts/), is absent here: resolving it throws
// MODULE_NOT_FOUND, as in the image, and the request is written to PRODUCTION_ONLY_LOG with the file that asked.
// (A package that probes for an optional module, as debug does for supports-color, goes on without it, as it would
// in the image.) Every package loaded is logged too, so the test can tell the hook was there; worker threads
// inherit --require.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { threadId } = require('node:worker_threads');

const lockFile = process.env.PRODUCTION_ONLY_LOCK;
const logFile = process.env.PRODUCTION_ONLY_LOG;
if (!lockFile || !logFile)
  throw new Error('productionOnlyHook: PRODUCTION_ONLY_LOCK and PRODUCTION_ONLY_LOG are required');

const checkout = fs.realpathSync(path.dirname(lockFile));
const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
/** Lock keys (`node_modules/a/node_modules/b`) that `npm ci --omit=dev` does not install. */
const omitted = new Set(
  Object.entries(lock.packages ?? {})
    .filter(([key, entry]) => key !== '' && (entry.dev === true || entry.devOptional === true))
    .map(([key]) => key),
);
const inImage = ['dist', 'bin'].map((dir) => path.join(checkout, dir) + path.sep);
const seen = new Set();

function log(line) {
  fs.appendFileSync(logFile, `${line}\n`);
}

/** `/x/node_modules/a/node_modules/@s/b/lib/i.js` → `node_modules/a/node_modules/@s/b`; undefined outside node_modules. */
function lockKeyOf(file) {
  const parts = file.split(path.sep);
  const first = parts.indexOf('node_modules');
  if (first < 0) return undefined;
  const key = [];
  for (let i = first; i < parts.length; i++) {
    if (parts[i] !== 'node_modules') continue;
    const name = parts[i + 1]?.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
    key.push('node_modules', name);
    i += name.split('/').length;
  }
  return key.join('/');
}

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveInImage(request, parent, ...rest) {
  const file = resolve.call(this, request, parent, ...rest);
  if (!path.isAbsolute(file)) return file; // a builtin
  const real = fs.existsSync(file) ? fs.realpathSync(file) : file;
  const key = lockKeyOf(real);
  let refusal;
  if (key !== undefined) {
    if (omitted.has(key)) refusal = `${key} is a dev dependency (npm ci --omit=dev leaves it out)`;
    else if (!(key in lock.packages)) refusal = `${key} is in no package-lock entry`;
    else if (!seen.has(key)) {
      seen.add(key);
      log(`loaded ${key} thread=${threadId}`);
    }
  } else if (!inImage.some((dir) => real.startsWith(dir)) && real !== path.join(checkout, 'package.json')) {
    refusal = `${path.relative(checkout, real)} is outside dist/ and bin/ (not in the image)`;
  }
  if (refusal) {
    const parentFile = parent?.filename;
    const from =
      parentFile && fs.existsSync(parentFile)
        ? path.relative(checkout, fs.realpathSync(parentFile))
        : '[eval]';
    log(`ABSENT ${request} from ${from}: ${refusal}`);
    const error = new Error(`Cannot find module '${request}' (productionOnlyHook: ${refusal})`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return file;
};
log(`hook installed thread=${threadId}`);
