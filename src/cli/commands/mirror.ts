/**
 * `ledger mirror verify URL|DIR`: checks a copy of the ledger's tiled log (C2SP tlog-tiles) — a folder written by
 * `ledger tiles export`, a static web server or CDN serving one, or the ledger's own /api/v1/audit/tlog — against
 * its signed checkpoint, with no trust in whoever serves it (audit/tileMirror.ts).
 */
import fs from 'node:fs';
import { parseVerifierKey, type VerifierKey } from '../../audit/signedNote';
import { verifyMirror, type MirrorTrust } from '../../audit/tileMirror';
import { TileFolder, TileUrl, type TileSource } from '../../audit/tileSource';
import { PolicyFileError, readPolicyFile } from '../../audit/policyVerification';
import { PolicyError } from '../../audit/witnessPolicy';
import type { ParsedArgs } from '../args';
import { progress } from '../progress';

/** Where the token for entry bundles comes from when --token is not given (a command line shows in `ps`). */
export const TOKEN_VARIABLE = 'LEDGER_TOKEN';
const DEFAULT_TIMEOUT_SECONDS = 30;
const ATTEMPTS = 3;

const usage = `ledger mirror verify URL|DIR [--key VKEY] [--policy FILE] [--entries] [--token TOKEN] [--timeout S]

Verifies a mirror of the ledger's tiled transparency log (C2SP tlog-tiles, docs/tiles.md "Mirrors"): a folder
written by \`ledger tiles export\`, or a URL prefix serving one (e.g. https://ledger.example/api/v1/audit/tlog, or
any static web server or CDN that publishes such a folder). Reads its checkpoint and checks the log's signature
(and with --policy the witnesses' cosignatures); then reads every tile that tree size needs, checks each one's
length, recomputes every hash from the level below and the root from the tiles, and compares it with the
checkpoint. With entry bundles it also hashes every entry and checks it against its leaf hash, and that it is an
event's canonical text at its position. In a folder every file under tile/ must be a tile: partial tiles of
earlier sizes are checked as prefixes of the tiles they grew into, tiles past the checkpoint's tree only for form.

A checkpoint must be verified against a key you trust: the mirror's own word proves nothing, so one of --key or
--policy is required.

  --key VKEY      the log's verifier key (name+keyid+base64, as \`ledger checkpoint\` prints it)
  --policy FILE   a tlog-policy file: the checkpoint must be signed by one of its logs (or by --key) and
                  cosigned by its quorum of witnesses
  --entries       also check the entry bundles (leaf texts); a folder's are checked whenever it has any.
                  Over a URL they need an evaluator's or admin's token
  --token TOKEN   that token (default: the ${TOKEN_VARIABLE} environment variable, which keeps it out of \`ps\`);
                  sent only with entry bundle requests, and never printed
  --timeout S     seconds to wait for each answer (default ${DEFAULT_TIMEOUT_SECONDS}); an unanswered or failing request is
                  tried ${ATTEMPTS} times. Each tile is read with a bound on its size (8 KiB; an entry bundle 16 MiB)

Prints "ok: …" with the tree size and root when everything verifies; otherwise names the resource (the
checkpoint, a tile's path) and what is wrong with it. Progress goes to stderr.

Exit code: 0 verified, 1 not verified (a problem found, or the mirror could not be read), 2 bad usage.`;

export const mirrorCommand = {
  summary: 'verify a mirror of the tiled log (a folder or a URL) against its checkpoint',
  usage,
  options: ['key', 'policy', 'entries', 'token', 'timeout'],
  async run(args: ParsedArgs): Promise<number> {
    // "--entries DIR" reads as an option with a value: it is a flag, and DIR the folder (as for `ledger tiles`).
    const entriesOption = args.options.entries;
    const positionals =
      typeof entriesOption === 'string' ? [...args.positionals, entriesOption] : args.positionals;
    const [action, target, ...extra] = positionals;
    const usageError = (message: string): number => {
      process.stderr.write(`ledger mirror: ${message} (ledger mirror --help)\n`);
      return 2;
    };
    if (action !== 'verify')
      return usageError(action === undefined ? 'say "verify"' : `unknown action "${action}"`);
    if (target === undefined) return usageError('name the folder or the URL to verify');
    if (extra.length > 0) return usageError(`one folder or URL at a time, not also ${extra.join(' ')}`);

    const trust = trustOf(args);
    if (typeof trust === 'string') return usageError(trust);
    const source = sourceOf(target, args);
    if (typeof source === 'string') return usageError(source);
    const entries = entriesOption === undefined ? 'if-present' : 'required';

    const bar = progress('mirror verify', { unit: 'files' });
    const result = await verifyMirror(source, trust, {
      entries,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    if (!result.ok) {
      const where = result.resource === null ? '' : `${result.resource}: `;
      process.stdout.write(`FAILED: ${where}${result.problem}\n`);
      return 1;
    }
    const { checkpoint, signedBy, cosignedBy, tiles, entryBundles, earlierPartials, beyondTree } = result;
    process.stdout.write(
      `ok: ${source.location} holds the log ${checkpoint.origin} at tree size ${checkpoint.treeSize}, ` +
        `root ${checkpoint.rootHash.toString('base64')}\n` +
        `  checkpoint signed by ${signedBy}` +
        (trust.policy !== undefined ? `, cosigned by ${cosignedBy.join(', ') || 'none'} (quorum met)` : '') +
        `\n  ${tiles} tile${tiles === 1 ? '' : 's'} verified` +
        (entryBundles > 0
          ? `, ${entryBundles} entry bundle${entryBundles === 1 ? '' : 's'} (${checkpoint.treeSize} entries) verified`
          : ', entry bundles not checked') +
        (earlierPartials > 0 ? `, ${earlierPartials} partial tiles of earlier sizes verified` : '') +
        '\n' +
        (beyondTree > 0
          ? `  note: ${beyondTree} file${beyondTree === 1 ? '' : 's'} under tile/ lie beyond this tree (a later ` +
            "tree's, or an export under way): well formed, but this checkpoint does not prove them\n"
          : ''),
    );
    return 0;
  },
};

/** --key and --policy; a string says what is wrong. */
function trustOf(args: ParsedArgs): MirrorTrust | string {
  const { key, policy } = args.options;
  if (key === true) return '--key takes a verifier key';
  if (policy === true) return '--policy takes a file';
  if (key === undefined && policy === undefined) {
    return "give the log key (--key VKEY) or a witness policy (--policy FILE): a checkpoint taken on the mirror's word proves nothing";
  }
  const trust: MirrorTrust = {};
  if (key !== undefined) {
    try {
      trust.key = parseVerifierKey(key) satisfies VerifierKey;
    } catch (error) {
      return `--key: ${(error as Error).message}`;
    }
  }
  if (policy !== undefined) {
    try {
      trust.policy = readPolicyFile(policy);
    } catch (error) {
      if (error instanceof PolicyFileError)
        return error.code === undefined ? error.message : `cannot read the policy ${policy}: ${error.code}`;
      if (error instanceof PolicyError) return `${policy}: ${error.message}`;
      throw error;
    }
    if (trust.key === undefined && trust.policy.logs.length === 0) {
      return `${policy} names no log: add a log line, or give the log's key with --key`;
    }
  }
  return trust;
}

/** A folder, or an http(s) URL prefix; a string says what is wrong. */
function sourceOf(target: string, args: ParsedArgs): TileSource | string {
  const { token: tokenOption, timeout } = args.options;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return `${target} is not a URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${target}: only http and https URLs`;
    if (tokenOption === true) return '--token takes the token';
    const seconds = timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(timeout);
    if (!(Number.isFinite(seconds) && seconds > 0)) return '--timeout takes a number of seconds above 0';
    const token = tokenOption ?? process.env[TOKEN_VARIABLE];
    return new TileUrl(url, {
      ...(token !== undefined && token !== '' ? { token } : {}),
      timeoutMs: seconds * 1000,
      attempts: ATTEMPTS,
    });
  }
  if (tokenOption !== undefined || timeout !== undefined)
    return '--token and --timeout are for URLs, not folders';
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return `${target} is neither a folder nor an http(s) URL`;
  }
  if (!stat.isDirectory()) return `${target} is not a folder`;
  return new TileFolder(target);
}
