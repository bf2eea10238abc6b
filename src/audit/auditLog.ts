/**
 * The audit service: a follower that keeps a Merkle tree (RFC 9162) over the event log, in its own SQLite file,
 * and signs checkpoints of it (C2SP tlog-checkpoint). Leaf i is the leaf hash of the event at global position i
 * (API.md "Leaf hash"), so the tree is dense from 0 exactly as the log is.
 *
 * The tree is derived data: it can always be rebuilt from the events, which is also what `verifyLedger` does to
 * check it. What cannot be rebuilt is the history of signed checkpoints that outsiders may hold; that is why the
 * signing key and the checkpoints table are kept, and why the tree must agree with them forever.
 */
import type { KeyObject } from 'node:crypto';
import os from 'node:os';
import Database from 'better-sqlite3';
import type { Logger } from '../logger';
import type { EventStore, Subscription, SubscriptionMessage } from '../store/eventStore';
import { CheckpointStore, type StoredCheckpoint } from './checkpointStore';
import { MerkleLog } from './merkleLog';
import { eventLeafHash } from './rfc9162';
import { encodeVerifierKey, publicKeyFromPrivate, signCheckpoint } from './signedNote';

export interface AuditLogOptions {
  store: EventStore;
  /** The audit database (audit.sqlite), a file apart from the event store. */
  file: string;
  signingKey: KeyObject;
  /** The log's name (and the key's name). Unset: the one fixed at first start, else participation-ledger/<host>. */
  origin?: string;
  /** Sign a checkpoint once the tree has grown by this many leaves since the last one (default 1000). */
  checkpointEveryEvents?: number;
  /** … or when this many seconds have passed and the tree has grown at all (default 60). */
  checkpointEverySeconds?: number;
  /** Most leaves appended in one transaction (default 1000). */
  maxBatch?: number;
  logger?: Logger;
  clock?: () => Date;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  leafHash: Buffer;
  path: Buffer[];
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  path: Buffer[];
}

interface SizeWaiter {
  size: number;
  settle(reached: boolean): void;
}

const ORIGIN_META_KEY = 'origin';
/** How long stop() waits for the follower to take in what the store already holds. */
const DRAIN_TIMEOUT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** `participation-ledger/<host name>`, or `/local` when the host name is not a plain DNS name. */
export function defaultOrigin(): string {
  const host = os.hostname();
  return `participation-ledger/${/^[A-Za-z0-9.-]{1,200}$/.test(host) ? host : 'local'}`;
}

export class AuditLog {
  /** The tree; read-only to everyone but this follower. */
  readonly merkle: MerkleLog;
  readonly origin: string;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  /** The C2SP verifier key `<origin>+<key id>+<base64(0x01 || public key)>` that clients pin. */
  readonly verifierKey: string;
  /** The audit database file (verify's worker threads open it themselves). */
  readonly file: string;

  private readonly db: Database.Database;
  private readonly checkpointStore: CheckpointStore;
  private readonly store: EventStore;
  private readonly signingKey: KeyObject;
  private readonly everyEvents: number;
  private readonly everySeconds: number;
  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  private readonly clock: () => Date;

  /** Leaf hashes computed but not yet in the tree; the first is leaf `pendingFrom`. */
  private pending: Buffer[] = [];
  private pendingFrom = 0;
  private lastCheckpointSize: number;
  private subscription: Subscription | null = null;
  private following = false;
  private closed = false;
  private flushTimer: NodeJS.Immediate | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelayMs = 1_000;
  private readonly waiters = new Set<SizeWaiter>();
  private caughtUp: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | null = null;

  constructor(options: AuditLogOptions) {
    this.store = options.store;
    this.signingKey = options.signingKey;
    this.everyEvents = options.checkpointEveryEvents ?? 1000;
    this.everySeconds = options.checkpointEverySeconds ?? 60;
    this.maxBatch = options.maxBatch ?? 1000;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.file = options.file;
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL, not FULL: a power cut can only lose the newest leaves, which the follower recomputes from the
    // events on the next start; the event store itself stays FULL.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.merkle = new MerkleLog(this.db);
    this.checkpointStore = new CheckpointStore(this.db);
    const stored = this.checkpointStore.meta(ORIGIN_META_KEY);
    this.origin = options.origin ?? stored ?? defaultOrigin();
    this.publicKey = publicKeyFromPrivate(this.signingKey);
    // Throws on an origin that cannot be a key name, before anything is stored under it.
    this.verifierKey = encodeVerifierKey(this.origin, this.publicKey);
    this.recordOrigin(stored);
    this.lastCheckpointSize = this.checkpointStore.latest()?.treeSize ?? -1;
  }

  // ---------- following ----------

  /** Starts following the store; resolves once the tree has caught up with the log as it was. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    if (this.caughtUp) return this.caughtUp.promise;
    let resolve: () => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.caughtUp = { promise, resolve, reject };
    this.following = true;
    this.follow();
    this.checkpointTimer = setInterval(() => this.checkpointIfGrown(), this.everySeconds * 1000);
    this.checkpointTimer.unref();
    return promise;
  }

  /**
   * Stops following. First lets the follower take in what the store holds (bounded wait), and signs a last
   * checkpoint, so that a clean shutdown leaves the tree and its newest checkpoint covering the whole log.
   */
  async stop(): Promise<void> {
    if (!this.following) return;
    try {
      const head = await this.store.headPosition();
      await this.waitForSize(head + 1, DRAIN_TIMEOUT_MS);
    } catch (error) {
      this.logger?.warn({ err: error }, 'audit log: could not drain the follower before stopping');
    }
    this.following = false;
    this.clearTimers();
    await this.subscription?.close();
    this.subscription = null;
    try {
      this.flush();
      this.checkpointIfGrown();
    } catch (error) {
      this.logger?.error({ err: error }, 'audit log: final flush failed; the next start recomputes it');
    }
    this.caughtUp = null;
  }

  /** stop(), then closes the audit database. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.settle(false);
    this.db.close();
  }

  private follow(): void {
    this.pendingFrom = this.merkle.size();
    this.pending = [];
    const subscription = this.store.subscribe(this.pendingFrom, (message) => this.onMessage(message));
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.fail(error, subscription));
  }

  private onMessage(message: SubscriptionMessage): void {
    if (message.kind === 'caughtUp') {
      this.flush();
      // A fresh log gets its first checkpoint (possibly of the empty tree) at once, so there always is one.
      if (this.checkpointStore.latest() === undefined) this.checkpointNow();
      this.caughtUp?.resolve();
      return;
    }
    const expected = this.pendingFrom + this.pending.length;
    const position = message.event.globalPosition;
    if (position < expected) return; // already in the tree: another process appended it
    if (position > expected) {
      throw new Error(
        `the event log has a gap: the tree expects position ${expected}, the log gave ${position}`,
      );
    }
    this.pending.push(eventLeafHash(message.event));
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.flushTimer ??= setImmediate(() => this.flushSoon());
  }

  /** A subscription delivers one page of events per tick: flushing after the tick makes one transaction of it. */
  private flushSoon(): void {
    this.flushTimer = null;
    try {
      this.flush();
    } catch (error) {
      this.fail(error, this.subscription);
    }
  }

  /** Appends the pending leaf hashes in one transaction, reconciling with any other writer of the tree. */
  private flush(): void {
    if (this.flushTimer) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pending.length === 0) return;
    const leaves = this.pending;
    const from = this.pendingFrom;
    this.pending = [];
    const size = this.db
      .transaction(() => {
        const stored = this.merkle.size();
        if (stored < from) throw new Error(`the audit tree shrank from ${from} to ${stored} leaves`);
        // Leaves are a pure function of the events, so another writer's leaves are the same as ours: skip them.
        const fresh = leaves.slice(stored - from);
        this.merkle.appendLeafHashes(fresh);
        return Math.max(stored, from + leaves.length);
      })
      .immediate();
    this.pendingFrom = size;
    this.restartDelayMs = 1_000;
    if (size - Math.max(this.lastCheckpointSize, 0) >= this.everyEvents) this.checkpointNow();
    for (const waiter of [...this.waiters]) if (waiter.size <= size) waiter.settle(true);
  }

  /** The follower stopped on an error: log it, and follow again from the tree's size after a backoff. */
  private fail(error: unknown, subscription: Subscription | null): void {
    if (this.closed || subscription !== this.subscription) return;
    this.logger?.error({ err: error }, 'audit log follower failed; retrying');
    this.caughtUp?.reject(error);
    this.subscription = null;
    void subscription?.close();
    if (!this.following) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.following) this.follow();
    }, delay);
    this.restartTimer.unref();
  }

  private clearTimers(): void {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.checkpointTimer = null;
    this.restartTimer = null;
  }

  // ---------- checkpoints ----------

  /** Signs the tree as it stands, unless the newest checkpoint already covers it (then returns that one). */
  checkpointNow(): StoredCheckpoint {
    if (this.following) this.flush();
    const treeSize = this.merkle.size();
    const latest = this.checkpointStore.latest();
    if (latest && latest.treeSize >= treeSize) {
      this.lastCheckpointSize = latest.treeSize; // it may be another process's (a CLI beside the server)
      return latest;
    }
    const rootHash = this.merkle.rootAt(treeSize);
    const note = signCheckpoint({ origin: this.origin, treeSize, rootHash }, this.signingKey, this.origin);
    const checkpoint = {
      origin: this.origin,
      treeSize,
      rootHash,
      note,
      createdAt: this.clock().toISOString(),
    };
    this.checkpointStore.add(checkpoint);
    this.lastCheckpointSize = treeSize;
    return checkpoint;
  }

  private checkpointIfGrown(): void {
    try {
      if (this.merkle.size() > this.lastCheckpointSize) this.checkpointNow();
    } catch (error) {
      this.logger?.error({ err: error }, 'audit log: could not sign a checkpoint');
    }
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    return this.checkpointStore.latest();
  }

  /** Every checkpoint, oldest first. */
  checkpoints(): StoredCheckpoint[] {
    return this.checkpointStore.all();
  }

  /** Up to `limit` checkpoints of tree size ≥ `fromSize`, oldest first. */
  checkpointPage(fromSize: number, limit: number): StoredCheckpoint[] {
    return this.checkpointStore.page(fromSize, limit);
  }

  // ---------- proofs ----------

  /** The number of leaves in the tree: it holds the events at positions 0 … treeSize − 1. */
  treeSize(): number {
    return this.merkle.size();
  }

  /** RFC 9162 inclusion proof of the event at `position` in the tree of `treeSize`; RangeError outside it. */
  inclusion(position: number, treeSize: number): InclusionProof {
    const path = this.merkle.inclusionProof(position, treeSize);
    return { leafIndex: position, treeSize, leafHash: this.merkle.leafHashAt(position), path };
  }

  /** RFC 9162 consistency proof from tree size `fromSize` to `toSize`; RangeError outside the tree. */
  consistency(fromSize: number, toSize: number): ConsistencyProof {
    return { fromSize, toSize, path: this.merkle.consistencyProof(fromSize, toSize) };
  }

  /** Resolves true once the tree holds `size` leaves, false after `timeoutMs` (or when the log closes). */
  waitForSize(size: number, timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.merkle.size() >= size) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      const waiter: SizeWaiter = {
        size,
        settle: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      this.waiters.add(waiter);
    });
  }

  // ---------- identity ----------

  /**
   * The origin is part of the verifier key clients pin, so it must not drift with the host name (containers get a
   * new one on every start): the first one is stored, and only an explicitly configured origin replaces it.
   */
  private recordOrigin(stored: string | undefined): void {
    if (stored === this.origin) return;
    if (stored !== undefined) {
      this.logger?.warn(
        { from: stored, to: this.origin },
        'the checkpoint origin changed: clients that pinned the old verifier key must update it',
      );
    }
    this.checkpointStore.setMeta(ORIGIN_META_KEY, this.origin);
  }
}
