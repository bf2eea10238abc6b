/**
 * A replica's follower of the writer's checkpoints. Only the writer signs; a replica fetches the writer's newest
 * checkpoint (`GET <writer>/api/v1/audit/checkpoint`: the note with its witnesses' cosignatures, and when it was
 * signed), and its audit log keeps
 * it only when it verifies under the writer's key (LEDGER_CHECKPOINT_VERIFIER_KEY) and the replica's own tree, at that
 * size, has the same root (AuditLog.adoptCheckpoint). Checkpoints, proofs, tiles and traces on the replica are then
 * against the writer's signed tree heads, which the replica has checked itself: it monitors the writer for free.
 *
 * The writer is another party on the network, so its answer is read as a witness's is: bounded in size and time,
 * decoded strictly. Whatever does not pass is never served; it is kept as an alarm for /readyz and logged.
 */
import { z } from 'zod';
import type { AuditLog } from '../audit/auditLog';
import { boundedBody } from '../audit/boundedBody';
import type { StoredCheckpoint } from '../audit/checkpointStore';
import { verifyCosignatureLine } from '../audit/cosignature';
import { keyId, KEY_ID_SIZE, signatureLine, splitNote } from '../audit/signedNote';
import type { Policy } from '../audit/witnessPolicy';
import type { Logger } from '../logger';
import type { EventStore } from '../store/eventStore';

export interface WriterCheckpointsOptions {
  /** The writer's base URL (LEDGER_WRITER_URL), without a trailing slash. */
  writerUrl: string;
  audit: AuditLog;
  store: EventStore;
  logger: Logger;
  /** The witness policy, when the replica has one: the cosignatures it keeps are those of its witnesses that verify. */
  policy?: Policy | undefined;
  /** How often the writer is asked (default 2 s); a trace that needs a newer checkpoint asks at once. */
  pollMs?: number;
  /** How long one answer may take, body included (default 5 s). */
  timeoutMs?: number;
}

/** Why a writer's answer was not served. */
export type WriterCheckpointCause =
  /** Not signed by the writer's key (or not a checkpoint of its origin): someone else answers, or the key changed. */
  | 'signature'
  /** Signed, but the replica's tree of that size has another root: the writer and this replica hold different logs. */
  | 'root-differs'
  /** Signed for more events than the store holds: the writer vouches for events this replica cannot read. */
  | 'beyond-store'
  /** This replica's own audit trail does not hold together (an event that fails its seal): it takes nothing in. */
  | 'trail-refusing'
  /** Not a signed note at all (junk bytes, not UTF-8, not a note). */
  | 'malformed'
  | 'too-large'
  | 'timeout'
  | 'unreachable'
  | 'http-status';

export interface WriterCheckpointAlarm {
  cause: WriterCheckpointCause;
  detail: string;
  at: string;
}

export interface WriterCheckpointReport {
  /** True while the writer's newest checkpoint was fetched, verified and reproduced, and no alarm stands. */
  ok: boolean;
  writerUrl: string;
  /** The newest writer checkpoint this replica serves. */
  served: { treeSize: number; rootHash: string } | null;
  /** A verified checkpoint of a tree this replica has not reached yet (it serves the older one meanwhile). */
  waitingFor: { treeSize: number; localSize: number } | null;
  lastFetchAt: string | null;
  /**
   * ALARM: the latest answer that was not served, and why. A signature or root that fails stays until restart (it is
   * evidence the writer, or this replica's copy of the log, is not what it claims); the others clear with the next
   * good answer.
   */
  alarm: WriterCheckpointAlarm | null;
}

/**
 * What the replica reads of the writer's GET /audit/checkpoint: the cosigned note, which it verifies, and when the
 * writer signed it (unsigned, so only a plain UTC timestamp is taken: it is shown, never trusted for anything).
 */
const writerAnswer = z.object({
  signedNote: z.string().max(64 * 1024),
  createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/),
});

/** A checkpoint answer with a few dozen cosignatures is a few KB; anything far larger is not one. */
const MAX_NOTE_BYTES = 64 * 1024;
const DEFAULT_POLL_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 5_000;
/** Evidence against the writer (or this replica's copy of the log), kept until an operator restarts. */
const STICKY: ReadonlySet<WriterCheckpointCause> = new Set(['signature', 'root-differs']);

class WriterAnswerError extends Error {
  constructor(
    readonly why: WriterCheckpointCause,
    detail: string,
  ) {
    super(detail);
  }
}

export class WriterCheckpoints {
  private readonly url: string;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly logKeyId: Buffer;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private polling = false;
  private stopped = false;
  private lastFetchAt: string | null = null;
  private alarm: WriterCheckpointAlarm | null = null;
  private waitingFor: { treeSize: number; localSize: number } | null = null;

  constructor(private readonly options: WriterCheckpointsOptions) {
    this.url = `${options.writerUrl}/api/v1/audit/checkpoint`;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logKeyId = keyId(options.audit.origin, options.audit.publicKey);
  }

  /** Asks the writer now, then every `pollMs`, until stop(). */
  start(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    await this.inFlight;
  }

  report(): WriterCheckpointReport {
    const served = this.options.audit.latestCheckpoint();
    return {
      ok: this.alarm === null && served !== undefined,
      writerUrl: this.options.writerUrl,
      served: served ? { treeSize: served.treeSize, rootHash: served.rootHash.toString('base64') } : null,
      waitingFor: this.waitingFor,
      lastFetchAt: this.lastFetchAt,
      alarm: this.alarm,
    };
  }

  /**
   * The newest served checkpoint whose tree holds `size` events, asking the writer at once when none does yet;
   * undefined when none arrives within `timeoutMs` (the writer signs on its own schedule, or is down).
   */
  async covering(size: number, timeoutMs: number): Promise<StoredCheckpoint | undefined> {
    const audit = this.options.audit;
    const latest = audit.latestCheckpoint();
    if (latest && latest.treeSize >= size) return latest;
    const deadline = Date.now() + timeoutMs;
    return new Promise<StoredCheckpoint | undefined>((resolve) => {
      let settled = false;
      const settle = (checkpoint: StoredCheckpoint | undefined): void => {
        if (settled) return;
        settled = true;
        stopListening();
        clearTimeout(timer);
        clearInterval(asking);
        resolve(checkpoint);
      };
      const stopListening = audit.onCheckpoint((checkpoint) => {
        if (checkpoint.treeSize >= size) settle(checkpoint);
      });
      const timer = setTimeout(() => settle(undefined), Math.max(0, deadline - Date.now()));
      // Ask now, then every half second while waiting: the writer may sign just after the first answer.
      const ask = (): void => void this.fetchOnce();
      ask();
      const asking = setInterval(ask, 500);
    });
  }

  /** One exchange with the writer, unless one is under way (then that one). */
  fetchOnce(): Promise<void> {
    this.inFlight ??= this.exchange().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fetchOnce().finally(() => this.schedule(this.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async exchange(): Promise<void> {
    try {
      const answer = await this.fetchCheckpoint();
      await this.judge(answer.signedNote, answer.createdAt);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof WriterAnswerError) this.raise(error.why, error.message);
      else this.raise('unreachable', `the writer could not be asked: ${(error as Error).message}`);
    } finally {
      this.lastFetchAt = new Date().toISOString();
    }
  }

  private async fetchCheckpoint(): Promise<z.infer<typeof writerAnswer>> {
    const abort = new AbortController();
    this.abort = abort;
    // One deadline for the whole exchange, body included: a writer that trickles its answer is cut off too.
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetch(this.url, { signal: abort.signal, redirect: 'error' });
      } catch (error) {
        throw abort.signal.aborted
          ? new WriterAnswerError('timeout', `the writer did not answer within ${this.timeoutMs} ms`)
          : new WriterAnswerError('unreachable', `the writer could not be reached: ${causeOf(error)}`);
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new WriterAnswerError('http-status', `the writer answered ${response.status}`);
      }
      let bytes: Buffer | null;
      try {
        bytes = await boundedBody(response, MAX_NOTE_BYTES);
      } catch {
        throw new WriterAnswerError(
          abort.signal.aborted ? 'timeout' : 'unreachable',
          abort.signal.aborted
            ? `the writer's answer did not arrive within ${this.timeoutMs} ms`
            : "the writer's answer broke off",
        );
      }
      if (bytes === null) {
        throw new WriterAnswerError(
          'too-large',
          `the writer's answer is larger than ${MAX_NOTE_BYTES} bytes`,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        throw new WriterAnswerError('malformed', "the writer's answer is not JSON in UTF-8");
      }
      const parsed = writerAnswer.safeParse(json);
      if (!parsed.success) {
        throw new WriterAnswerError(
          'malformed',
          "the writer's answer is not a checkpoint (signedNote, createdAt)",
        );
      }
      return parsed.data;
    } finally {
      clearTimeout(timer);
      if (this.abort === abort) this.abort = null;
    }
  }

  /** Splits the cosigned note into the log's note and the cosignature lines, and offers the first to the audit log. */
  private async judge(cosigned: string, createdAt: string): Promise<void> {
    const parts = splitNote(cosigned);
    if (parts === null) throw new WriterAnswerError('malformed', "the writer's answer is not a signed note");
    const { audit, store } = this.options;
    const isLogs = (line: { name: string; blob: Buffer }): boolean =>
      line.name === audit.origin && line.blob.subarray(0, KEY_ID_SIZE).equals(this.logKeyId);
    const logLine = parts.signatures.find(isLogs);
    if (logLine === undefined) {
      throw new WriterAnswerError('signature', `the note carries no signature of ${audit.origin}`);
    }
    // The note exactly as the writer signed and stores it: its text and its own signature line.
    const note = `${parts.text}\n${signatureLine(logLine.name, logLine.blob)}`;
    let verdict = audit.adoptCheckpoint(note, createdAt);
    if (verdict.kind === 'ahead') {
      const events = (await store.headPosition()) + 1;
      if (verdict.treeSize > events) {
        throw new WriterAnswerError(
          'beyond-store',
          `the writer signed a tree of ${verdict.treeSize} events, but the store holds ${events}`,
        );
      }
      // The store holds them: let this tree take them in, then judge again (a trace may be waiting for it).
      this.waitingFor = { treeSize: verdict.treeSize, localSize: verdict.localSize };
      if (await audit.waitForSize(verdict.treeSize, this.timeoutMs))
        verdict = audit.adoptCheckpoint(note, createdAt);
    }
    if (verdict.kind === 'ahead') {
      this.waitingFor = { treeSize: verdict.treeSize, localSize: verdict.localSize };
      this.clearPassingAlarm();
      return;
    }
    this.waitingFor = null;
    if (verdict.kind === 'refused') throw new WriterAnswerError(verdict.cause, verdict.detail);
    this.keepCosignatures(
      verdict.checkpoint,
      parts.text,
      parts.signatures.filter((s) => !isLogs(s)),
    );
    if (verdict.kind === 'adopted') {
      this.options.logger.debug(
        { treeSize: verdict.checkpoint.treeSize },
        "replica: serving the writer's checkpoint",
      );
    }
    this.clearPassingAlarm();
  }

  /** The cosignatures of the replica's own witnesses that verify; without a policy, none (see docs/deploy.md). */
  private keepCosignatures(
    checkpoint: StoredCheckpoint,
    text: string,
    lines: ReadonlyArray<{ name: string; blob: Buffer }>,
  ): void {
    const witnesses = this.options.policy?.witnesses ?? [];
    for (const { name, blob } of lines) {
      const line = signatureLine(name, blob);
      const witness = witnesses.find((w) => w.name === name);
      if (witness === undefined || verifyCosignatureLine(text, line, witness.key) === null) continue;
      if (this.options.audit.cosignaturesOf(checkpoint.treeSize).some((c) => c.line === line)) continue;
      this.options.audit.addCosignature({
        treeSize: checkpoint.treeSize,
        witness: name,
        line,
        receivedAt: new Date().toISOString(),
      });
    }
  }

  private raise(cause: WriterCheckpointCause, detail: string): void {
    if (this.alarm && STICKY.has(this.alarm.cause) && !STICKY.has(cause)) return;
    const repeated = this.alarm?.cause === cause && this.alarm.detail === detail;
    this.alarm = { cause, detail, at: new Date().toISOString() };
    if (repeated) return;
    const log = STICKY.has(cause) || cause === 'beyond-store' ? 'error' : 'warn';
    this.options.logger[log](
      { writerCheckpoint: this.alarm, writerUrl: this.options.writerUrl },
      STICKY.has(cause) || cause === 'beyond-store'
        ? "replica: ALARM — the writer's checkpoint is not served: it does not match what this replica holds"
        : "replica: the writer's checkpoint could not be fetched",
    );
  }

  private clearPassingAlarm(): void {
    if (this.alarm && !STICKY.has(this.alarm.cause)) this.alarm = null;
  }
}

/** fetch's "fetch failed" hides the reason in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
