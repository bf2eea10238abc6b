/** `--policy FILE`, the witness policy (tlog-policy) a verifying command requires its checkpoint to meet. */
import { PolicyFileError, readPolicyFile } from '../audit/policyVerification';
import { PolicyError, type Policy } from '../audit/witnessPolicy';

/**
 * The policy named by --policy, undefined without the option, or null after writing to stderr why it cannot be used
 * (the command then exits 2: a bad policy is bad configuration, not a failed verification).
 */
export function policyOption(command: string, value: string | true | undefined): Policy | undefined | null {
  if (value === undefined) return undefined;
  if (value === true) {
    process.stderr.write(`ledger ${command}: --policy names a tlog-policy file\n`);
    return null;
  }
  try {
    return readPolicyFile(value);
  } catch (error) {
    if (error instanceof PolicyError) {
      process.stderr.write(`ledger ${command}: the policy ${value}, line ${error.line}: ${error.reason}\n`);
      return null;
    }
    if (error instanceof PolicyFileError) {
      process.stderr.write(`ledger ${command}: ${error.message}\n`);
      return null;
    }
    throw error;
  }
}
