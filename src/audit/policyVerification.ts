/**
 * A checkpoint verified under a witness policy (tlog-policy, "What is a policy?"): signed by one of the policy's
 * logs and cosigned by witnesses so that its quorum is met. What `ledger verify --policy` and `ledger verify-trace
 * --policy` report: the verdict and, when it fails, which witnesses cosigned, which did not, and what the quorum
 * needs, in words an operator can act on.
 *
 * A policy without `log` lines ("an application where the appropriate log(s) are known from other context may
 * accept a policy with an empty set of logs") leaves the log's signature to the caller, which checks it with the
 * key it pins as it did before (the data directory's key, --public-key, the checkpoint's own key).
 */
import fs from 'node:fs';
import { parseCheckpointBody, splitNote } from './signedNote';
import { checkpointLog, parsePolicy, quorumMet, QUORUM_NONE, type Policy } from './witnessPolicy';

/** A policy is a few dozen lines; far more is not a policy file (and is refused before it is parsed). */
export const MAX_POLICY_FILE_SIZE = 1024 * 1024;

/** A policy file that cannot be used: unreadable, too large, not UTF-8, or a PolicyError. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
  constructor(
    message: string,
    /** The system's error code when the file could not be read at all (ENOENT, EACCES …). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Reads and parses a tlog-policy file; throws PolicyFileError for a file it cannot read, one over
 * MAX_POLICY_FILE_SIZE or one that is not UTF-8 (names are compared as exact strings, so a byte that does not decode
 * is refused rather than replaced), and PolicyError (with its line) for a text tlog-policy does not allow.
 */
export function readPolicyFile(file: string): Policy {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_POLICY_FILE_SIZE)
      throw new PolicyFileError(`${file} is ${size} bytes; a policy file is at most ${MAX_POLICY_FILE_SIZE}`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof PolicyFileError) throw error;
    throw new PolicyFileError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      (error as NodeJS.ErrnoException).code,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new PolicyFileError(`${file} is not UTF-8 text`);
  }
  return parsePolicy(text);
}

export interface PolicyVerdict {
  /** Signed by one of the policy's logs (or the policy names none) and the quorum is met. */
  met: boolean;
  /** The tree size the note signs, when it is a checkpoint note. */
  treeSize: number | null;
  /** Whether a `log` line's key signed the note; null when the policy names no logs (the caller's key counts). */
  logSigned: boolean | null;
  /** The name on the quorum line. */
  quorum: string;
  /** The fewest cosigning witnesses that can meet the quorum (0 for `quorum none`). */
  required: number;
  /** Witnesses whose cosignature verified and who count toward the quorum. */
  counted: number;
  /** Policy names of the witnesses whose cosignature verified, those whose line failed, those with no line. */
  cosigned: string[];
  invalid: string[];
  missing: string[];
  /** The quorum rule in words: `2 of (a, b, c)`. */
  requirement: string;
}

/** Evaluates a (cosigned) checkpoint note under a policy. Never throws for any note. */
export function verifyUnderPolicy(policy: Policy, note: string): PolicyVerdict {
  const quorum = quorumMet(policy, note);
  const signer = policy.logs.length === 0 ? null : checkpointLog(policy, note);
  const logSigned = policy.logs.length === 0 ? null : signer !== null;
  const counting = quorumWitnesses(policy);
  const parts = splitNote(note);
  const checkpoint = parts === null ? null : parseCheckpointBody(parts.text);
  return {
    met: quorum.met && logSigned !== false,
    treeSize: checkpoint?.treeSize ?? null,
    logSigned,
    quorum: policy.quorum,
    required: fewestWitnesses(policy, policy.quorum),
    counted: quorum.cosigned.filter((name) => counting.has(name)).length,
    cosigned: quorum.cosigned,
    invalid: quorum.invalid,
    missing: quorum.missing,
    requirement: describeQuorum(policy),
  };
}

/** The verdict as lines for a terminal: one summary, then who cosigned and what the quorum needs. */
export function explainVerdict(verdict: PolicyVerdict): string[] {
  const list = (names: string[]): string => (names.length === 0 ? 'none' : names.join(', '));
  const lines: string[] = [];
  if (verdict.logSigned === false) lines.push('the checkpoint is not signed by any log the policy lists');
  if (verdict.met) lines.push(`the quorum "${verdict.quorum}" is met`);
  else if (verdict.logSigned !== false)
    lines.push(
      `cosigned by ${verdict.counted} of the ${verdict.required} witness${verdict.required === 1 ? '' : 'es'} the policy requires`,
    );
  lines.push(`  cosigned: ${list(verdict.cosigned)}`);
  lines.push(`  not cosigned: ${list(verdict.missing)}`);
  if (verdict.invalid.length > 0)
    lines.push(`  cosignature that does not verify (forged or altered): ${list(verdict.invalid)}`);
  lines.push(`  the quorum needs: ${verdict.requirement}`);
  return lines;
}

/** The quorum rule in words, groups expanded: `all of (X-witnesses: 2 of (X1, X2, X3), Y1)`. */
export function describeQuorum(policy: Policy): string {
  const groups = new Map(policy.groups.map((group) => [group.name, group]));
  const describe = (name: string, top: boolean): string => {
    if (name === QUORUM_NONE) return 'no cosignature';
    const group = groups.get(name);
    if (group === undefined) return top ? `a cosignature by ${name}` : name;
    const k =
      group.threshold === group.members.length && group.members.length > 1
        ? 'all'
        : group.threshold === 1 && group.members.length > 1
          ? 'any'
          : String(group.threshold);
    const members = group.members.map((member) => describe(member, false)).join(', ');
    return `${top ? '' : `${name}: `}${k} of (${members})`;
  };
  return describe(policy.quorum, true);
}

/** The witnesses the quorum reaches through its groups: only their cosignatures count. */
function quorumWitnesses(policy: Policy): Set<string> {
  const groups = new Map(policy.groups.map((group) => [group.name, group]));
  const reached = new Set<string>();
  const visit = (name: string): void => {
    const group = groups.get(name);
    if (group === undefined) reached.add(name);
    else group.members.forEach(visit);
  };
  if (policy.quorum !== QUORUM_NONE) visit(policy.quorum);
  return reached;
}

/** The fewest witness cosignatures that make `name` witness a checkpoint: a group takes its k cheapest members. */
function fewestWitnesses(policy: Policy, name: string): number {
  if (name === QUORUM_NONE) return 0;
  const group = policy.groups.find((g) => g.name === name);
  if (group === undefined) return 1;
  const costs = group.members.map((member) => fewestWitnesses(policy, member)).sort((a, b) => a - b);
  return costs.slice(0, group.threshold).reduce((sum, cost) => sum + cost, 0);
}
