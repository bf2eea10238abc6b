/**
 * The gauges read their sources at scrape time (witnesses, a store that cannot answer), the rule label keeps to its
 * closed set, and the SQLite group commit tells its observer the size of each transaction and each append's latency.
 */
import path from 'node:path';
import { LedgerMetrics, type MetricSources } from '../../../src/metrics/ledgerMetrics';
import { refusalOf } from '../../../src/application/commandService';
import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendObserver,
  type NewEvent,
} from '../../../src/store/eventStore';
import { SqliteEventStore } from '../../../src/store/sqlite/sqliteEventStore';
import { parsePrometheusText, samplesOf, valueOf } from '../../support/prometheusText';
import { makeTempDir } from '../../support/tempDir';

/** Sources whose answers the test sets: a double of the runner, audit log, witnesses and store. */
function sourcesDouble(overrides: Partial<MetricSources> = {}): MetricSources {
  return {
    views: () => [
      { name: 'proposalStatus', lag: 0 },
      { name: 'influence', lag: 12 },
    ],
    logSize: () => Promise.resolve(40),
    treeSize: () => 33,
    witnesses: () => [],
    storeConnected: () => true,
    ...overrides,
  };
}

async function scrape(metrics: LedgerMetrics) {
  return parsePrometheusText(await metrics.exposition());
}

test('view lag per view, tree lag from log and tree size, witness size and alarm per witness', async () => {
  const metrics = new LedgerMetrics();
  metrics.watch(
    sourcesDouble({
      witnesses: () => [
        { name: 'witness.example.no', lastSizeCosigned: 30, alarm: false },
        { name: 'vitne.kommune.no', lastSizeCosigned: null, alarm: true },
      ],
    }),
  );
  const f = await scrape(metrics);
  expect(valueOf(f, 'ledger_projection_lag_events', { view: 'influence' })).toBe(12);
  expect(valueOf(f, 'ledger_projection_lag_events', { view: 'proposalStatus' })).toBe(0);
  expect(valueOf(f, 'ledger_merkle_tree_lag_events')).toBe(7);
  expect(valueOf(f, 'ledger_witness_cosigned_tree_size_events', { witness: 'witness.example.no' })).toBe(30);
  // A witness that has cosigned nothing has no size rather than a made-up 0.
  expect(samplesOf(f, 'ledger_witness_cosigned_tree_size_events', { witness: 'vitne.kommune.no' })).toEqual(
    [],
  );
  expect(valueOf(f, 'ledger_witness_alarm', { witness: 'witness.example.no' })).toBe(0);
  expect(valueOf(f, 'ledger_witness_alarm', { witness: 'vitne.kommune.no' })).toBe(1);
});

test('gauges follow their sources from one scrape to the next (a view that is gone is gone)', async () => {
  let views = [{ name: 'influence', lag: 5 }];
  const metrics = new LedgerMetrics();
  metrics.watch(sourcesDouble({ views: () => views }));
  expect(valueOf(await scrape(metrics), 'ledger_projection_lag_events', { view: 'influence' })).toBe(5);
  views = [{ name: 'participation', lag: 1 }];
  const f = await scrape(metrics);
  expect(samplesOf(f, 'ledger_projection_lag_events').map((s) => s.labels.view)).toEqual(['participation']);
});

test('a store that cannot answer: disconnected, and the tree lag unknown (NaN), not 0', async () => {
  const metrics = new LedgerMetrics();
  metrics.watch(
    sourcesDouble({
      logSize: () => Promise.reject(new Error('connection refused')),
      storeConnected: () => Promise.resolve(false),
    }),
  );
  const f = await scrape(metrics);
  expect(valueOf(f, 'ledger_event_store_connected')).toBe(0);
  expect(valueOf(f, 'ledger_merkle_tree_lag_events')).toBeNaN();
});

test('the rule label keeps to the catalogue and the named refusals; anything else is "other"', async () => {
  const metrics = new LedgerMetrics();
  metrics.commandObserver.commandEnded('RegisterArena', 'rejected', 'already-exists');
  metrics.commandObserver.commandEnded('RegisterArena', 'rejected', 'revision-conflict');
  metrics.commandObserver.commandEnded('RegisterArena', 'rejected', `made-up-${Math.random()}`);
  const f = await scrape(metrics);
  const rules = samplesOf(f, 'ledger_commands_total').map((s) => s.labels.rule);
  expect(rules.sort()).toEqual(['already-exists', 'other', 'revision-conflict']);
});

test('refusalOf names the rule of a domain error and of the store refusals; a fault is "failed"', () => {
  expect(refusalOf(new RuleViolation('committee-period-in-order', 'x'))).toEqual({
    outcome: 'rejected',
    rule: 'committee-period-in-order',
  });
  expect(refusalOf(new StateConflict('already-exists', 'x')).rule).toBe('already-exists');
  expect(refusalOf(new UnknownReference('person', 'p1', 'body')).rule).toBe('references-exist');
  expect(refusalOf(new WrongExpectedRevisionError('arena-1', 2, 3)).rule).toBe('revision-conflict');
  expect(refusalOf(new DuplicateEventIdError('e1')).rule).toBe('duplicate-event-id');
  expect(refusalOf(new Error('disk full'))).toEqual({ outcome: 'failed', rule: 'none' });
});

describe('the group commit tells its observer', () => {
  const temp = makeTempDir('ledger-metrics-');
  afterAll(() => temp.cleanup());

  const event = (i: number): NewEvent => ({
    eventId: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    type: 'ArenaRegistered',
    schemaVersion: 1,
    occurredAt: '2021-01-01',
    actor: { principal: 'test', role: 'clerk' },
    correlationId: 'c',
    causationId: null,
    data: { i },
  });

  test('one transaction for the appends of one tick, its size in events, and every append’s latency', async () => {
    const batches: number[] = [];
    const latencies: number[] = [];
    const observer: AppendObserver = {
      appendSettled: (seconds) => latencies.push(seconds),
      batchWritten: (events) => batches.push(events),
    };
    const store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite'), observer });
    try {
      // Ten appends in one tick, one of them with two events: one transaction of eleven.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.append(`arena-${i}`, i === 0 ? [event(100), event(101)] : [event(i)], {
            expectedRevision: 'no_stream',
          }),
        ),
      );
      expect(batches).toEqual([11]);
      // A refused append is answered (and timed) but writes nothing: no batch of 0.
      await expect(
        store.append('arena-1', [event(200)], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      // A replay of stored events writes nothing either.
      await store.append('arena-2', [event(2)], { expectedRevision: 'any' });
      expect(batches).toEqual([11]);
      expect(latencies).toHaveLength(12);
      expect(latencies.every((s) => s >= 0 && s < 10)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
