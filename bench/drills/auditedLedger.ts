/**
 * A small but plausible ledger with its audit log, for the audit tests and drills: a few hundred events of several
 * kinds across committees, proposals, persons and votes (sealed personal data with a dataKeyId, causation chains,
 * nested arrays), appended through the SQLite store and followed by the audit log with checkpoints on the way.
 */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from '../../src/audit/auditLog';
import { CheckpointJournal } from '../../src/audit/checkpointJournal';
import { generateSigningKey } from '../../src/audit/signedNote';
import { SealKey, writeSealKey } from '../../src/store/eventSeal';
import type { EventStore, NewEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';

/** mulberry32: a small seeded PRNG, so a failing drill can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic UUID-shaped id from the PRNG. */
export function idFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const THEMES = ['gangvei', 'idrettsanlegg', 'kulturhus', 'skolevei', 'nærmiljø'];
const AREAS = ['Vollen', 'Slemmestad', 'Heggedal', 'Asker sentrum', 'Holmen'];

/** One plausible event for a stream, given what came before (for causation chains). */
function plausibleEvent(
  random: () => number,
  i: number,
  previousEventId: string | null,
): { streamId: string; event: NewEvent } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const actor = pick([
    { principal: 'clerk:5f1c0a9e22b1', role: 'clerk' },
    { principal: 'admin:09ad4471c3f0', role: 'admin' },
  ]);
  const base = {
    eventId: idFrom(random),
    schemaVersion: 1,
    occurredAt: `202${Math.floor(random() * 3)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
    actor,
    correlationId: idFrom(random),
    causationId: random() < 0.3 ? previousEventId : null,
  };
  const kind = i % 5;
  if (kind === 0) {
    const personId = idFrom(random);
    return {
      streamId: `person-${personId}`,
      event: {
        ...base,
        type: 'PersonRegistered',
        dataKeyId: `person-key-${personId}`,
        data: {
          personId,
          personal: { iv: 'q3m1fJ0x2kZ0aB9c', ciphertext: `c2VhbGVk${i}IGRhdGE=`, tag: 'R1c5dE1uWmxhMlE9' },
          birthYear: 1950 + Math.floor(random() * 55),
          area: pick(AREAS),
        },
      },
    };
  }
  if (kind === 1) {
    const proposalId = idFrom(random);
    return {
      streamId: `proposal-${proposalId}`,
      event: {
        ...base,
        type: 'ProposalSubmitted',
        data: {
          proposalId,
          committeeId: idFrom(random),
          title: `Ny ${pick(THEMES)} ved ${pick(AREAS)}`,
          description: 'Innbyggere ønsker tryggere ferdsel – «nå»',
          origin: pick(['citizen', 'committee', 'administration']),
          theme: pick(THEMES),
          area: pick(AREAS),
          submittedOn: base.occurredAt,
          tags: [pick(THEMES), pick(THEMES)],
        },
      },
    };
  }
  if (kind === 2) {
    const voteId = idFrom(random);
    return {
      streamId: `vote-${voteId}`,
      event: {
        ...base,
        type: 'VoteClosed',
        data: {
          voteId,
          closedOn: base.occurredAt,
          tally: { yes: Math.floor(random() * 12), no: Math.floor(random() * 8), abstain: 0 },
          eligible: 21,
          result: pick(['adopted', 'rejected']),
        },
      },
    };
  }
  const committeeId = idFrom(random);
  return {
    streamId: `committee-${committeeId}`,
    event: {
      ...base,
      type: kind === 3 ? 'CommitteeEstablished' : 'CommitteeBudgetAllocated',
      data:
        kind === 3
          ? {
              committeeId,
              name: `Lokalsamfunnsutvalg ${pick(AREAS)}`,
              kind: 'local_community',
              areas: [pick(AREAS)],
              mandate: {
                influence: true,
                decide: random() < 0.5,
                facilitate: true,
                support: false,
                arrange: true,
              },
              coCreationForm: 'citizen_panel',
              period: { from: '2020-01-01', to: '2022-12-31' },
            }
          : {
              committeeId,
              year: 2020 + Math.floor(random() * 3),
              amountNok: 100_000 + Math.floor(random() * 9) * 25_000,
            },
    },
  };
}

/** Appends `count` plausible events; some go to a stream of their kind already written (several revisions). */
export async function appendPlausibleEvents(store: EventStore, count: number, seed = 1): Promise<void> {
  const random = seededRandom(seed);
  const streams: string[] = [];
  let previous: string | null = null;
  for (let i = 0; i < count; i++) {
    const { streamId, event } = plausibleEvent(random, i, previous);
    const category = streamId.slice(0, -36); // "proposal-" of "proposal-<uuid>"
    const sameKind = streams.filter((s) => s.startsWith(category));
    const target =
      i % 4 === 3 && sameKind.length > 0
        ? (sameKind[Math.floor(random() * sameKind.length)] as string)
        : streamId;
    await store.append(target, [event]);
    streams.push(target);
    previous = event.eventId;
  }
}

export interface AuditedLedgerFiles {
  dir: string;
  events: string;
  audit: string;
  /** The checkpoint journal, where the CLI looks for it (checkpoint-journal.ndjson in the dir). */
  journal: string;
  /** The signing key, also written where the CLI looks for it (checkpoint-signing-key.pem in the dir). */
  key: KeyObject;
  /** The key that sealed every event, also written where the CLI looks for it (event-seal-key in the dir). */
  sealKey: SealKey;
  origin: string;
}

/** A store on the ledger's event file that seals with its key, as the server opens it. */
export function sealedStore(files: Pick<AuditedLedgerFiles, 'dir' | 'events' | 'sealKey'>): SqliteEventStore {
  return new SqliteEventStore({
    file: files.events,
    synchronous: 'NORMAL',
    seal: { key: files.sealKey, keyFile: path.join(files.dir, 'event-seal-key') },
  });
}

/**
 * Builds `events` plausible events in `dir` the way the server keeps them (each sealed, checkpoints in the audit
 * database and the journal), followed by an audit log that signs a checkpoint every `checkpointEvery` events, then
 * closes everything (so the files stand alone, their WALs folded in).
 */
export async function buildAuditedLedger(
  dir: string,
  options: { events: number; checkpointEvery: number; seed?: number },
): Promise<AuditedLedgerFiles> {
  const key = generateSigningKey();
  fs.writeFileSync(
    path.join(dir, 'checkpoint-signing-key.pem'),
    key.export({ format: 'pem', type: 'pkcs8' }),
    {
      mode: 0o600,
    },
  );
  const sealKey = SealKey.generate();
  writeSealKey(path.join(dir, 'event-seal-key'), sealKey);
  const files = {
    dir,
    events: path.join(dir, 'events.sqlite'),
    audit: path.join(dir, 'audit.sqlite'),
    journal: path.join(dir, 'checkpoint-journal.ndjson'),
    sealKey,
  };
  const journal = new CheckpointJournal(files.journal);
  journal.create();
  const origin = 'test.example/ledger';
  const store = sealedStore(files);
  const audit = new AuditLog({
    store,
    file: files.audit,
    signingKey: key,
    origin,
    checkpointEveryEvents: options.checkpointEvery,
    maxBatch: 16,
    journal,
    requireSeals: true,
  });
  await audit.start();
  await appendPlausibleEvents(store, options.events, options.seed);
  await audit.close(); // drains the follower and signs a last checkpoint of the whole log
  await store.close();
  return { ...files, key, origin };
}
