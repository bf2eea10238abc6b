/**
 * The simulated trial loaded through the real command service on a temporary SQLite data directory: every command
 * accepted, each stream holding exactly what the pure deciders produce running the trial one command at a time (the
 * loader runs independent commands concurrently), and no personal data in the clear in the database files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { DomainEvent } from '../../src/domain/events';
import { dataFiles, openLedger, type Ledger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { loadTrial, type LoadProgress, type LoadReport } from '../../src/simulation/loadTrial';
import { SIMULATED_NAME_SUFFIX } from '../../src/simulation/people';
import { PureLedger } from '../../src/simulation/pureLedger';
import { trialCommands } from '../../src/simulation/trial';
import type { RecordedEvent } from '../../src/store/eventStore';
import { makeTempDir } from '../support/tempDir';

const commands = trialCommands({ seed: 1 });

/** The trial run one command at a time through the pure deciders: each stream's events, in order. */
function expectedStreams(today: string): Map<string, DomainEvent[]> {
  const pure = new PureLedger({ citizenInitiativeThreshold: 300, today });
  const streams = new Map<string, DomainEvent[]>();
  for (const c of commands) {
    const { streamId, events } = pure.execute(c);
    streams.set(streamId, [...(streams.get(streamId) ?? []), ...events]);
  }
  return streams;
}

async function storedEvents(ledger: Ledger): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of ledger.store.readAll(0)) events.push(event);
  return events;
}

describe('the simulated trial through the command service', () => {
  const temp = makeTempDir('ledger-simulation-');
  let ledger: Ledger;
  let report: LoadReport;
  const progress: LoadProgress[] = [];

  beforeAll(async () => {
    ledger = openLedger(
      loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    report = await loadTrial(ledger, commands, {
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 1000,
    });
  }, 300_000);

  afterAll(async () => {
    await ledger.close();
    temp.cleanup();
  });

  test('every command is accepted, and the ledger holds as many events as the deciders produce', async () => {
    expect(report.errors).toEqual([]);
    expect(report.rejected).toBe(0);
    expect(report.commands).toBe(commands.length);
    const expected = expectedStreams(ledger.commands.today());
    const total = [...expected.values()].reduce((sum, events) => sum + events.length, 0);
    expect(report.events).toBe(total);
    expect(await ledger.store.headPosition()).toBe(total - 1);
    expect(progress.at(-1)).toMatchObject({ commands: commands.length, events: total, rejected: 0 });
  });

  test('the report counts the events in the store, and its rate is that count over the time it reports', async () => {
    expect(report.events).toBe((await storedEvents(ledger)).length);
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.eventsPerSecond).toBeCloseTo(report.events / report.seconds, 6);
    // Each progress report holds the same relation, and the counts and the clock only move forward.
    for (const p of progress) expect(p.eventsPerSecond).toBeCloseTo(p.events / p.seconds, 6);
    for (const [i, p] of progress.slice(1).entries()) {
      const before = progress[i] as LoadProgress;
      expect([p.commands >= before.commands, p.events >= before.events, p.seconds >= before.seconds]).toEqual(
        [true, true, true],
      );
    }
    expect(progress.length).toBeGreaterThan(0);
  });

  test('each stream holds what the trial gives it run one command at a time', async () => {
    const expected = expectedStreams(ledger.commands.today());
    const stored = new Map<string, RecordedEvent[]>();
    for (const event of await storedEvents(ledger)) {
      stored.set(event.streamId, [...(stored.get(event.streamId) ?? []), event]);
    }
    expect(stored.size).toBe(expected.size);
    for (const [streamId, events] of expected) {
      const actual = stored.get(streamId) ?? [];
      // Personal data is sealed in the store, so a registration is compared without it.
      const comparable = (type: string, data: unknown): unknown =>
        type === 'PersonRegistered' ? { ...(data as object), personal: 'sealed' } : data;
      expect(actual.map((e) => [e.type, comparable(e.type, e.data)])).toEqual(
        events.map((e) => [e.type, comparable(e.type, e.data)]),
      );
    }
  });

  test('events are recorded as the simulator, each command with its own correlation id', async () => {
    const events = await storedEvents(ledger);
    expect(new Set(events.map((e) => `${e.actor.principal}/${e.actor.role}`))).toEqual(
      new Set(['simulator/admin']),
    );
    expect(new Set(events.map((e) => e.correlationId)).size).toBe(events.length);
  });

  test('no generated name or e-mail address is in the SQLite files in the clear', () => {
    const file = path.join(temp.dir, dataFiles.events);
    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
    );
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const persons = commands.flatMap((c) => (c.name === 'RegisterPerson' ? [c.input] : []));
    const secrets = persons
      .slice(0, 25)
      .flatMap((p) => [p.name, ...(p.email !== undefined ? [p.email] : [])]);
    // Every simulated name ends with the suffix: finding it nowhere covers all names at once.
    for (const secret of [SIMULATED_NAME_SUFFIX.trim(), ...secrets]) {
      expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
    }
  });
});
