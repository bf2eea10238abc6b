/**
 * The decision core of a transparency-log witness, C2SP tlog-witness (https://c2sp.org/tlog-witness), the
 * `add-checkpoint` call: a log POSTs an old size, a consistency proof and a new signed checkpoint; the witness checks
 * the log's signature, that the old size is the size it last cosigned for that origin and that the proof carries its
 * stored root to the new one, and only then cosigns (tlog-cosignature `cosignature/v1`) and records the new head.
 *
 * Pure: the witness's record for the log goes in and the record to store comes out, the time of the cosignature is
 * passed in, nothing is read or written here. The caller must make "check the old size, then persist the new head"
 * atomic per origin and persist before it answers, as the specification requires (its race of requests A and B).
 *
 * The request format is also written here (encodeAddCheckpointRequest) and the response read back
 * (parseAddCheckpointResponse), since the ledger is the witnesses' client.
 */
import type { KeyObject } from 'node:crypto';
import { cosign } from './cosignature';
import { verifyConsistency } from './consistencyProof';
import type { Checkpoint, VerifierKey } from './signedNote';
import {
  KEY_ID_SIZE,
  isNoteSafe,
  keyId,
  parseCheckpointBody,
  parseSignatureLines,
  splitNote,
  strictBase64,
  verifyEd25519,
} from './signedNote';
import { HASH_SIZE, emptyRoot } from './rfc9162';

/** tlog-witness: "The client MUST NOT send more than 63 consistency proof lines"; the witness refuses more. */
export const MAX_PROOF_LINES = 63;
/**
 * The longest request body read, in UTF-16 code units (this project's choice; the specification sets none). An old
 * size line, 63 proof lines and a checkpoint with the 100 signature lines splitNote accepts fit well within it.
 */
export const MAX_REQUEST_LENGTH = 64 * 1024;
/** tlog-witness: the 409 response "MUST have a `Content-Type` of `text/x.tlog.size`". */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** The content type of every other answer; the specification names none for them. */
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
/** The path of the call under the witness's submission prefix. */
export const ADD_CHECKPOINT_PATH = '/add-checkpoint';

/** A parsed add-checkpoint request body. */
export interface AddCheckpointRequest {
  /** The tree size of the previous checkpoint, the one the client believes the witness last cosigned. */
  oldSize: number;
  /** The RFC 6962 §2.1.2 consistency proof from oldSize to the checkpoint's size, one 32-byte hash per line. */
  proof: Buffer[];
  /** The signed checkpoint note (text, empty line, signature lines), as sent. */
  checkpoint: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What a witness records per log: the latest checkpoint it cosigned (origin, size and root hash). */
export type WitnessLogState = Checkpoint;

/** The witness's own cosigning key and the key name its vkey carries. */
export interface WitnessKey {
  name: string;
  privateKey: KeyObject;
}

/** The logs a witness serves: origin → the log's trusted note-signing (0x01) keys. */
export type KnownLogs = ReadonlyMap<string, readonly VerifierKey[]>;

/** The answers of add-checkpoint, each with the HTTP status tlog-witness gives it. */
export type AddCheckpointOutcome =
  | {
      status: 200;
      contentType: typeof TEXT_CONTENT_TYPE;
      /** The witness's cosignature line(s), each "— <name> <base64>" and its newline. */
      body: string;
      /** The record to persist (atomically with the check) before answering. */
      state: WitnessLogState;
      /** The checkpoint with the cosignature appended, for the monitoring retrieval endpoint. */
      cosignedCheckpoint: string;
    }
  | {
      status: 409;
      contentType: typeof TLOG_SIZE_CONTENT_TYPE;
      /** "the tree size of the latest cosigned checkpoint in decimal, followed by a newline". */
      body: string;
      reason: string;
      origin: string;
    }
  | {
      status: 400 | 403 | 404 | 422;
      contentType: typeof TEXT_CONTENT_TYPE;
      body: string;
      reason: string;
      /** The origin when it could be read. */
      origin?: string;
      /**
       * True for a checkpoint validly signed by a known log that fails a consistency check (422): the specification
       * says the witness MAY log it "as it might be proof of log misbehavior".
       */
      evidence: boolean;
    };

// ---- request format ---------------------------------------------------------------------------------------------

/**
 * Parses an add-checkpoint body: `old <size>` (ASCII decimal, no leading zeroes), at most 63 lines of one base64
 * 32-byte hash each, an empty line, then a signed checkpoint note; every line ends in U+000A. Anything else is
 * refused with a reason (a witness answers 400): a CR anywhere, a size beyond Number.MAX_SAFE_INTEGER, a proof line
 * that is not canonical base64 of 32 bytes, a 64th proof line, a missing empty line, a body over MAX_REQUEST_LENGTH,
 * a checkpoint that is not a well-formed signed note with a tlog-checkpoint text.
 */
export function parseAddCheckpointRequest(body: string): ParseResult<AddCheckpointRequest> {
  if (typeof body !== 'string') return refuse('the request body is not text');
  if (body.length > MAX_REQUEST_LENGTH)
    return refuse(`the request body is longer than ${MAX_REQUEST_LENGTH} characters`);
  if (body.includes('\r')) return refuse('lines end in a newline (U+000A) alone, not CR LF');

  let at = body.indexOf('\n');
  if (at < 0) return refuse('the old size line does not end in a newline');
  const oldSize = parseSize(body.slice(0, at), 'old ');
  if (oldSize === null)
    return refuse('the first line must be "old <size>", a decimal size without leading zeroes');

  const proof: Buffer[] = [];
  for (;;) {
    const start = at + 1;
    at = body.indexOf('\n', start);
    if (at < 0) return refuse('the empty line before the checkpoint is missing');
    const line = body.slice(start, at);
    if (line.length === 0) break;
    if (proof.length === MAX_PROOF_LINES)
      return refuse(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    const hash = strictBase64(line);
    if (hash === null || hash.length !== HASH_SIZE)
      return refuse(`consistency proof line ${proof.length + 1} is not the base64 of a 32-byte hash`);
    proof.push(hash);
  }

  const checkpoint = body.slice(at + 1);
  const parts = splitNote(checkpoint);
  if (parts === null) return refuse('the checkpoint is not a well-formed signed note');
  if (parseCheckpointBody(parts.text) === null)
    return refuse('the note text is not a checkpoint (origin, size, root hash)');
  return { ok: true, value: { oldSize, proof, checkpoint } };
}

/** The request body of add-checkpoint, for the ledger as a witness's client; throws a TypeError on a bad input. */
export function encodeAddCheckpointRequest(request: AddCheckpointRequest): string {
  const { oldSize, proof, checkpoint } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new TypeError('the old size is an integer >= 0');
  if (proof.length > MAX_PROOF_LINES)
    throw new TypeError(`at most ${MAX_PROOF_LINES} consistency proof lines`);
  if (!proof.every((hash) => hash.length === HASH_SIZE))
    throw new TypeError('every consistency proof line is a 32-byte hash');
  const parts = splitNote(checkpoint);
  if (parts === null || parseCheckpointBody(parts.text) === null)
    throw new TypeError('the checkpoint must be a signed checkpoint note');
  const lines = proof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`).join('');
  return `old ${oldSize}\n${lines}\n${checkpoint}`;
}

// ---- the witness's decision -------------------------------------------------------------------------------------

/**
 * Decides one add-checkpoint request, in the order of tlog-witness's checks:
 *   400 the body is malformed (parseAddCheckpointRequest's reason);
 *   404 the checkpoint's origin is not a known log;
 *   403 no signature of a trusted key of that origin, or a line with a trusted key's name and ID that fails;
 *   400 the old size is above the checkpoint size;
 *   409 the old size is not the size last cosigned (0 when never), the body being that size and a newline;
 *   422 a size-0 checkpoint whose root is not the empty tree's, a non-empty proof from size 0, a proof that does
 *       not verify from the stored root, or the same size with another root;
 *   200 the witness's cosignature at `now` (POSIX seconds, > 0: the timestamp "MUST NOT be zero"), and the new state.
 * `state` is the witness's record for the checkpoint's origin (null if it never cosigned one: look it up with
 * requestOrigin); a record of another origin is a caller's error and throws.
 */
export function decideAddCheckpoint(
  state: WitnessLogState | null,
  body: string | AddCheckpointRequest,
  logs: KnownLogs,
  witnessKey: WitnessKey,
  now: number,
): AddCheckpointOutcome {
  if (!Number.isSafeInteger(now) || now <= 0)
    throw new TypeError('the cosignature time is POSIX seconds > 0 (tlog-witness: it MUST NOT be zero)');
  const parsed = typeof body === 'string' ? parseAddCheckpointRequest(body) : checkRequest(body);
  if (!parsed.ok) return failure(400, parsed.reason);
  const { oldSize, proof, checkpoint } = parsed.value;
  // Both are non-null: parseAddCheckpointRequest and checkRequest refused the rest.
  const parts = splitNote(checkpoint) as NonNullable<ReturnType<typeof splitNote>>;
  const head = parseCheckpointBody(parts.text) as Checkpoint;
  const { origin } = head;
  if (state !== null && state.origin !== origin)
    throw new TypeError(`the witness state given is for ${state.origin}, not for ${origin}`);

  const keys = logs.get(origin);
  if (keys === undefined) return failure(404, `unknown log origin ${JSON.stringify(origin)}`);
  const signed = logSignature(parts, keys);
  if (signed !== 'verified') return failure(403, signed, origin);

  if (oldSize > head.treeSize)
    return failure(400, `the old size ${oldSize} is above the checkpoint size ${head.treeSize}`, origin);
  const storedSize = state?.treeSize ?? 0;
  if (oldSize !== storedSize) {
    return {
      status: 409,
      contentType: TLOG_SIZE_CONTENT_TYPE,
      body: `${storedSize}\n`,
      reason: `the old size ${oldSize} is not the size last cosigned, ${storedSize}`,
      origin,
    };
  }

  const storedRoot = state?.rootHash ?? emptyRoot();
  if (head.treeSize === 0 && !head.rootHash.equals(emptyRoot()))
    return failure(422, 'a checkpoint of size 0 must have the root hash of the empty tree', origin, true);
  if (oldSize === 0 && proof.length > 0)
    return failure(422, 'the consistency proof from size 0 must be empty', origin, true);
  if (oldSize === head.treeSize && !head.rootHash.equals(storedRoot))
    return failure(422, `the root hash at size ${oldSize} differs from the one cosigned`, origin, true);
  if (!verifyConsistency(oldSize, head.treeSize, proof, storedRoot, head.rootHash)) {
    return failure(
      422,
      `the consistency proof from size ${oldSize} to ${head.treeSize} does not verify`,
      origin,
      true,
    );
  }

  const line = cosign(parts.text, witnessKey.privateKey, witnessKey.name, now);
  return {
    status: 200,
    contentType: TEXT_CONTENT_TYPE,
    body: line,
    state: { origin, treeSize: head.treeSize, rootHash: Buffer.from(head.rootHash) },
    cosignedCheckpoint: `${checkpoint}${line}`,
  };
}

/**
 * The origin of a request's checkpoint, to look up the witness's record before decideAddCheckpoint; null for a
 * body parseAddCheckpointRequest refuses.
 */
export function requestOrigin(body: string): string | null {
  const parsed = parseAddCheckpointRequest(body);
  if (!parsed.ok) return null;
  const parts = splitNote(parsed.value.checkpoint);
  return parts === null ? null : (parseCheckpointBody(parts.text)?.origin ?? null);
}

// ---- the client's reading of the answer -------------------------------------------------------------------------

export type AddCheckpointResponse =
  | { kind: 'cosigned'; cosignatures: string[] }
  | { kind: 'conflict'; size: number }
  | { kind: 'error'; status: number; message: string };

/**
 * Reads a witness's answer. 200: one or more note signature lines (each returned with its newline, to append to the
 * checkpoint and check with verifyCosignature: nothing is verified here, and lines of unknown keys are for the caller
 * to ignore). 409: the witness's current size, a decimal and a newline, with Content-Type text/x.tlog.size when a
 * content type is given. Anything else, or a malformed 200 or 409, is an error with the status and a message.
 */
export function parseAddCheckpointResponse(
  status: number,
  body: string,
  contentType?: string,
): AddCheckpointResponse {
  if (status === 200) {
    if (body.length > MAX_REQUEST_LENGTH || !isNoteSafe(body))
      return error(status, 'the cosignature lines are not note text');
    const lines = body.length === 0 ? null : parseSignatureLines(body);
    if (lines === null) return error(status, 'the body is not one or more note signature lines');
    return {
      kind: 'cosigned',
      cosignatures: body
        .slice(0, -1)
        .split('\n')
        .map((line) => `${line}\n`),
    };
  }
  if (status === 409) {
    if (contentType !== undefined && mediaType(contentType) !== TLOG_SIZE_CONTENT_TYPE)
      return error(status, `a conflict is answered as ${TLOG_SIZE_CONTENT_TYPE}, not ${contentType}`);
    const size = body.endsWith('\n') ? parseSize(body.slice(0, -1), '') : null;
    if (size === null) return error(status, 'the conflict body is not a tree size and a newline');
    return { kind: 'conflict', size };
  }
  const text = isNoteSafe(body) ? body.slice(0, 200).trim() : '';
  return error(status, text.length > 0 ? text : `HTTP status ${status}`);
}

// ---- internals --------------------------------------------------------------------------------------------------

/**
 * signed-note as tlog-witness applies it: lines of unknown keys are ignored; a line whose name and key ID are those
 * of a trusted key must verify (else the note is malformed); at least one must be there.
 */
function logSignature(
  { text, signatures }: { text: string; signatures: { name: string; blob: Buffer }[] },
  keys: readonly VerifierKey[],
): 'verified' | string {
  const message = Buffer.from(text, 'utf8');
  let verified = false;
  for (const { name, blob } of signatures) {
    const id = blob.subarray(0, KEY_ID_SIZE);
    const key = keys.find((k) => k.keyName === name && keyId(k.keyName, k.publicKey).equals(id));
    if (key === undefined) continue;
    if (!verifyEd25519(key.publicKey, message, blob.subarray(KEY_ID_SIZE)))
      return `the signature of ${name} does not verify`;
    verified = true;
  }
  return verified ? 'verified' : 'no signature of a trusted key of this log';
}

/** An AddCheckpointRequest given as an object is held to what the parser would accept of it. */
function checkRequest(request: AddCheckpointRequest): ParseResult<AddCheckpointRequest> {
  try {
    return parseAddCheckpointRequest(encodeAddCheckpointRequest(request));
  } catch (e) {
    return refuse(e instanceof Error ? e.message : 'malformed request');
  }
}

/** `<prefix><decimal>` with no leading zeroes, within Number.MAX_SAFE_INTEGER; else null. */
function parseSize(line: string, prefix: string): number | null {
  if (!line.startsWith(prefix)) return null;
  const digits = line.slice(prefix.length);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return null;
  const size = Number(digits);
  return Number.isSafeInteger(size) ? size : null;
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function failure(
  status: 400 | 403 | 404 | 422,
  reason: string,
  origin?: string,
  evidence = false,
): AddCheckpointOutcome {
  return {
    status,
    contentType: TEXT_CONTENT_TYPE,
    body: `${reason}\n`,
    reason,
    ...(origin === undefined ? {} : { origin }),
    evidence,
  };
}

function error(status: number, message: string): AddCheckpointResponse {
  return { kind: 'error', status, message };
}
