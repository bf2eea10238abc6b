#!/usr/bin/env node
// Checks the participation ledger's audit proofs with nothing but Node.js and node:crypto (docs/audit.md):
//   node verify-audit-proof.js inclusion   <verifier key> <checkpoint note file> <event.json> <inclusion.json>
//   node verify-audit-proof.js consistency <verifier key> <older note file> <newer note file> <consistency.json>
// The note files hold `signedNote` (GET /audit/checkpoint), event.json one envelope (a line of GET /events) or one
// event of a trace (its `leaf`, the stored text, is what is hashed), the proof files the answers of
// GET /audit/inclusion and /audit/consistency. Exit 0: verified; 1: not; 2: usage.
'use strict';
const { Buffer } = require('node:buffer');
const crypto = require('node:crypto');
const fs = require('node:fs');

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (bytes) => sha256(Buffer.from([0x00]), bytes); // RFC 9162 §2.1.1
const nodeHash = (left, right) => sha256(Buffer.from([0x01]), left, right);
const half = (n) => Math.floor(n / 2);
const odd = (n) => n % 2 === 1;
const powerOfTwo = (n) => {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
};

// RFC 8785 for the values events hold: names sorted at every level, JSON.stringify for strings and numbers.
const canonical = (v) =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

// API.md "Leaf hash": exactly these fields of the envelope, dataKeyId only when the event has one.
function eventLeaf(event) {
  const names = [
    'globalPosition',
    'eventId',
    'streamId',
    'streamRevision',
    'type',
    'schemaVersion',
    'recordedAt',
    'occurredAt',
    'actor',
    'correlationId',
    'causationId',
    'data',
  ];
  const leaf = Object.fromEntries(names.map((name) => [name, event[name]]));
  if (event.dataKeyId !== undefined && event.dataKeyId !== null) leaf.dataKeyId = event.dataKeyId;
  return leaf;
}

// A trace's event brings its leaf text; the fields beside it may show pseudonyms for person ids, so the text is
// what counts, and it must be canonical. An envelope from the feed is the leaf itself.
function storedEvent(event) {
  if (typeof event.leaf !== 'string') return eventLeaf(event);
  const stored = JSON.parse(event.leaf);
  if (canonical(eventLeaf(stored)) !== event.leaf) throw new Error('the leaf text is not in canonical form');
  return stored;
}

// C2SP signed note, Ed25519: the verifier key is <name>+<hex key id>+<base64(0x01 || 32-byte public key)>.
function openCheckpoint(vkey, note) {
  const [first, second] = [vkey.indexOf('+'), vkey.indexOf('+', vkey.indexOf('+') + 1)];
  const name = vkey.slice(0, first);
  const typedKey = Buffer.from(vkey.slice(second + 1), 'base64');
  const publicKey = typedKey.subarray(1);
  const keyId = sha256(Buffer.from(`${name}\n`), Buffer.from([0x01]), publicKey).subarray(0, 4);
  if (typedKey[0] !== 0x01 || keyId.toString('hex') !== vkey.slice(first + 1, second))
    throw new Error('bad verifier key');
  const split = note.lastIndexOf('\n\n'); // the text ends at the last blank line; signature lines follow
  const text = note.slice(0, split + 1);
  const line = note
    .slice(split + 2)
    .split('\n')
    .find((l) => l.startsWith(`\u2014 ${name} `));
  const blob = Buffer.from(line ? line.slice(name.length + 3) : '', 'base64');
  const key = crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  if (!blob.subarray(0, 4).equals(keyId) || !crypto.verify(null, Buffer.from(text), key, blob.subarray(4))) {
    throw new Error('the checkpoint is not signed by this key');
  }
  const [origin, size, root] = text.split('\n'); // tlog-checkpoint: origin, tree size, base64 root hash
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

// RFC 9162 §2.1.3.2: the root an inclusion path leads to, or null.
function rootFromInclusion(index, size, leaf, path) {
  if (index >= size) return null;
  let [fn, sn, r] = [index, size - 1, leaf];
  for (const p of path) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else r = nodeHash(r, p);
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? r : null;
}

// RFC 9162 §2.1.4.2: does the path prove tree (size1, root1) a prefix of tree (size2, root2)?
function verifyConsistency(size1, size2, path, root1, root2) {
  if (size1 === size2) return path.length === 0 && root1.equals(root2);
  if (size1 === 0) return path.length === 0 && root1.equals(sha256());
  if (size1 > size2 || path.length === 0) return false;
  const nodes = powerOfTwo(size1) ? [root1, ...path] : [...path]; // size1 a power of two: root1 starts it
  let [fn, sn] = [size1 - 1, size2 - 1];
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      [fr, sr] = [nodeHash(c, fr), nodeHash(c, sr)];
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [half(fn), half(sn)];
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

const [mode, vkey, a, b, c] = process.argv.slice(2);
const read = (file) => fs.readFileSync(file, 'utf8');
const hashes = (proof) => proof.path.map((h) => Buffer.from(h, 'base64'));
try {
  if (mode === 'inclusion' && c) {
    const checkpoint = openCheckpoint(vkey, read(a));
    const event = storedEvent(JSON.parse(read(b)));
    const root = rootFromInclusion(
      event.globalPosition,
      checkpoint.size,
      leafHash(Buffer.from(canonical(event), 'utf8')),
      hashes(JSON.parse(read(c))),
    );
    if (!root || !root.equals(checkpoint.root))
      throw new Error('the inclusion proof does not lead to the signed root');
    console.log(`OK: event ${event.globalPosition} is in ${checkpoint.origin} of size ${checkpoint.size}`);
  } else if (mode === 'consistency' && c) {
    const [older, newer] = [openCheckpoint(vkey, read(a)), openCheckpoint(vkey, read(b))];
    if (!verifyConsistency(older.size, newer.size, hashes(JSON.parse(read(c))), older.root, newer.root)) {
      throw new Error('the consistency proof does not verify');
    }
    console.log(`OK: ${older.origin} of size ${older.size} is a prefix of size ${newer.size}`);
  } else {
    console.error(fs.readFileSync(process.argv[1], 'utf8').split('\n').slice(1, 6).join('\n'));
    process.exit(2);
  }
} catch (error) {
  console.error(`FAILED: ${error.message}`);
  process.exit(1);
}
