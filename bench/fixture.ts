/**
 * The benchmarks' ledger: the simulated trial at a given scale (scale 100 ≈ 1M events), decided by the pure
 * deciders and appended straight through the store port (loading 1M events through the command API would take a
 * quarter of an hour and measure something else). Kept in bench/.cache between runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { businessDateOf, eventSchemaVersions, PersonalData, type DomainEvent } from '../src/domain/events';
import { PersonalDataVault } from '../src/privacy/personalDataVault';
import { PureLedger } from '../src/simulation/pureLedger';
import { generateTrial } from '../src/simulation/trial';
import type { NewEvent } from '../src/store/eventStore';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';

const THRESHOLD = 300;

function envelope(event: DomainEvent, vault: PersonalDataVault): NewEvent {
  let data: unknown = event.data;
  let dataKeyId: string | undefined;
  if (event.type === 'PersonRegistered') {
    const plain = PersonalData.safeParse(event.data.personal);
    if (plain.success) {
      const sealed = vault.seal(event.data.personId, plain.data);
      data = { ...event.data, personal: sealed.sealed };
      dataKeyId = sealed.keyId;
    }
  }
  const id = uuidv7();
  return {
    eventId: id,
    type: event.type,
    schemaVersion: eventSchemaVersions[event.type],
    occurredAt: businessDateOf(event) || '2026-11-27',
    actor: { principal: 'simulator', role: 'admin' },
    correlationId: id,
    causationId: null,
    data,
    ...(dataKeyId ? { dataKeyId } : {}),
  };
}

/** The data directory of a ledger of the simulated trial at `scale`, created on first use. */
export async function ensureLedger(scale: number): Promise<{ dir: string; events: number }> {
  const dir = path.resolve(__dirname, `../../bench/.cache/trial-scale-${scale}`);
  const done = path.join(dir, 'complete.json');
  if (fs.existsSync(done))
    return { dir, events: (JSON.parse(fs.readFileSync(done, 'utf8')) as { events: number }).events };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const store = new SqliteEventStore({ file: path.join(dir, 'events.sqlite') });
  const vault = new PersonalDataVault(path.join(dir, 'personal-data-keys.sqlite'));
  const pure = new PureLedger({ citizenInitiativeThreshold: THRESHOLD, today: '2026-11-27' });
  let pending: Array<Promise<unknown>> = [];
  let events = 0;
  for (const command of generateTrial({ seed: 1, scale, citizenInitiativeThreshold: THRESHOLD })) {
    const result = pure.execute(command);
    if (result.events.length === 0) continue;
    pending.push(
      store.append(
        result.streamId,
        result.events.map((e) => envelope(e, vault)),
      ),
    );
    events += result.events.length;
    if (pending.length >= 2000) {
      await Promise.all(pending);
      pending = [];
      if (events % 100_000 < 2000) process.stderr.write(`  fixture: ${events.toLocaleString('en')} events\n`);
    }
  }
  await Promise.all(pending);
  await store.close();
  vault.close();
  fs.writeFileSync(done, JSON.stringify({ events, seconds: (Date.now() - started) / 1000 }));
  return { dir, events };
}
