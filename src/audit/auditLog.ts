/**
 * The audit service: a follower that keeps a Merkle tree (RFC 9162) over the event log, in its own SQLite file,
 * and signs checkpoints of it (C2SP tlog-checkpoint). Leaf i is the leaf hash of the event at global position i
 * (API.md "Leaf hash"), so the tree is dense from 0 exactly as the log is.
 *
 * The tree is derived data: it can always be rebuilt from the events, which is also what `verifyLedger` does to
 * check it. What cannot be rebuilt is the history of signed checkpoints that outsiders may hold; that is why the
 * signing key and the checkpoints table are kept, and why the tree must agree with them forever.
 *
 * It signs only over a trail that holds together (trailIntegrity.ts): the checkpoint history in both its copies (the
 * database and the journal), a store as long as what was signed, and events that carry the writer's seal. Anything
 * else — a deleted or stale audit file, events removed from the end, a row inserted or altered in the database file —
 * makes it refuse until an operator acts (`ledger audit recover`); it never starts a new signed history by itself.
 */
import type { KeyObject } from 'node:crypto';
import os from 'node:os';
import Database from 'better-sqlite3';
import type { Logger } from '../logger';
import type { EventStore, Subscription, SubscriptionMessage } from '../store/eventStore';
import { operatorEntryVerifies, type CheckpointJournal, type JournalEntry } from './checkpointJournal';
import { CheckpointStore, type StoredCheckpoint } from './checkpointStore';
import { CosignatureStore, type StoredCosignature } from './cosignatureStore';
import { MerkleLog } from './merkleLog';
import { storedEventLeafHash } from './eventLeaf';
import {
  encodeVerifierKey,
  isNoteSafe,
  parseSignatureLines,
  parseVerifierKey,
  publicKeyFromPrivate,
  signCheckpoint,
  verifyCheckpointNote,
} from './signedNote';
import { compareTrail, sealProblems, type TrailComparison, type TrailProblem } from './trailIntegrity';

export interface AuditLogOptions {
  store: EventStore;
  /** The audit database (audit.sqlite), a file apart from the event store. */
  file: string;
  /** The key that signs checkpoints: the writer's. A replica has none and gives `verifierKey` instead. */
  signingKey?: KeyObject;
  /**
   * A replica's: the writer's verifier key (C2SP vkey). The tree is kept without signing; the writer's checkpoints are
   * kept only once they verify under this key and this tree reproduces their root (adoptCheckpoint).
   */
  verifierKey?: string;
  /** The log's name (and the key's name). Unset: the one fixed at first start, else participation-ledger/<host>. */
  origin?: string;
  /** Sign a checkpoint once the tree has grown by this many leaves since the last one (default 1000). */
  checkpointEveryEvents?: number;
  /** … or when this many seconds have passed and the tree has grown at all (default 60). */
  checkpointEverySeconds?: number;
  /** Most leaves appended in one transaction (default 1000). */
  maxBatch?: number;
  /**
   * The checkpoint journal, the second copy of the signed history (checkpointJournal.ts). Production always gives
   * one; without it the audit log trusts its database alone (tests of other parts).
   */
  journal?: CheckpointJournal;
  /** Refuse to work over a store that does not seal its events (production: true). */
  requireSeals?: boolean;
  /**
   * False: only keep the tree up to date, never sign (`ledger verify` brings the tree up to date this way). Unset:
   * sign when a signing key is given.
   */
  signing?: boolean;
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

/**
 * Whether the audit log may sign: `checking` while it authenticates the stored events at start (signing waits),
 * `ok`, or `refusing` with the problems that stopped it (then it neither takes in events nor signs).
 */
export type AuditIntegrity =
  { state: 'checking' } | { state: 'ok' } | { state: 'refusing'; problems: TrailProblem[] };

/**
 * What became of a writer's checkpoint offered to a replica's audit log: kept (`adopted`, or `known` when it was
 * already), not yet judgeable (`ahead`: its tree is larger than this one so far), or refused, with the cause.
 */
export type CheckpointAdoption =
  | { kind: 'adopted' | 'known'; checkpoint: StoredCheckpoint }
  | { kind: 'ahead'; treeSize: number; localSize: number }
  | { kind: 'refused'; cause: 'signature' | 'root-differs' | 'trail-refusing'; detail: string };

/** Thrown where a signature was asked for while the audit log refuses to sign. */
export class AuditRefusedError extends Error {
  override name = 'AuditRefusedError';
  constructor(readonly problems: TrailProblem[]) {
    super(
      `the audit log refuses to sign: ${problems
        .slice(0, 3)
        .map((p) => `${p.cause}: ${p.detail}`)
        .join('; ')}`,
    );
  }
}

interface SizeWaiter {
  size: number;
  settle(reached: boolean): void;
}

const ORIGIN_META_KEY = 'origin';
/** How long stop() waits for the follower to take in what the store already holds. */
const DRAIN_TIMEOUT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** Most failing events named in a refusal. */
const NAMED_FAILURES = 10;

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
  readonly journal: CheckpointJournal | undefined;

  private readonly db: Database.Database;
  private readonly checkpointStore: CheckpointStore;
  private readonly cosignatureStore: CosignatureStore;
  /** Called with every checkpoint this process signs (the witness submitter listens). */
  private readonly checkpointListeners = new Set<(checkpoint: StoredCheckpoint) => void>();
  private readonly store: EventStore;
  private readonly signingKey: KeyObject | undefined;
  private readonly everyEvents: number;
  private readonly everySeconds: number;
  private readonly maxBatch: number;
  private readonly signing: boolean;
  private readonly logger: Logger | undefined;
  private readonly clock: () => Date;

  /** Leaf hashes computed but not yet in the tree; the first is leaf `pendingFrom`. */
  private pending: Buffer[] = [];
  private pendingFrom = 0;
  /** The next position the subscription should deliver. */
  private expected = 0;
  /** Flushes run one after another: each awaits the seal check of its leaves before writing them. */
  private flushChain: Promise<void> = Promise.resolve();
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
  private state: AuditIntegrity = { state: 'checking' };
  /** Settles once the stored events have been authenticated at start (whatever the verdict). */
  private startupCheck: Promise<void> | null = null;
  /** Settles once start() has decided whether the trail holds (ok or refusing). */
  private decision: { promise: Promise<void>; resolve(): void } | null = null;

  constructor(options: AuditLogOptions) {
    this.store = options.store;
    if (options.requireSeals && !this.store.seals.sealing) {
      throw new Error('the audit log needs an event store that seals its events');
    }
    this.signingKey = options.signingKey;
    if ((options.signingKey === undefined) === (options.verifierKey === undefined)) {
      throw new Error('the audit log takes either the signing key (writer) or the verifier key (replica)');
    }
    this.everyEvents = options.checkpointEveryEvents ?? 1000;
    this.everySeconds = options.checkpointEverySeconds ?? 60;
    this.maxBatch = options.maxBatch ?? 1000;
    this.signing = options.signing ?? this.signingKey !== undefined;
    if (this.signing && this.signingKey === undefined) throw new Error('signing needs the signing key');
    this.journal = options.journal;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.file = options.file;
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL, not FULL: a power cut can only lose the newest leaves, which the follower recomputes from the
    // events on the next start; a checkpoint is written with FULL (see addCheckpoint). The event store stays FULL.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.merkle = new MerkleLog(this.db);
    this.checkpointStore = new CheckpointStore(this.db);
    this.cosignatureStore = new CosignatureStore(this.db);
    const stored = this.checkpointStore.meta(ORIGIN_META_KEY);
    // The verifier key names the writer's log: its name is the origin every checkpoint of it carries.
    const writer = options.verifierKey === undefined ? undefined : parseVerifierKey(options.verifierKey);
    if (writer && options.origin !== undefined && options.origin !== writer.keyName) {
      throw new Error(`the origin ${options.origin} is not the verifier key's name ${writer.keyName}`);
    }
    this.origin = writer?.keyName ?? options.origin ?? stored ?? defaultOrigin();
    this.publicKey = writer
      ? Buffer.from(writer.publicKey)
      : publicKeyFromPrivate(this.signingKey as KeyObject);
    // Throws on an origin that cannot be a key name, before anything is stored under it.
    this.verifierKey = encodeVerifierKey(this.origin, this.publicKey);
    this.recordOrigin(stored);
    this.lastCheckpointSize = this.checkpointStore.latest()?.treeSize ?? -1;
  }

  /** False on a replica (and for `ledger verify`): it keeps the tree and signs nothing. */
  get signsCheckpoints(): boolean {
    return this.signing;
  }

  // ---------- integrity ----------

  /** Whether the audit log may sign, and if not, why (readiness and the operator commands show it). */
  integrity(): AuditIntegrity {
    return this.state;
  }

  /**
   * The trail's consistency as it stands (trailIntegrity.ts), without reading events: the journal against the
   * audit database, the tree and the store's length, the seal key.
   */
  async compareTrail(): Promise<TrailComparison> {
    const seals = this.store.seals;
    return compareTrail({
      ...(this.journal ? { journal: this.journal.read() } : {}),
      stored: this.checkpointStore.all(),
      treeSize: this.merkle.size(),
      storedRootAt: (size) => this.merkle.rootAt(size),
      storeEvents: (await this.store.headPosition()) + 1,
      sealKey: !seals.sealing ? 'not-sealing' : seals.keyId === undefined ? 'missing' : 'present',
      openNote: (note) => verifyCheckpointNote(note, this.publicKey, this.origin),
      operatorEntryVerifies: (entry) => operatorEntryVerifies(entry, this.publicKey, this.origin),
    });
  }

  /** Stops taking in events and signing, for good in this process, and says why once. */
  private refuse(problems: TrailProblem[]): void {
    if (this.state.state === 'refusing') return;
    this.state = { state: 'refusing', problems };
    this.logger?.error(
      { problems },
      'audit log: REFUSING TO SIGN — the audit trail does not hold together; run `ledger audit status`, then `ledger audit recover`',
    );
    void this.stopFollowing();
    for (const waiter of [...this.waiters]) waiter.settle(false);
    // start() resolves with the audit log refusing: no caught-up message comes once following stopped.
    this.caughtUp?.resolve();
    this.decision?.resolve();
  }

  private refusing(): boolean {
    return this.state.state === 'refusing';
  }

  private assertMaySign(): void {
    if (this.state.state === 'refusing') throw new AuditRefusedError(this.state.problems);
  }

  // ---------- following ----------

  /**
   * Checks the trail, then follows the store; resolves once the tree has caught up with the log as it was, the
   * stored events are authenticated and a first checkpoint exists. When the trail does not hold together it resolves
   * at once with the audit log refusing (see integrity()).
   */
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
    let decided: () => void = () => undefined;
    this.decision = { promise: new Promise<void>((res) => (decided = res)), resolve: () => decided() };
    void this.begin().catch((error: unknown) => {
      // A trail it cannot even read is a trail it cannot vouch for: refuse, and say why, rather than wait for ever.
      this.refuse([
        {
          cause: 'trail-unreadable',
          detail: `the audit trail could not be read: ${error instanceof Error ? error.message : String(error)}`,
        },
      ]);
    });
    return promise;
  }

  /**
   * Resolves once start() has checked the trail and authenticated the stored events: integrity() is then `ok` or
   * `refusing`. The server waits for this before it listens, so that nothing is recorded on an unchecked trail.
   */
  decided(): Promise<void> {
    return this.decision?.promise ?? Promise.resolve();
  }

  private async begin(): Promise<void> {
    const trail = await this.compareTrail();
    if (trail.problems.length > 0) {
      this.refuse(trail.problems);
      return;
    }
    this.journalMissing(trail);
    // Every stored row, not only those the tree holds: a forged row further on must not be read before the
    // follower gets to it.
    this.startupCheck = this.authenticateStored((await this.store.headPosition()) + 1);
    void this.startupCheck.then(() => this.decision?.resolve());
    this.following = true;
    this.follow();
    if (!this.signing) return;
    this.checkpointTimer = setInterval(() => void this.checkpointIfGrown(), this.everySeconds * 1000);
    this.checkpointTimer.unref();
  }

  /** Copies into the journal what the audit database holds and it lacks (a crash between the two writes, or a lost file). */
  private journalMissing(trail: TrailComparison): void {
    if (!this.journal || trail.toJournal.length === 0) return;
    if (trail.journalMissing) {
      this.logger?.warn(
        { file: this.journal.file, checkpoints: trail.toJournal.length },
        'audit log: the checkpoint journal was missing; it is recreated from the audit database',
      );
    }
    for (const checkpoint of trail.toJournal) this.journal.append(journalEntryOf(checkpoint));
  }

  /** The stored events must carry their seals, and their positions must be dense, before anything is recorded. */
  private async authenticateStored(size: number): Promise<void> {
    const seals = this.store.seals;
    if (!seals.sealing || size === 0) {
      if (this.state.state === 'checking') this.state = { state: 'ok' };
      return;
    }
    try {
      const { failures } = await seals.check(0, size - 1, NAMED_FAILURES);
      if (failures.length > 0) this.refuse(sealProblems(failures));
      else if (this.state.state === 'checking') this.state = { state: 'ok' };
    } catch (error) {
      if (this.closed) return;
      this.logger?.error({ err: error }, 'audit log: could not check the seals of the stored events');
      this.refuse([
        { cause: 'event-unsealed', detail: `the seals could not be checked: ${(error as Error).message}` },
      ]);
    }
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
    await this.stopFollowing();
    try {
      await this.flush();
      await this.startupCheck;
      if (this.signing && !this.refusing()) await this.checkpointIfGrown();
    } catch (error) {
      this.logger?.error({ err: error }, 'audit log: final flush failed; the next start recomputes it');
    }
    this.caughtUp = null;
  }

  private async stopFollowing(): Promise<void> {
    this.following = false;
    this.clearTimers();
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
  }

  /** stop(), then closes the audit database. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    await this.startupCheck;
    await this.flushChain;
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.settle(false);
    this.db.close();
  }

  private follow(): void {
    this.pendingFrom = this.merkle.size();
    this.expected = this.pendingFrom;
    this.pending = [];
    const subscription = this.store.subscribe(this.expected, (message) => this.onMessage(message));
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.fail(error, subscription));
  }

  private async onMessage(message: SubscriptionMessage): Promise<void> {
    if (message.kind === 'caughtUp') {
      await this.flush();
      await this.startupCheck;
      // A fresh log gets its first checkpoint (possibly of the empty tree) at once, so there always is one.
      if (this.signing && !this.refusing() && this.checkpointStore.latest() === undefined) {
        await this.checkpointNow();
      }
      this.caughtUp?.resolve();
      return;
    }
    const position = message.event.globalPosition;
    if (position < this.expected) return; // already in the tree: another process appended it
    if (position > this.expected) {
      // The store hands out dense positions, so a hole is a row removed, or one put further on by hand.
      this.refuse([
        {
          cause: 'store-gap',
          position: this.expected,
          detail: `the event store has no event at position ${this.expected} but one at ${position}: a row was removed, or put beyond the end by hand`,
        },
      ]);
      return;
    }
    this.expected++;
    this.pending.push(storedEventLeafHash(message.event));
    if (this.pending.length >= this.maxBatch) await this.flush();
    else this.flushTimer ??= setImmediate(() => this.flushSoon());
  }

  /** A subscription delivers one page of events per tick: flushing after the tick makes one transaction of it. */
  private flushSoon(): void {
    this.flushTimer = null;
    this.flush().catch((error: unknown) => this.fail(error, this.subscription));
  }

  /** Appends the pending leaves, after their events' seals are checked; flushes run one at a time, in order. */
  private flush(): Promise<void> {
    if (this.flushTimer) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    const run = this.flushChain.then(() => this.flushPending());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  private async flushPending(): Promise<void> {
    if (this.pending.length === 0 || this.refusing()) return;
    const leaves = this.pending;
    const from = this.pendingFrom;
    this.pending = [];
    this.pendingFrom = from + leaves.length;
    const seals = this.store.seals;
    if (seals.sealing) {
      // An event that did not come through the ledger's write path must never reach a signed tree.
      const { failures } = await seals.check(from, from + leaves.length - 1, NAMED_FAILURES);
      if (failures.length > 0) {
        this.refuse(sealProblems(failures));
        return;
      }
    }
    if (this.refusing() || this.closed) return;
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
    this.restartDelayMs = 1_000;
    if (this.signing && size - Math.max(this.lastCheckpointSize, 0) >= this.everyEvents) {
      await this.sign().catch((error: unknown) => this.signingFailed(error));
    }
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
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.checkpointTimer = null;
    this.restartTimer = null;
    this.flushTimer = null;
  }

  // ---------- checkpoints ----------

  /**
   * Signs the tree as it stands, unless the newest checkpoint already covers it (then returns that one). Waits for
   * the start-up authentication; throws AuditRefusedError while the audit log refuses to sign.
   */
  async checkpointNow(): Promise<StoredCheckpoint> {
    if (this.following) await this.flush();
    return this.sign();
  }

  /** Signs the tree as it stands (the caller has flushed, or is the flush). */
  private async sign(): Promise<StoredCheckpoint> {
    await this.startupCheck;
    this.assertMaySign();
    if (this.startupCheck === null) throw new Error('the audit log signs only once started');
    if (!this.signing || this.signingKey === undefined) {
      throw new Error('this audit log was opened to follow only, not to sign');
    }
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
    this.addCheckpoint(checkpoint);
    this.lastCheckpointSize = treeSize;
    for (const listener of this.checkpointListeners) listener(checkpoint);
    return checkpoint;
  }

  /**
   * Stores a signed checkpoint in both copies of the history: the audit database first (synchronously to disk, so a
   * power cut cannot leave the journal ahead of it), then the journal. A crash between the two leaves the journal
   * behind, which the next start repairs from the database.
   */
  private addCheckpoint(checkpoint: StoredCheckpoint): void {
    this.db.pragma('synchronous = FULL');
    let added: boolean;
    try {
      added = this.checkpointStore.add(checkpoint);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    // Another process may have signed the same size first: then it journals it.
    if (added) this.journal?.append(journalEntryOf(checkpoint));
  }

  private async checkpointIfGrown(): Promise<void> {
    try {
      if (this.refusing() || this.startupCheck === null) return;
      if (this.merkle.size() > this.lastCheckpointSize) await this.checkpointNow();
    } catch (error) {
      this.signingFailed(error);
    }
  }

  /** A refusal has been logged already; anything else is logged here. */
  private signingFailed(error: unknown): void {
    if (!(error instanceof AuditRefusedError)) {
      this.logger?.error({ err: error }, 'audit log: could not sign a checkpoint');
    }
  }

  /**
   * A replica keeps the writer's signed checkpoint `note` (without cosignature lines; `createdAt` as the writer gave
   * it) when it verifies under the writer's key and this tree, at its size, has the same root: the replica then serves it, and proves against it,
   * as its own. Never one it cannot reproduce, so what it serves is what it holds (and it monitors the writer).
   */
  adoptCheckpoint(note: string, createdAt?: string): CheckpointAdoption {
    if (this.signing) throw new Error('the writer signs its own checkpoints');
    if (this.refusing()) {
      return {
        kind: 'refused',
        cause: 'trail-refusing',
        detail: 'the audit trail does not hold together here, so no checkpoint is taken in',
      };
    }
    const signed = verifyCheckpointNote(note, this.publicKey, this.origin);
    if (signed === null || signed.origin !== this.origin) {
      return {
        kind: 'refused',
        cause: 'signature',
        detail: `the note is not a checkpoint of ${this.origin} signed by the writer's key`,
      };
    }
    const localSize = this.merkle.size();
    if (signed.treeSize > localSize) return { kind: 'ahead', treeSize: signed.treeSize, localSize };
    if (!this.merkle.rootAt(signed.treeSize).equals(signed.rootHash)) {
      return {
        kind: 'refused',
        cause: 'root-differs',
        detail: `the writer signed tree size ${signed.treeSize} with root ${signed.rootHash.toString('base64')}, but this replica's tree of that size has root ${this.merkle.rootAt(signed.treeSize).toString('base64')}`,
      };
    }
    const checkpoint: StoredCheckpoint = {
      origin: this.origin,
      treeSize: signed.treeSize,
      rootHash: signed.rootHash,
      note,
      createdAt: createdAt ?? this.clock().toISOString(),
    };
    const added = this.checkpointStore.add(checkpoint);
    if (!added) return { kind: 'known', checkpoint };
    this.lastCheckpointSize = Math.max(this.lastCheckpointSize, checkpoint.treeSize);
    for (const listener of this.checkpointListeners) listener(checkpoint);
    return { kind: 'adopted', checkpoint };
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

  /**
   * Listens for every checkpoint this process signs (a replica: adopts) from now on; returns the function that stops
   * listening.
   */
  onCheckpoint(listener: (checkpoint: StoredCheckpoint) => void): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
  }

  // ---------- cosignatures ----------

  /** Keeps a witness's cosignature of a checkpoint; the caller has checked it against the witness's key. */
  addCosignature(cosignature: StoredCosignature): void {
    this.cosignatureStore.add(cosignature);
  }

  /** The cosignatures received for the checkpoint of `treeSize`, by witness name. */
  cosignaturesOf(treeSize: number): StoredCosignature[] {
    return this.cosignatureStore.of(treeSize);
  }

  /** The largest tree size a cosignature of this witness is kept for, if any. */
  lastCosignedSize(witness: string): number | undefined {
    return this.cosignatureStore.latestSizeOf(witness);
  }

  /**
   * The checkpoint's signed note with the cosignature lines received for it appended, as clients are served it. Only
   * lines of the signature line's form are appended: a row put into the file behind the server's back that is not one
   * would make the whole note unreadable, the log's own signature included (clients still check every line).
   */
  cosignedNote(checkpoint: StoredCheckpoint): string {
    return checkpoint.note + wellFormed(this.cosignatureStore.of(checkpoint.treeSize).map((c) => c.line));
  }

  /** The cosigned notes of a page of checkpoints, in one query. */
  cosignedNotes(checkpoints: readonly StoredCheckpoint[]): string[] {
    if (checkpoints.length === 0) return [];
    const lines = new Map<number, string>();
    const first = checkpoints[0]!.treeSize;
    const last = checkpoints[checkpoints.length - 1]!.treeSize;
    for (const c of this.cosignatureStore.between(Math.min(first, last), Math.max(first, last))) {
      lines.set(c.treeSize, (lines.get(c.treeSize) ?? '') + wellFormed([c.line]));
    }
    return checkpoints.map((c) => c.note + (lines.get(c.treeSize) ?? ''));
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

/** The lines that are each one signature line (`— <name> <base64>` and its newline), joined. */
function wellFormed(lines: readonly string[]): string {
  return lines.filter((line) => isNoteSafe(line) && parseSignatureLines(line)?.length === 1).join('');
}

/** A checkpoint as the journal writes it. */
export function journalEntryOf(checkpoint: StoredCheckpoint): JournalEntry {
  return {
    kind: 'checkpoint',
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash.toString('base64'),
    note: checkpoint.note,
    createdAt: checkpoint.createdAt,
  };
}
