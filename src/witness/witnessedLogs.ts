/**
 * The logs a witness witnesses: the `log <vkey>` lines of its tlog-policy file, by origin (a vkey's key name is the
 * log's origin; two log lines with one origin are two trusted keys of that log). The policy's witness, group and
 * quorum lines say what a client requires and mean nothing to the witness itself.
 */
import type { KnownLogs } from '../audit/witness';
import type { VerifierKey } from '../audit/signedNote';
import { logsOf, type Policy } from '../audit/witnessPolicy';

/** A policy a witness cannot serve with; `line` names the line when one is at fault. */
export class WitnessPolicyError extends Error {
  override readonly name = 'WitnessPolicyError';
}

/** Gathers the keys of the policy's logs, by origin. */
export function witnessedLogs(policy: Policy): KnownLogs {
  const logs = new Map<string, VerifierKey[]>();
  for (const { key } of logsOf(policy)) {
    const keys = logs.get(key.keyName) ?? [];
    keys.push(key);
    logs.set(key.keyName, keys);
  }
  if (logs.size === 0)
    throw new WitnessPolicyError('it has no "log <vkey>" line: a witness needs a log to witness');
  return logs;
}
