/**
 * The ledger as the witnesses' client, C2SP tlog-witness (https://c2sp.org/tlog-witness): every checkpoint the
 * ledger signs is submitted with `add-checkpoint` to each witness of its tlog-policy file, with the consistency proof
 * from the size that witness last cosigned, and each cosignature that verifies under the policy's key of that
 * witness is kept beside the checkpoint (audit.addCosignature), to be served appended to it.
 *
 * Commands never wait on witnesses: the checkpoint listener only queues the checkpoint and schedules a round; each
 * witness has its own queue, so a slow or dead witness holds no other. A witness that answers gets every checkpoint
 * in order. One that fails is retried with backoff (1 s doubling to 60 s) with the newest checkpoint only, so when it
 * comes back the checkpoints signed meanwhile keep no cosignature of it (a client needs one witnessed checkpoint
 * that covers its events, not every one).
 *
 * What a witness answers is read as hostile input: a bounded body, no redirects, a time limit per request, and only
 * a line that verifies against the policy's key for that checkpoint is ever stored.
 */
import type { AuditLog } from './auditLog';
import type { StoredCheckpoint } from './checkpointStore';
import { verifyCosignatureLine } from './cosignature';
import { splitNote } from './signedNote';
import {
  ADD_CHECKPOINT_PATH,
  MAX_REQUEST_LENGTH,
  encodeAddCheckpointRequest,
  parseAddCheckpointResponse,
} from './witness';
import { quorumMet, witnessed, type Policy, type PolicyWitness, type QuorumResult } from './witnessPolicy';
import type { Logger } from '../logger';
import { boundedBody } from './boundedBody';

/**
 * `pending`: nothing answered yet; `cosigned`: the last submission was cosigned; `retrying`: the last one failed
 * and is retried after a delay; `alarm`: the witness refused a checkpoint as inconsistent with what it cosigned
 * (a forked history); `not-asked`: the policy gives no URL, so the witness counts for the quorum but is not asked.
 */
export const WITNESS_STATES = ['pending', 'cosigned', 'retrying', 'alarm', 'not-asked'] as const;
export type WitnessState = (typeof WITNESS_STATES)[number];

/** One witness as readiness and the log show it. No secrets: names, URLs, sizes, times and messages. */
export interface WitnessReport {
  name: string;
  url: string | null;
  state: WitnessState;
  /** The tree size the witness last cosigned as far as the ledger knows (stored cosignatures, 409 answers). */
  lastSizeCosigned: number | null;
  lastError: string | null;
  /** The last inconsistency refusal, kept for as long as the process runs: an operator must see it. */
  alarm: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
}

export interface WitnessingReport {
  quorum: string;
  /** The latest checkpoint, and whether its cosignatures meet the policy's quorum (quorumMet). */
  latest: { treeSize: number; quorumMet: boolean; cosigned: string[]; missing: string[] } | null;
  witnesses: WitnessReport[];
}

/** What the routes need of witnessing (the trace picks a witnessed checkpoint; readiness reports). */
export interface Witnessing {
  /** Whether the checkpoint's stored cosignatures meet the policy's quorum. */
  isWitnessed(checkpoint: StoredCheckpoint): boolean;
  /** The newest checkpoint seen to meet the quorum since start, if any. */
  newestWitnessed(): StoredCheckpoint | undefined;
  /** Resolves true once the checkpoint meets the quorum, false after `timeoutMs`. */
  waitForQuorum(checkpoint: StoredCheckpoint, timeoutMs: number): Promise<boolean>;
  report(): WitnessingReport;
}

export interface WitnessSubmitterOptions {
  audit: AuditLog;
  policy: Policy;
  logger: Logger;
  /** The time limit of one request, headers and body (default 10 s). */
  requestTimeoutMs?: number;
  /** The first delay before a failed submission is retried, doubling up to maxRetryDelayMs (defaults 1 s, 60 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  clock?: () => Date;
}

type RoundResult = 'cosigned' | 'retry' | 'alarm';

/** More checkpoints waiting for one witness than this and only the newest is kept (a witness far behind). */
const MAX_QUEUED = 100;

/** A witness's answer read as far as the client needs it. */
interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
}

/**
 * Why a submission failed, in the ledger's own words (`message`, shown in /readyz, which anyone may read) and, apart,
 * what the witness said (`said`, logged only: a witness's text is not the ledger's to publish).
 */
class Failure extends Error {
  constructor(
    message: string,
    readonly kind: 'retry' | 'alarm',
    readonly said?: string,
  ) {
    super(message);
  }
}

export class WitnessSubmitter implements Witnessing {
  private readonly audit: AuditLog;
  private readonly policy: Policy;
  private readonly logger: Logger;
  private readonly clients: WitnessClient[];
  private readonly quorumWaiters = new Set<{ treeSize: number; settle(met: boolean): void }>();
  private witnessedHead: StoredCheckpoint | undefined;
  private lastQuorum: { note: string; result: QuorumResult } | undefined;
  private unsubscribe: (() => void) | null = null;

  constructor(options: WitnessSubmitterOptions) {
    this.audit = options.audit;
    this.policy = options.policy;
    this.logger = options.logger;
    const settings = {
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      retryDelayMs: options.retryDelayMs ?? 1_000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      clock: options.clock ?? (() => new Date()),
    };
    this.clients = options.policy.witnesses.map(
      (witness) =>
        new WitnessClient(witness, this.audit, this.logger, settings, (checkpoint) =>
          this.cosignatureStored(checkpoint),
        ),
    );
  }

  /** Listens for new checkpoints and submits the latest one now (a restart may have missed its round). */
  start(): void {
    if (this.unsubscribe) return;
    for (const client of this.clients) {
      if (client.witness.url === null) {
        this.logger.warn(
          { witness: client.witness.name },
          'witness has no URL in the policy file: it counts for the quorum but is not asked to cosign',
        );
      }
    }
    this.unsubscribe = this.audit.onCheckpoint((checkpoint) => this.submit(checkpoint));
    const latest = this.audit.latestCheckpoint();
    if (latest) {
      if (this.isWitnessed(latest)) this.witnessedHead = latest;
      this.submit(latest);
    }
  }

  /** Stops listening, cancels the waits and the requests in flight. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const waiter of this.quorumWaiters) waiter.settle(false);
    await Promise.all(this.clients.map((client) => client.stop()));
  }

  isWitnessed(checkpoint: StoredCheckpoint): boolean {
    return this.quorumOf(checkpoint).met;
  }

  /**
   * quorumMet over the checkpoint's cosigned note, verifying every line; the last answer is kept for as long as the
   * note is the same text, since the trace and every readiness poll ask again about the same checkpoint.
   */
  private quorumOf(checkpoint: StoredCheckpoint): QuorumResult {
    const note = this.audit.cosignedNote(checkpoint);
    if (this.lastQuorum?.note !== note) this.lastQuorum = { note, result: quorumMet(this.policy, note) };
    return this.lastQuorum.result;
  }

  newestWitnessed(): StoredCheckpoint | undefined {
    return this.witnessedHead;
  }

  waitForQuorum(checkpoint: StoredCheckpoint, timeoutMs: number): Promise<boolean> {
    if (this.isWitnessed(checkpoint)) return Promise.resolve(true);
    if (!this.unsubscribe) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      const waiter = {
        treeSize: checkpoint.treeSize,
        settle: (met: boolean) => {
          clearTimeout(timer);
          this.quorumWaiters.delete(waiter);
          resolve(met);
        },
      };
      this.quorumWaiters.add(waiter);
    });
  }

  report(): WitnessingReport {
    const latest = this.audit.latestCheckpoint();
    const result = latest ? this.quorumOf(latest) : null;
    return {
      quorum: this.policy.quorum,
      latest:
        latest && result
          ? {
              treeSize: latest.treeSize,
              quorumMet: result.met,
              cosigned: result.cosigned,
              missing: [...result.missing, ...result.invalid],
            }
          : null,
      witnesses: this.clients.map((client) => client.report()),
    };
  }

  private submit(checkpoint: StoredCheckpoint): void {
    for (const client of this.clients) client.submit(checkpoint);
  }

  /**
   * After each cosignature stored: whether the checkpoint's stored cosigners now meet the quorum. Every stored line
   * was verified before it was stored, so the names suffice here (verifying them all again per answer was most of a
   * submission's cost); isWitnessed and the readiness report verify the lines themselves.
   */
  private cosignatureStored(checkpoint: StoredCheckpoint): void {
    const cosigners = new Set(this.audit.cosignaturesOf(checkpoint.treeSize).map((c) => c.witness));
    if (!witnessed(this.policy, this.policy.quorum, cosigners)) return;
    if (!this.witnessedHead || checkpoint.treeSize > this.witnessedHead.treeSize) {
      this.witnessedHead = checkpoint;
    }
    for (const waiter of this.quorumWaiters) if (waiter.treeSize === checkpoint.treeSize) waiter.settle(true);
  }
}

interface ClientSettings {
  requestTimeoutMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  clock: () => Date;
}

/** One witness: its queue of one checkpoint, its retry timer and what the ledger knows of it. */
class WitnessClient {
  /** The checkpoints still to submit, oldest first. */
  private queue: StoredCheckpoint[] = [];
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs: number;
  private inFlight: AbortController | null = null;
  private stopped = false;
  private knownSize: number | null;
  private state: WitnessState;
  private lastError: string | null = null;
  private alarm: string | null = null;
  private lastAttemptAt: string | null = null;
  private lastSuccessAt: string | null = null;
  /** Whether a submission was made since start (the first one is made even for a checkpoint it cosigned). */
  private probed = false;

  constructor(
    readonly witness: PolicyWitness,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    private readonly settings: ClientSettings,
    private readonly stored: (checkpoint: StoredCheckpoint) => void,
  ) {
    this.retryDelayMs = settings.retryDelayMs;
    // The audit database remembers the newest size this witness cosigned for us; a 409 corrects it if it moved on.
    this.knownSize = audit.lastCosignedSize(witness.name) ?? null;
    this.state = witness.url === null ? 'not-asked' : 'pending';
  }

  /**
   * Queues `checkpoint` (if it is newer than those queued) and starts a round unless one runs or waits. A witness
   * that answers is given every checkpoint in order; one that is retried is given only the newest when it is back.
   */
  submit(checkpoint: StoredCheckpoint): void {
    if (this.witness.url === null || this.stopped) return;
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && checkpoint.treeSize <= last.treeSize) return;
    // A witness waiting for its retry is given the newest checkpoint alone when it is back.
    if (this.retryTimer !== null) this.queue = [checkpoint];
    else this.queue.push(checkpoint);
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - 1);
    if (this.running === null && this.retryTimer === null) this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.inFlight?.abort();
    await this.running;
  }

  report(): WitnessReport {
    return {
      name: this.witness.name,
      url: this.witness.url,
      state: this.state,
      lastSizeCosigned: this.knownSize,
      lastError: this.lastError,
      alarm: this.alarm,
      lastAttemptAt: this.lastAttemptAt,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  private run(): void {
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    for (let checkpoint = this.queue.shift(); checkpoint; checkpoint = this.queue.shift()) {
      if (this.stopped) return;
      const result = await this.round(checkpoint);
      if (this.stopped) return;
      if (result === 'retry') {
        // Only the newest checkpoint is kept for the retry: a client needs one witnessed checkpoint covering its
        // events, and a witness that was away catches up in one step.
        this.queue = [this.queue[this.queue.length - 1] ?? checkpoint];
        const delay = this.retryDelayMs;
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.settings.maxRetryDelayMs);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped) this.run();
        }, delay);
        this.retryTimer.unref();
        return;
      }
      this.retryDelayMs = this.settings.retryDelayMs;
    }
  }

  /** One submission of `checkpoint`, with one resubmission from the size a 409 gives. */
  private async round(first: StoredCheckpoint): Promise<RoundResult> {
    let checkpoint = first;
    // Already cosigned: not again, except once after start, which tells whether the witness is there at all.
    if (this.probed && this.knownSize === checkpoint.treeSize && this.hasCosignature(checkpoint))
      return 'cosigned';
    this.probed = true;
    this.lastAttemptAt = this.settings.clock().toISOString();
    let oldSize = this.knownSize !== null && this.knownSize <= checkpoint.treeSize ? this.knownSize : 0;
    try {
      for (let attempt = 0; ; attempt++) {
        const answer = await this.post(oldSize, checkpoint);
        const parsed = parseAddCheckpointResponse(answer.status, answer.body, answer.contentType);
        if (parsed.kind === 'cosigned') {
          this.knownSize = checkpoint.treeSize; // the witness answered 200: it recorded this size
          this.keep(checkpoint, parsed.cosignatures);
          return 'cosigned';
        }
        if (parsed.kind === 'conflict') {
          const latest = this.audit.latestCheckpoint();
          if (latest === undefined || parsed.size > latest.treeSize) {
            throw new Failure(
              `the witness last cosigned size ${parsed.size}, beyond every checkpoint this ledger signed (latest ${latest?.treeSize ?? 'none'}): it saw a longer history of this log`,
              'alarm',
            );
          }
          if (this.knownSize !== null && parsed.size < this.knownSize) this.wentBack(parsed.size);
          this.knownSize = parsed.size;
          if (attempt > 0) {
            throw new Failure(`the witness answered 409 again (its size ${parsed.size})`, 'retry');
          }
          // The witness moved past this checkpoint: the newest one is the one to give it.
          if (parsed.size > checkpoint.treeSize) checkpoint = latest;
          oldSize = parsed.size;
          continue;
        }
        if (parsed.status === 422) {
          throw new Failure(
            'the witness refused the checkpoint as inconsistent with what it cosigned (422)',
            'alarm',
            parsed.message,
          );
        }
        throw new Failure(this.statusMessage(parsed.status), 'retry', parsed.message);
      }
    } catch (error) {
      if (this.stopped) return 'retry'; // the request was cut off by stop(): nothing to report
      const failure =
        error instanceof Failure ? error : new Failure(networkMessage(error, this.settings), 'retry');
      this.failed(failure, oldSize, checkpoint);
      return failure.kind;
    }
  }

  private statusMessage(status: number): string {
    if (status === 403 || status === 404) {
      return `${status}: the witness does not know this log or its key (check the witness's policy)`;
    }
    if (status >= 300 && status < 400) return `${status}: redirects are not followed`;
    return `${status}: the witness did not cosign (its answer is in the server's log)`;
  }

  /** Stores the first line that is this witness's valid cosignature of this checkpoint; anything else is an error. */
  private keep(checkpoint: StoredCheckpoint, lines: string[]): void {
    const text = splitNote(checkpoint.note)?.text;
    const line =
      text === undefined
        ? undefined
        : lines.find((l) => verifyCosignatureLine(text, l, this.witness.key) !== null);
    if (line === undefined) {
      throw new Failure(
        `the answer holds no valid cosignature of size ${checkpoint.treeSize} by the policy's key for ${this.witness.name}`,
        'retry',
      );
    }
    const now = this.settings.clock().toISOString();
    this.audit.addCosignature({
      treeSize: checkpoint.treeSize,
      witness: this.witness.name,
      line,
      receivedAt: now,
    });
    const recovered = this.state === 'retrying' || this.state === 'alarm';
    this.state = 'cosigned';
    this.lastError = null;
    this.lastSuccessAt = now;
    const context = { witness: this.witness.name, treeSize: checkpoint.treeSize };
    if (recovered) this.logger.info(context, 'witness cosigns again');
    else this.logger.debug(context, 'witness cosigned the checkpoint');
    this.stored(checkpoint);
  }

  private failed(failure: Failure, oldSize: number, checkpoint: StoredCheckpoint): void {
    this.lastError = failure.message;
    const context = {
      witness: this.witness.name,
      url: this.witness.url,
      oldSize,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash.toString('base64'),
    };
    if (failure.kind === 'alarm') {
      this.state = 'alarm';
      this.alarm = `${this.settings.clock().toISOString()} ${failure.message}`;
      const oldRoot = oldSize <= this.audit.treeSize() ? this.audit.merkle.rootAt(oldSize) : undefined;
      this.logger.error(
        {
          ...context,
          oldRootHash: oldRoot?.toString('base64'),
          reason: failure.message,
          witnessSaid: failure.said,
        },
        "ALARM: a witness refused this ledger's checkpoint as inconsistent with the history it cosigned: this is what a forked (rewritten) history looks like from outside",
      );
      return;
    }
    this.state = 'retrying';
    this.logger.warn(
      { ...context, reason: failure.message, witnessSaid: failure.said, retryInMs: this.retryDelayMs },
      'witness did not cosign the checkpoint; retrying',
    );
  }

  /**
   * The witness says it last cosigned a smaller size than it did for this ledger: its state was lost or rolled back,
   * so it would have cosigned a fork from that size. Not the log's fault, and it is asked again from its size, but
   * its operator must know: kept as the alarm and logged at error level.
   */
  private wentBack(size: number): void {
    const message = `the witness's state went back: it cosigned size ${this.knownSize} of this log, and now says it last cosigned ${size}; its state was lost or restored from an older copy, so its protection lapsed in between (its operator should restore the newest state)`;
    this.alarm = `${this.settings.clock().toISOString()} ${message}`;
    this.logger.error(
      { witness: this.witness.name, url: this.witness.url, cosigned: this.knownSize, saysCosigned: size },
      `ALARM: ${message}`,
    );
  }

  private hasCosignature(checkpoint: StoredCheckpoint): boolean {
    return this.audit.cosignaturesOf(checkpoint.treeSize).some((c) => c.witness === this.witness.name);
  }

  /** POST <url>/add-checkpoint, without following redirects, with a time limit and a bounded answer. */
  private async post(oldSize: number, checkpoint: StoredCheckpoint): Promise<Answer> {
    const body = encodeAddCheckpointRequest({
      oldSize,
      proof: this.audit.consistency(oldSize, checkpoint.treeSize).path,
      checkpoint: checkpoint.note,
    });
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.settings.requestTimeoutMs);
    try {
      const response = await fetch(
        `${(this.witness.url as string).replace(/\/+$/, '')}${ADD_CHECKPOINT_PATH}`,
        {
          method: 'POST',
          body,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          redirect: 'manual',
          signal: controller.signal,
        },
      );
      return {
        status: response.status,
        body: await readBounded(response, MAX_REQUEST_LENGTH),
        contentType: response.headers.get('content-type') ?? undefined,
      };
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
  }
}

/** The body as UTF-8 text, refusing more than `limit` bytes or bytes that are not UTF-8. */
async function readBounded(response: Response, limit: number): Promise<string> {
  const bytes = await boundedBody(response, limit);
  if (bytes === null)
    throw new Failure(`${response.status}: the answer is longer than ${limit} bytes`, 'retry');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Failure(`${response.status}: the answer is not UTF-8 text`, 'retry');
  }
}

function networkMessage(error: unknown, settings: ClientSettings): string {
  const timedOut =
    error instanceof Error &&
    (error.name === 'AbortError' || error.message === 'timeout' || String(error.cause) === 'Error: timeout');
  if (timedOut) return `no answer within ${settings.requestTimeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `could not reach the witness (${error instanceof Error ? error.message : String(error)}${cause})`;
}
