/**
 * A witness policy (C2SP tlog-policy) and Ed25519 cosignatures (C2SP tlog-cosignature, `cosignature/v1`) read and
 * verified in the browser with WebCrypto, so that a reader can require a quorum of witnesses they chose themselves:
 * a server showing a forked history cannot get it cosigned. The rules are those of the server's reader
 * (src/audit/witnessPolicy.ts, src/audit/cosignature.ts), which uses node:crypto; a test holds the two to the same
 * verdicts on generated policies and notes.
 *
 * Parsing refuses what the specification does not allow and names the line; the text is a JavaScript string (a file
 * the reader loads is decoded as UTF-8, strictly), names are compared as exact strings.
 */
import {
  COSIGNATURE_V1_TYPE,
  ED25519_TYPE,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  toHex,
  verifyEd25519,
  verifyNoteSignature,
  type SignedNote,
  type VerifierKey,
} from './signedNote';

const QUORUM_NONE = 'none';
/** A policy is a few dozen lines; far more is not one. */
export const MAX_POLICY_LENGTH = 1024 * 1024;

export interface BrowserPolicy {
  logs: { key: VerifierKey; line: number }[];
  witnesses: { name: string; key: VerifierKey; line: number }[];
  groups: { name: string; threshold: number; members: string[]; line: number }[];
  quorum: string;
}

export type ParsedPolicy = { ok: true; policy: BrowserPolicy } | { ok: false; line: number; reason: string };

export interface PolicyVerdict {
  /** Signed by one of the policy's logs (or it lists none) and cosigned so that the quorum is met. */
  met: boolean;
  /** Whether one of the policy's logs signed the note; null when the policy lists no logs. */
  logSigned: boolean | null;
  /** Policy names of witnesses whose cosignature verified, whose line failed, with no line. */
  cosigned: string[];
  invalid: string[];
  missing: string[];
  /** The fewest cosigning witnesses that can meet the quorum, and how many of those counting toward it did. */
  required: number;
  counted: number;
}

class Refusal {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {}
}

const WHITESPACE = /[ \t]+/;

/** Parses a tlog-policy text; never throws. */
export async function parsePolicy(text: string): Promise<ParsedPolicy> {
  if (text.length > MAX_POLICY_LENGTH)
    return { ok: false, line: 0, reason: `the policy is longer than ${MAX_POLICY_LENGTH} characters` };
  try {
    return { ok: true, policy: await parseLines(text) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, line: error.line, reason: error.reason };
    throw error;
  }
}

async function parseLines(text: string): Promise<BrowserPolicy> {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const policy: BrowserPolicy = { logs: [], witnesses: [], groups: [], quorum: '' };
  const defined = new Set<string>();
  const listed = new Set<string>();
  const logKeys = new Set<string>();
  const witnessKeys = new Set<string>();
  let quorumSeen = false;
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const fail = (reason: string): never => {
      throw new Refusal(line, reason);
    };
    const raw = lines[index] as string;
    // "the allowed octet values are 0x09 (tab), 0x0A (newline), 0x20-0x7E, and 0x80-0xFF"
    for (let i = 0; i < raw.length; i++) {
      const code = raw.charCodeAt(i);
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) fail('a control character other than tab');
    }
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword, ...args] = trimmed.split(WHITESPACE) as [string, ...string[]];
    const define = (name: string): void => {
      if (name === QUORUM_NONE || defined.has(name))
        fail(`the name "${name}" is predefined or already defined`);
      defined.add(name);
    };
    const checkUrl = (url: string | undefined): void => {
      if (url !== undefined && !URL.canParse(url)) fail(`"${url}" is not an absolute URL`);
    };
    if (keyword === 'log') {
      if (args.length < 1 || args.length > 2) fail('a log line is "log <vkey> [<url>]"');
      const key = await parseVerifierKey(args[0], ED25519_TYPE);
      if (key === null) return fail('the log key is not an Ed25519 note verifier key (type 0x01)');
      const hex = toHex(key.publicKey);
      if (logKeys.has(hex)) fail('a duplicate log');
      if (witnessKeys.has(hex)) fail('a log that witnesses itself');
      logKeys.add(hex);
      checkUrl(args[1]);
      policy.logs.push({ key, line });
    } else if (keyword === 'witness') {
      if (args.length < 2 || args.length > 3) fail('a witness line is "witness <name> <vkey> [<url>]"');
      const [name = ''] = args;
      const key = await parseVerifierKey(args[1], COSIGNATURE_V1_TYPE);
      if (key === null) return fail('the witness key is not a cosignature/v1 verifier key (type 0x04)');
      define(name);
      const hex = toHex(key.publicKey);
      if (witnessKeys.has(hex)) fail('a duplicate witness');
      if (logKeys.has(hex)) fail('a log that witnesses itself');
      witnessKeys.add(hex);
      checkUrl(args[2]);
      policy.witnesses.push({ name, key, line });
    } else if (keyword === 'group') {
      if (args.length < 3) fail('a group line is "group <name> all|any|<k> <name>..."');
      const [name = '', k = '', ...members] = args;
      define(name);
      const threshold = k === 'all' ? members.length : k === 'any' ? 1 : /^[0-9]+$/.test(k) ? Number(k) : NaN;
      if (!(threshold >= 1 && threshold <= members.length)) fail(`the threshold "${k}" is not 1 ≤ k ≤ n`);
      if (new Set(members).size !== members.length) fail('a member is listed twice');
      for (const member of members) {
        if (member === QUORUM_NONE || member === name || !defined.has(member))
          fail(`"${member}" is not a witness or group defined on a preceding line`);
        if (listed.has(member)) fail(`"${member}" is already a member of a group`);
      }
      members.forEach((member) => listed.add(member));
      policy.groups.push({ name, threshold, members, line });
    } else if (keyword === 'quorum') {
      if (args.length !== 1) fail('a quorum line is "quorum <name>"');
      if (quorumSeen) fail('a second quorum line');
      const [name = ''] = args;
      if (name !== QUORUM_NONE && !defined.has(name)) fail(`"${name}" is not defined on a preceding line`);
      policy.quorum = name;
      quorumSeen = true;
    } else fail(`unknown keyword "${keyword}"`);
  }
  if (!quorumSeen) throw new Refusal(lines.length, 'no quorum line');
  return policy;
}

// ---- verdicts ---------------------------------------------------------------------------------------------------

/** tlog-cosignature: key ID || u64 big-endian timestamp || 64-byte Ed25519 signature. */
const COSIGNATURE_SIZE = 8 + 64;

/** Judges a (cosigned) checkpoint note under a policy; never throws. */
export async function checkUnderPolicy(policy: BrowserPolicy, noteText: unknown): Promise<PolicyVerdict> {
  const note = parseSignedNote(noteText);
  const checkpoint = note === null ? null : parseCheckpointBody(note.text);
  const cosigned: string[] = [];
  const invalid: string[] = [];
  const missing: string[] = [];
  for (const witness of policy.witnesses) {
    const lines = note === null ? [] : linesOf(note, witness.key);
    if (lines.length === 0) missing.push(witness.name);
    else if (note !== null && checkpoint !== null && (await allCosign(note, lines, witness.key)))
      cosigned.push(witness.name);
    else invalid.push(witness.name);
  }
  let logSigned: boolean | null = null;
  if (policy.logs.length > 0) {
    logSigned = false;
    for (const { key } of policy.logs) {
      if (note === null || checkpoint === null || checkpoint.origin !== key.name) continue;
      if ((await verifyNoteSignature(note, key)) === 'valid') logSigned = true;
    }
  }
  const groups = new Map(policy.groups.map((group) => [group.name, group]));
  const witnessed = (name: string): boolean => {
    if (name === QUORUM_NONE) return true;
    const group = groups.get(name);
    return group === undefined
      ? cosigned.includes(name)
      : group.members.filter(witnessed).length >= group.threshold;
  };
  const counting = new Set<string>();
  const reach = (name: string): void => {
    const group = groups.get(name);
    if (group === undefined) counting.add(name);
    else group.members.forEach(reach);
  };
  if (policy.quorum !== QUORUM_NONE) reach(policy.quorum);
  return {
    met: checkpoint !== null && witnessed(policy.quorum) && logSigned !== false,
    logSigned,
    cosigned,
    invalid,
    missing,
    required: fewest(groups, policy.quorum),
    counted: cosigned.filter((name) => counting.has(name)).length,
  };
}

function fewest(groups: Map<string, BrowserPolicy['groups'][number]>, name: string): number {
  if (name === QUORUM_NONE) return 0;
  const group = groups.get(name);
  if (group === undefined) return 1;
  const costs = group.members.map((member) => fewest(groups, member)).sort((a, b) => a - b);
  return costs.slice(0, group.threshold).reduce((sum, cost) => sum + cost, 0);
}

/** signed-note: the lines of a known key are those of its name and key ID; all others are ignored. */
function linesOf(note: SignedNote, key: VerifierKey): SignedNote['signatures'] {
  return note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
}

/**
 * Every line of the witness must be its cosignature/v1 of the note's checkpoint text. A timestamp beyond 2^53 is
 * refused (past 2^63 - 1 it is invalid; the specification lets verifiers refuse timestamps in the future).
 */
async function allCosign(
  note: SignedNote,
  lines: SignedNote['signatures'],
  key: VerifierKey,
): Promise<boolean> {
  for (const { signature } of lines) {
    if (signature.length !== COSIGNATURE_SIZE) return false;
    const time = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
    if (time > BigInt(Number.MAX_SAFE_INTEGER)) return false;
    const message = new TextEncoder().encode(`cosignature/v1\ntime ${time}\n${note.text}`);
    if (!(await verifyEd25519(key.publicKey, message, signature.slice(8)))) return false;
  }
  return true;
}
