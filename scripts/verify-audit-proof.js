#!/usr/bin/env node
// Checks the participation ledger's audit proofs with nothing but Node.js and node:crypto (docs/audit.md):
//   node verify-audit-proof.js inclusion   <verifier key> <checkpoint note file> <event.json> <inclusion.json>
//   node verify-audit-proof.js consistency <verifier key> <older note file> <newer note file> <consistency.json>
//   either with --policy <tlog-policy file>: the checkpoint(s) must also be signed by a log of the policy (if it
//   lists logs) and cosigned by its witnesses so that its quorum is met (C2SP tlog-policy, tlog-cosignature).
// The note files hold `signedNote` (GET /audit/checkpoint), event.json one envelope (a line of GET /events) or one
// event of a trace (its `leaf`, the stored text, is what is hashed), the proof files the answers of
// GET /audit/inclusion and /audit/consistency (a trace event's `inclusionProof` serves as inclusion.json).
// Exit 0: verified; 1: not; 2: usage or a bad policy file.
'use strict';
const { Buffer } = require('node:buffer');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { URL } = require('node:url');
const { TextDecoder } = require('node:util');

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
  const keyId = keyIdOf(name, 0x01, publicKey);
  if (typedKey[0] !== 0x01 || keyId.toString('hex') !== vkey.slice(first + 1, second))
    throw new Error('bad verifier key');
  const split = note.lastIndexOf('\n\n'); // the text ends at the last blank line; signature lines follow
  const text = note.slice(0, split + 1);
  const line = note
    .slice(split + 2)
    .split('\n')
    .find((l) => l.startsWith(`\u2014 ${name} `));
  const blob = Buffer.from(line ? line.slice(name.length + 3) : '', 'base64');
  if (!blob.subarray(0, 4).equals(keyId) || !ed25519(publicKey, Buffer.from(text), blob.subarray(4))) {
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

// ---- witness policies (C2SP tlog-policy), cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1) ----------
// Written from the specifications, apart from the ledger's own code, so that each checks the other.

const NOTE_SIGNATURE_LIMIT = 100; // signed-note: verifiers "MUST accept at least up to 16 signatures"
const MAX_POLICY_BYTES = 1024 * 1024;

class PolicyError extends Error {
  constructor(line, reason) {
    super(`policy line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

// signed-note: no control character but newline, valid UTF-8 (a JS string: no lone surrogate).
const controlAt = (text, allowed) => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== allowed) return true;
  }
  return false;
};
const noteSafe = (text) => !controlAt(text, 0x0a) && !/\p{Cs}/u.test(text);
// "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B) characters."
const keyNameOk = (name) => /^[^\s+]+$/u.test(name) && noteSafe(name);
// RFC 4648 §4 in its one spelling: Buffer.from alone would take anything.
const base64Strict = (text) => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
};
const keyIdOf = (name, type, publicKey) =>
  sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey).subarray(0, 4);

// signed-note "Verifier keys": <name>+<hex key id>+<base64(type || key)>; Ed25519 keys of type 0x01 (logs) or
// 0x04 (cosignature/v1 witnesses). Returns { name, keyId, publicKey } or a string saying what is wrong.
function readVkey(vkey, type) {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) return 'not <name>+<key id>+<key>';
  const name = vkey.slice(0, first);
  const id = vkey.slice(first + 1, second);
  const typed = base64Strict(vkey.slice(second + 1));
  if (!keyNameOk(name)) return 'a bad key name';
  if (!/^[0-9a-f]{8}$/.test(id)) return 'a key id that is not 8 lower-case hex digits';
  if (!typed || typed.length !== 33 || typed[0] !== type)
    return `not base64 of 0x0${type} and a 32-byte Ed25519 key`;
  const publicKey = typed.subarray(1);
  if (keyIdOf(name, type, publicKey).toString('hex') !== id) return 'a key id that does not match';
  return { name, keyId: Buffer.from(id, 'hex'), publicKey };
}

// tlog-policy: log, witness, group and quorum lines; anything it does not allow is a PolicyError with its line.
function parsePolicy(text) {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const policy = { logs: [], witnesses: [], groups: new Map(), quorum: null };
  const names = new Set(); // witnesses and groups share a single namespace
  const members = new Set(); // "Each defined name can be listed as a group member at most once."
  const logKeys = new Set();
  const witnessKeys = new Set();
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const no = (reason) => {
      throw new PolicyError(n, reason);
    };
    // tlog-policy "Character set": of the controls only tab and newline (and no DEL).
    if (controlAt(lines[i], 0x09) || lines[i].includes('\u007f')) no('a control character other than tab');
    const items = lines[i].split(/[ \t]+/).filter((item) => item !== '');
    if (items.length === 0 || items[0].startsWith('#')) continue;
    const [keyword, ...rest] = items;
    const define = (name) => {
      if (name === 'none' || names.has(name)) no(`the name ${name} is predefined or defined already`);
      names.add(name);
    };
    const url = (u) => (u === undefined || URL.canParse(u) ? u : no(`${u} is not a URL`));
    if (keyword === 'log') {
      if (rest.length < 1 || rest.length > 2) no('log <vkey> [<url>]');
      const key = readVkey(rest[0], 0x01);
      if (typeof key === 'string') no(`the log key has ${key}`);
      const hex = key.publicKey.toString('hex');
      if (logKeys.has(hex)) no('a duplicate log');
      if (witnessKeys.has(hex)) no('a log that witnesses itself');
      logKeys.add(hex);
      policy.logs.push({ ...key, url: url(rest[1]), line: n });
    } else if (keyword === 'witness') {
      if (rest.length < 2 || rest.length > 3) no('witness <name> <vkey> [<url>]');
      const key = readVkey(rest[1], 0x04);
      if (typeof key === 'string') no(`the witness key has ${key}`);
      define(rest[0]);
      const hex = key.publicKey.toString('hex');
      if (witnessKeys.has(hex)) no('a duplicate witness');
      if (logKeys.has(hex)) no('a log that witnesses itself');
      witnessKeys.add(hex);
      policy.witnesses.push({ policyName: rest[0], ...key, url: url(rest[2]), line: n });
    } else if (keyword === 'group') {
      if (rest.length < 3) no('group <name> all|any|<k> <name>...');
      const [name, k, ...list] = rest;
      define(name);
      const threshold = k === 'all' ? list.length : k === 'any' ? 1 : /^[0-9]+$/.test(k) ? Number(k) : NaN;
      if (!(threshold >= 1 && threshold <= list.length))
        no(`the threshold ${k} is not 1 <= k <= ${list.length}`);
      if (new Set(list).size !== list.length) no('a member listed twice');
      for (const member of list) {
        if (member === name || member === 'none' || !names.has(member))
          no(`${member} is not a witness or group defined on a preceding line`);
        if (members.has(member)) no(`${member} is a member of a group already`);
      }
      list.forEach((member) => members.add(member));
      policy.groups.set(name, { threshold, members: list });
    } else if (keyword === 'quorum') {
      if (rest.length !== 1) no('quorum <name>');
      if (policy.quorum !== null) no('a second quorum line');
      if (rest[0] !== 'none' && !names.has(rest[0])) no(`${rest[0]} is not defined on a preceding line`);
      policy.quorum = rest[0];
    } else no(`the keyword ${keyword} is not log, witness, group or quorum`);
  }
  if (policy.quorum === null) throw new PolicyError(lines.length, 'no quorum line');
  return policy;
}

// signed-note: the text up to the last blank line, then the signature lines; null when the note is not one.
function splitSignedNote(note) {
  const split = note.lastIndexOf('\n\n');
  if (!noteSafe(note) || split < 0 || !note.endsWith('\n')) return null;
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > NOTE_SIGNATURE_LIMIT) return null;
  const signatures = [];
  for (const line of lines) {
    const match = /^\u2014 ([^ ]*) (.*)$/su.exec(line);
    const blob = match && base64Strict(match[2]);
    if (!match || !keyNameOk(match[1]) || !blob || blob.length <= 4) return null;
    signatures.push({ name: match[1], keyId: blob.subarray(0, 4), rest: blob.subarray(4) });
  }
  return { text: note.slice(0, split + 1), signatures };
}

// tlog-checkpoint: origin, decimal size without leading zeroes, base64 32-byte root, optional extension lines.
function checkpointText(text) {
  const lines = text.slice(0, -1).split('\n');
  if (!text.endsWith('\n') || lines.length < 3 || lines.some((l) => l === '')) return null;
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1]) || !Number.isSafeInteger(Number(lines[1]))) return null;
  const root = base64Strict(lines[2]);
  return root && root.length === 32 ? { origin: lines[0], size: Number(lines[1]), root } : null;
}

const ed25519 = (publicKey, message, signature) => {
  try {
    const key = crypto.createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    return signature.length === 64 && crypto.verify(null, message, key, signature);
  } catch {
    return false;
  }
};

// The lines of one key: same name and key ID (signed-note: other lines are ignored; one that fails rejects).
const linesOf = (note, key) =>
  note.signatures.filter((s) => s.name === key.name && s.keyId.equals(key.keyId));

// tlog-cosignature: timestamped_signature { u64 timestamp; ed25519 signature[64] } over
// "cosignature/v1\ntime <timestamp>\n" and the checkpoint text. 'cosigned', 'invalid' (a line of the witness's
// name and key ID fails) or 'missing'. A timestamp beyond 2^53 (past 2^63 - 1 is never valid) is refused: the
// specification lets verifiers refuse timestamps in the future, and this one cannot hold it exactly.
function cosignatureOf(note, witness) {
  const lines = linesOf(note, witness);
  if (lines.length === 0) return 'missing';
  for (const { rest } of lines) {
    if (rest.length !== 8 + 64) return 'invalid';
    const time = rest.readBigUInt64BE(0);
    if (time > BigInt(Number.MAX_SAFE_INTEGER)) return 'invalid';
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${note.text}`, 'utf8');
    if (!ed25519(witness.publicKey, message, rest.subarray(8))) return 'invalid';
  }
  return 'cosigned';
}

// tlog-policy: valid when signed by one of the logs (or the policy lists none) and the quorum witnessed it.
function checkUnderPolicy(policy, noteText) {
  const note = splitSignedNote(noteText);
  const checkpoint = note && checkpointText(note.text);
  const result = { met: false, logSigned: null, cosigned: [], invalid: [], missing: [] };
  for (const witness of policy.witnesses) {
    const state = checkpoint
      ? cosignatureOf(note, witness)
      : note && linesOf(note, witness).length > 0
        ? 'invalid'
        : 'missing';
    result[state].push(witness.policyName);
  }
  if (policy.logs.length > 0) {
    const message = note && Buffer.from(note.text, 'utf8');
    result.logSigned = policy.logs.some((log) => {
      const lines = note ? linesOf(note, log) : [];
      return (
        checkpoint !== null &&
        checkpoint.origin === log.name &&
        lines.length > 0 &&
        lines.every(({ rest }) => ed25519(log.publicKey, message, rest))
      );
    });
  }
  const witnessed = (name) => {
    if (name === 'none') return true;
    const group = policy.groups.get(name);
    if (!group) return result.cosigned.includes(name);
    return group.members.filter(witnessed).length >= group.threshold;
  };
  result.met = Boolean(checkpoint) && witnessed(policy.quorum) && result.logSigned !== false;
  return result;
}

// The fewest cosignatures that can meet the quorum, for the explanation.
function fewest(policy, name) {
  if (name === 'none') return 0;
  const group = policy.groups.get(name);
  if (!group) return 1;
  const costs = group.members.map((m) => fewest(policy, m)).sort((x, y) => x - y);
  return costs.slice(0, group.threshold).reduce((sum, x) => sum + x, 0);
}

function readPolicy(file) {
  // The size first: a file far larger than any policy is not read into memory.
  if (fs.statSync(file).size > MAX_POLICY_BYTES)
    throw new PolicyError(0, `the file is over ${MAX_POLICY_BYTES} bytes`);
  const bytes = fs.readFileSync(file);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new PolicyError(0, 'the file is not UTF-8');
  }
  return parsePolicy(text);
}

function requirePolicy(policy, noteText, what) {
  const r = checkUnderPolicy(policy, noteText);
  if (r.met) return;
  const list = (names) => (names.length ? names.join(', ') : 'none');
  const reach = (name) => (policy.groups.has(name) ? policy.groups.get(name).members.flatMap(reach) : [name]);
  const counted = r.cosigned.filter((name) => reach(policy.quorum).includes(name)).length;
  const need = fewest(policy, policy.quorum);
  const why =
    r.logSigned === false
      ? 'it is not signed by any log the policy lists'
      : `cosigned by ${counted} of the ${need} witness${need === 1 ? '' : 'es'} the policy requires`;
  const bad = r.invalid.length ? `; cosignatures that do not verify: ${list(r.invalid)}` : '';
  throw new Error(
    `${what} is not verified under the policy: ${why} (cosigned: ${list(r.cosigned)}; not cosigned: ${list(r.missing)}${bad})`,
  );
}

function main(argv) {
  const at = argv.indexOf('--policy');
  let policy = null;
  if (at >= 0) {
    try {
      if (argv[at + 1] === undefined) throw new PolicyError(0, '--policy names a file');
      policy = readPolicy(argv[at + 1]);
    } catch (error) {
      console.error(
        `FAILED: ${error instanceof PolicyError ? '' : 'cannot read the policy: '}${error.message}`,
      );
      process.exit(2);
    }
    argv.splice(at, 2);
  }
  const [mode, vkey, a, b, c] = argv;
  const read = (file) => fs.readFileSync(file, 'utf8');
  const hashes = (proof) => proof.path.map((h) => Buffer.from(h, 'base64'));
  try {
    if (mode === 'inclusion' && c) {
      const note = read(a);
      const checkpoint = openCheckpoint(vkey, note);
      if (policy) requirePolicy(policy, note, 'the checkpoint');
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
      if (policy) console.log('OK: the checkpoint meets the witness policy');
    } else if (mode === 'consistency' && c) {
      const [olderNote, newerNote] = [read(a), read(b)];
      const [older, newer] = [openCheckpoint(vkey, olderNote), openCheckpoint(vkey, newerNote)];
      if (policy) {
        requirePolicy(policy, olderNote, 'the older checkpoint');
        requirePolicy(policy, newerNote, 'the newer checkpoint');
      }
      if (!verifyConsistency(older.size, newer.size, hashes(JSON.parse(read(c))), older.root, newer.root)) {
        throw new Error('the consistency proof does not verify');
      }
      console.log(`OK: ${older.origin} of size ${older.size} is a prefix of size ${newer.size}`);
      if (policy) console.log('OK: both checkpoints meet the witness policy');
    } else {
      // The usage is the comment this file opens with.
      const head = fs.readFileSync(process.argv[1], 'utf8').split('\n').slice(1);
      console.error(
        head
          .slice(
            0,
            head.findIndex((line) => !line.startsWith('//')),
          )
          .map((line) => line.replace(/^\/\/ ?/, ''))
          .join('\n'),
      );
      process.exit(2);
    }
  } catch (error) {
    console.error(`FAILED: ${error.message}`);
    process.exit(1);
  }
}

// Run as a command; required (by the ledger's tests), it only hands out its policy check.
if (require.main === module) main(process.argv.slice(2));
else module.exports = { parsePolicy, checkUnderPolicy, PolicyError };
