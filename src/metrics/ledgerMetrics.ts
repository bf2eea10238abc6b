/**
 * The ledger's Prometheus metrics (GET /metrics): one registry per ledger, never prom-client's global one, so a test
 * process can hold many ledgers and each counts only its own. Every label takes its values from a closed set the
 * code declares (operation ids, command names, the rule catalogue, view names, the witness policy's names): nothing
 * a client sends becomes a label value, so no id can grow the series and no person's data can show (docs/deploy.md
 * "Metrics").
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  NO_RULE,
  REFUSALS_OUTSIDE_CATALOGUE,
  type CommandObserver,
  type CommandOutcome,
} from '../application/commandService';
import { ruleCatalogue } from '../domain/rules';
import type { AppendObserver } from '../store/eventStore';

/** What the gauges read at scrape time: the composition root wires these to the runner, the audit log and the store. */
export interface MetricSources {
  /** Each view and how many events it is behind the head (ProjectionRunner.report()). */
  views(): ReadonlyArray<{ name: string; lag: number }>;
  /** Events in the log (head position + 1). */
  logSize(): Promise<number>;
  /** Leaves in the Merkle tree (AuditLog.treeSize()). */
  treeSize(): number;
  /** The configured witnesses: the size each last cosigned (null: none known) and whether it raised an alarm. */
  witnesses(): ReadonlyArray<{ name: string; lastSizeCosigned: number | null; alarm: boolean }>;
  /** Whether the event store is reachable. */
  storeConnected(): boolean | Promise<boolean>;
}

/** The values the rule label may take: the catalogue's rules, the other refusals, none, and other. */
const knownRules = new Set<string>([
  ...ruleCatalogue.map((r) => r.rule),
  ...REFUSALS_OUTSIDE_CATALOGUE,
  NO_RULE,
]);

/** Seconds: a command's request is a few milliseconds; a live feed's is as long as the reader stays. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds from append() to its answer: the queue for the group commit, the transaction and its fsync. */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Events per group-commit transaction: 1 when idle, up to the batch limit (5,000) under load. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 5000];

export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'operation' | 'status'>;
  /** One child per (operation, status): the label lookup on every response is one Map get. */
  private readonly httpChildren = new Map<string, Histogram.Internal<'operation' | 'status'>>();
  private readonly commands: Counter<'command' | 'outcome' | 'rule'>;
  private readonly appendDuration: Histogram;
  private readonly batchEvents: Histogram;

  /** Whether the default process metrics run (they start with the first scrape, see exposition()). */
  private processMetrics = false;

  constructor() {
    this.httpDuration = new Histogram({
      name: 'ledger_http_request_duration_seconds',
      help: 'HTTP requests from arrival to the last byte of the answer, by operation id (unmatched: no route) and status code',
      labelNames: ['operation', 'status'],
      buckets: HTTP_BUCKETS,
      registers: [this.registry],
    });
    this.commands = new Counter({
      name: 'ledger_commands_total',
      help: 'Commands the command service handled, by command, outcome (accepted, replayed, rejected, failed) and the rule that refused it (none when not refused)',
      labelNames: ['command', 'outcome', 'rule'],
      registers: [this.registry],
    });
    this.appendDuration = new Histogram({
      name: 'ledger_append_duration_seconds',
      help: 'Appends to the event store, from the call to its answer (the group-commit queue, the transaction, its fsync)',
      buckets: APPEND_BUCKETS,
      registers: [this.registry],
    });
    this.batchEvents = new Histogram({
      name: 'ledger_group_commit_batch_events',
      help: 'Events written per group-commit transaction (one fsync each)',
      buckets: BATCH_BUCKETS,
      registers: [this.registry],
    });
  }

  /** Starts the gauges that read the ledger at scrape time; called once, by the composition root. */
  watch(sources: MetricSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'ledger_projection_lag_events',
      help: 'Events the view is behind the head of the log',
      labelNames: ['view'],
      registers,
      collect() {
        this.reset();
        for (const view of sources.views()) this.set({ view: view.name }, view.lag);
      },
    });
    new Gauge({
      name: 'ledger_merkle_tree_lag_events',
      help: 'Events in the log not yet in the Merkle tree',
      registers,
      async collect() {
        // A store that cannot answer (EventStoreDB away) leaves the lag unknown: NaN, not a reassuring 0.
        const logSize = await sources.logSize().catch(() => Number.NaN);
        this.set(Math.max(0, logSize - sources.treeSize()));
      },
    });
    new Gauge({
      name: 'ledger_merkle_tree_size_events',
      help: 'Leaves in the Merkle tree (events 0 … size − 1)',
      registers,
      collect() {
        this.set(sources.treeSize());
      },
    });
    new Gauge({
      name: 'ledger_witness_cosigned_tree_size_events',
      help: 'The tree size each witness of the policy last cosigned, as far as the ledger knows (absent: none yet)',
      labelNames: ['witness'],
      registers,
      collect() {
        this.reset();
        for (const w of sources.witnesses()) {
          if (w.lastSizeCosigned !== null) this.set({ witness: w.name }, w.lastSizeCosigned);
        }
      },
    });
    new Gauge({
      name: 'ledger_witness_alarm',
      help: 'Whether the witness raised an alarm (refused a checkpoint as inconsistent, or its state went back): 1 yes, 0 no',
      labelNames: ['witness'],
      registers,
      collect() {
        this.reset();
        for (const w of sources.witnesses()) this.set({ witness: w.name }, w.alarm ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ledger_event_store_connected',
      help: 'Whether the event store is reachable: 1 connected, 0 not',
      registers,
      async collect() {
        this.set((await sources.storeConnected()) ? 1 : 0);
      },
    });
  }

  /** Records one answered request; `operation` is an operation id or `unmatched`, never a path. */
  observeRequest(operation: string, status: number, seconds: number): void {
    const key = `${operation} ${status}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = this.httpDuration.labels(operation, String(status));
      this.httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /**
   * The command service's observer. A rule outside the catalogue (none should reach here) is counted as `other`,
   * so the label set stays the catalogue's whatever an error carries.
   */
  readonly commandObserver: CommandObserver = {
    commandEnded: (command: string, outcome: CommandOutcome, rule: string): void => {
      this.commands.inc({ command, outcome, rule: knownRules.has(rule) ? rule : 'other' });
    },
  };

  /** The store's append observer (the SQLite adapter's group commit calls it). */
  readonly appendObserver: AppendObserver = {
    appendSettled: (seconds: number): void => this.appendDuration.observe(seconds),
    batchWritten: (events: number): void => this.batchEvents.observe(events),
  };

  /** The text exposition format (Prometheus 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  exposition(): Promise<string> {
    // The process metrics start at the first scrape: each start leaves a GC observer and an event-loop monitor
    // running for the life of the process (prom-client has no stop), which a process that opens many ledgers and
    // scrapes none (tests, CLI commands) need not carry. Their histograms fill from the second scrape on.
    if (!this.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      this.processMetrics = true;
    }
    return this.registry.metrics();
  }
}
