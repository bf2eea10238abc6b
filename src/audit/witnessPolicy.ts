/**
 * Transparency log trust policy, C2SP tlog-policy (https://c2sp.org/tlog-policy): the line-based file that lists the
 * known logs (`log <vkey> [<url>]`), the known witnesses (`witness <name> <vkey> [<url>]`), k-of-n witness groups
 * (`group <name> all|any|<k> <name>...`) and the one quorum (`quorum <name>`, or `quorum none`). A checkpoint is valid
 * under a policy when it is signed by one of its logs and cosigned by witnesses according to its quorum.
 *
 * Parsing follows the specification strictly and refuses, with a PolicyError naming the line, everything it does not
 * allow: an unknown keyword, a missing or extra item, a name defined twice (witnesses and groups share one namespace,
 * `none` included), a member or quorum name not defined on a preceding line (which also rules out cycles), `none` as
 * a member, a name listed as a group member more than once, k outside 1..n, two log (or witness) lines wrapping the
 * same public key, a witness wrapping a log's public key (the log's key holder could cosign alone), a vkey of the wrong signature type (0x01 for logs, 0x04 cosignature/v1 for witnesses), a URL that
 * does not parse, a control character other than tab, and no quorum line or two of them.
 *
 * Pure: no file system, no network. The text is taken as a JavaScript string (the caller decodes the file, UTF-8
 * recommended); names are compared as exact strings, without any Unicode normalisation, as the specification asks.
 */
import { cosignatureKeyId, parseWitnessVerifierKey, verifyCosignature } from './cosignature';
import {
  KEY_ID_SIZE,
  parseCheckpointBody,
  parseVerifierKey,
  splitNote,
  verifyCheckpointNote,
  type Checkpoint,
  type VerifierKey,
} from './signedNote';

/** The predefined name of the quorum that requires no cosignature; it is invalid as a group member. */
export const QUORUM_NONE = 'none';

/** A `log <vkey> [<url>]` line. */
export interface PolicyLog {
  /** The vkey as written. */
  vkey: string;
  /** The parsed Ed25519 (type 0x01) note verifier key; its key name is the log's origin. */
  key: VerifierKey;
  url: string | null;
  line: number;
}

/** A `witness <name> <vkey> [<url>]` line. */
export interface PolicyWitness {
  name: string;
  vkey: string;
  /** The parsed cosignature/v1 (type 0x04) verifier key. */
  key: VerifierKey;
  /** Recommended to be the witness's tlog-witness submission prefix. */
  url: string | null;
  line: number;
}

/** A `group <name> all|any|<k> <name>...` line; `all` and `any` are stored as their threshold (n and 1). */
export interface PolicyGroup {
  name: string;
  threshold: number;
  /** Names of witnesses or groups defined on preceding lines. */
  members: readonly string[];
  line: number;
}

export interface Policy {
  logs: readonly PolicyLog[];
  witnesses: readonly PolicyWitness[];
  groups: readonly PolicyGroup[];
  /** The name on the quorum line: a witness, a group, or QUORUM_NONE. */
  quorum: string;
  quorumLine: number;
}

/** A policy text the specification does not allow; `line` counts from 1 (for a missing quorum, the last line). */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`tlog-policy line ${line}: ${reason}`);
  }
}

// ---- parsing ----------------------------------------------------------------------------------------------------

/** "whitespace … means sequences of ASCII space and tab characters *only*". */
const WHITESPACE = /[ \t]+/;
/** k "must be written in decimal". */
const DECIMAL = /^[0-9]+$/;

/**
 * Parses a tlog-policy text; throws a PolicyError naming the first line that breaks the specification. A last line
 * without its newline is accepted.
 */
export function parsePolicy(text: string): Policy {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends the last line
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const groups: PolicyGroup[] = [];
  const defined = new Map<string, number>(); // name -> line of its definition
  const listedAsMember = new Map<string, number>(); // name -> line of the group that lists it
  // "Two vkeys are considered *duplicate* if they wrap the same underlying public key": hex key -> line.
  const logKeys = new Map<string, number>();
  const witnessKeys = new Map<string, number>();
  let quorum: { name: string; line: number } | null = null;

  lines.forEach((raw, index) => {
    const line = index + 1;
    const fail = (reason: string): never => {
      throw new PolicyError(line, reason);
    };
    checkCharacters(raw, fail);
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [keyword, ...args] = trimmed.split(WHITESPACE) as [string, ...string[]];

    const defineName = (name: string): void => {
      if (name === QUORUM_NONE) fail(`"${QUORUM_NONE}" is a predefined name and cannot be defined`);
      const earlier = defined.get(name);
      if (earlier !== undefined) fail(`the name "${name}" is already defined on line ${earlier}`);
      defined.set(name, line);
    };

    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) fail('a log line is "log <vkey> [<url>]"');
        const [vkey = '', url] = args;
        const key = parseKey(vkey, 'log', fail);
        const twin = logKeys.get(key.publicKey.toString('hex'));
        if (twin !== undefined) fail(`duplicate log: the public key of line ${twin} again`);
        const witnessing = witnessKeys.get(key.publicKey.toString('hex'));
        if (witnessing !== undefined)
          fail(`the public key of the witness on line ${witnessing}: a log cannot witness itself`);
        logKeys.set(key.publicKey.toString('hex'), line);
        logs.push({ vkey, key, url: url === undefined ? null : checkUrl(url, fail), line });
        return;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) fail('a witness line is "witness <name> <vkey> [<url>]"');
        const [name = '', vkey = '', url] = args;
        const key = parseKey(vkey, 'witness', fail);
        defineName(name);
        const twin = witnessKeys.get(key.publicKey.toString('hex'));
        if (twin !== undefined) fail(`duplicate witness: the public key of line ${twin} again`);
        const log = logKeys.get(key.publicKey.toString('hex'));
        if (log !== undefined) fail(`the public key of the log on line ${log}: a log cannot witness itself`);
        witnessKeys.set(key.publicKey.toString('hex'), line);
        witnesses.push({ name, vkey, key, url: url === undefined ? null : checkUrl(url, fail), line });
        return;
      }
      case 'group': {
        if (args.length < 3)
          fail('a group line is "group <name> all|any|<k> <name>..." with at least one member');
        const [name = '', k = '', ...members] = args;
        defineName(name);
        const n = members.length;
        const threshold = k === 'all' ? n : k === 'any' ? 1 : parseThreshold(k, n, fail);
        const seen = new Set<string>();
        for (const member of members) {
          if (member === QUORUM_NONE) fail(`"${QUORUM_NONE}" cannot be a group member`);
          if (member === name) fail(`the group "${name}" cannot list itself`);
          if (!defined.has(member)) fail(`"${member}" is not a witness or group defined on a preceding line`);
          if (seen.has(member)) fail(`"${member}" is listed twice in the group`);
          const earlier = listedAsMember.get(member);
          if (earlier !== undefined)
            fail(`"${member}" is already listed as a group member on line ${earlier}`);
          seen.add(member);
        }
        for (const member of members) listedAsMember.set(member, line);
        groups.push({ name, threshold, members, line });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) fail('a quorum line is "quorum <name>"');
        if (quorum !== null) fail(`a policy has exactly one quorum line, and line ${quorum.line} is one`);
        const [name = ''] = args;
        if (name !== QUORUM_NONE && !defined.has(name))
          fail(`"${name}" is not a witness or group defined on a preceding line, nor "${QUORUM_NONE}"`);
        quorum = { name, line };
        return;
      }
      default:
        fail(`unknown keyword "${keyword}" (expected log, witness, group or quorum)`);
    }
  });

  // TypeScript does not see the assignment inside the callback.
  const found = quorum as { name: string; line: number } | null;
  if (found === null) throw new PolicyError(lines.length, 'no quorum line: a policy has exactly one');
  return { logs, witnesses, groups, quorum: found.name, quorumLine: found.line };
}

/** The logs a policy lists (the `log <vkey>` lines): a witness witnesses these, a verifier accepts any of them. */
export function logsOf(policy: Policy): readonly PolicyLog[] {
  return policy.logs;
}

/**
 * "allowed octet values are 0x09 (tab), 0x0A (newline), 0x20-0x7E, and 0x80-0xFF": no other control character and
 * no DEL. A carriage return is refused too, so a CRLF file is refused by its first line.
 */
function checkCharacters(line: string, fail: (reason: string) => never): void {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      const hex = code.toString(16).padStart(2, '0');
      fail(`character 0x${hex} at column ${i + 1} is not allowed (only tab and newline of the controls)`);
    }
  }
}

function parseKey(vkey: string, role: 'log' | 'witness', fail: (reason: string) => never): VerifierKey {
  try {
    return role === 'log' ? parseVerifierKey(vkey) : parseWitnessVerifierKey(vkey);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const kind = role === 'log' ? 'an Ed25519 note (0x01)' : 'a cosignature/v1 (0x04)';
    return fail(`bad ${role} vkey, ${kind} vkey expected: ${why}`);
  }
}

/** The URL as written, after checking that it is an absolute URL (its meaning is left to the application). */
function checkUrl(url: string, fail: (reason: string) => never): string {
  if (!URL.canParse(url)) fail(`"${url}" is not an absolute URL`);
  return url;
}

function parseThreshold(k: string, n: number, fail: (reason: string) => never): number {
  if (!DECIMAL.test(k)) fail(`the threshold "${k}" is not all, any or a decimal number`);
  const threshold = Number(k);
  if (threshold < 1) fail('the threshold k must be at least 1');
  if (threshold > n) fail(`the threshold ${k} is more than the ${n} member${n === 1 ? '' : 's'}`);
  return threshold;
}

// ---- evaluating -------------------------------------------------------------------------------------------------

export interface QuorumResult {
  /** Whether the note is a well-formed checkpoint note whose cosignatures satisfy the quorum. */
  met: boolean;
  /** Witnesses (policy names, in policy order) whose cosignature verified. */
  cosigned: string[];
  /** Witnesses with a line of their key name and key ID that does not verify (a forged or corrupted cosignature). */
  invalid: string[];
  /** Witnesses with no cosignature line on the note. */
  missing: string[];
  /** The time each cosigning witness gives (the latest, if it cosigned more than once). */
  timestamps: ReadonlyMap<string, number>;
}

/**
 * Verifies the cosignature of every witness of the policy on a checkpoint note (with verifyCosignature) and evaluates
 * the quorum: a witness witnesses the checkpoint when its cosignature verifies, a group when at least k of its members
 * do, `none` always. Lines of keys the policy does not list are ignored. The log's signature is not checked here (see
 * checkpointLog); a note that is not a well-formed checkpoint note meets no quorum, not even `none`.
 */
export function quorumMet(policy: Policy, note: string): QuorumResult {
  const parts = splitNote(note);
  const wellFormed = parts !== null && parseCheckpointBody(parts.text) !== null;
  const cosigned: string[] = [];
  const invalid: string[] = [];
  const missing: string[] = [];
  const timestamps = new Map<string, number>();
  for (const witness of policy.witnesses) {
    const time = wellFormed ? verifyCosignature(note, witness.key) : null;
    if (time !== null) {
      cosigned.push(witness.name);
      timestamps.set(witness.name, time);
    } else if (parts !== null && parts.signatures.some((line) => isLineOf(line, witness.key))) {
      invalid.push(witness.name);
    } else {
      missing.push(witness.name);
    }
  }
  const met = wellFormed && witnessed(policy, policy.quorum, new Set(cosigned));
  return { met, cosigned, invalid, missing, timestamps };
}

/**
 * Whether a name of the policy (witness, group or `none`) witnessed a checkpoint, given the witnesses whose
 * cosignatures verified. Exported for callers that already verified the cosignatures.
 */
export function witnessed(policy: Policy, name: string, cosigners: ReadonlySet<string>): boolean {
  const groups = new Map(policy.groups.map((group) => [group.name, group]));
  const memo = new Map<string, boolean>();
  const visit = (current: string): boolean => {
    if (current === QUORUM_NONE) return true;
    const known = memo.get(current);
    if (known !== undefined) return known;
    const group = groups.get(current);
    // A group only lists names defined before it, so this recursion ends (parsePolicy refuses anything else).
    const result =
      group === undefined
        ? cosigners.has(current)
        : group.members.filter((member) => visit(member)).length >= group.threshold;
    memo.set(current, result);
    return result;
  };
  return visit(name);
}

/**
 * The log of the policy that signed a checkpoint note, and the checkpoint, or null when none of its logs did. The
 * log's key name must be the checkpoint's origin ("This name MUST correspond to the log's origin line").
 */
export function checkpointLog(
  policy: Policy,
  note: string,
): { log: PolicyLog; checkpoint: Checkpoint } | null {
  for (const log of policy.logs) {
    const checkpoint = verifyCheckpointNote(note, log.key.publicKey, log.key.keyName);
    if (checkpoint !== null && checkpoint.origin === log.key.keyName) return { log, checkpoint };
  }
  return null;
}

function isLineOf(line: { name: string; blob: Buffer }, witness: VerifierKey): boolean {
  return (
    line.name === witness.keyName &&
    line.blob.subarray(0, KEY_ID_SIZE).equals(cosignatureKeyId(witness.keyName, witness.publicKey))
  );
}
