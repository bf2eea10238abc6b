/**
 * A replica's follower of the writer's checkpoints against a hostile writer: a small node:http double stands in for
 * the writer and answers what an attacker (or a broken writer) might. The replica's audit log follows the real events
 * file read-only; it must serve a checkpoint only when the writer's key signed it and its own tree has that root, and
 * for everything else serve nothing, stay up, and report the alarm.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pino from 'pino';
import { AuditLog } from '../../../src/audit/auditLog';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../../src/audit/signedNote';
import { WriterCheckpoints, type WriterCheckpointCause } from '../../../src/replica/writerCheckpoints';
import { SqliteEventStore } from '../../../src/store/sqlite/sqliteEventStore';
import { buildAuditedLedger, type AuditedLedgerFiles } from '../../support/auditedLedger';
import { makeTempDir } from '../../support/tempDir';
import { corruptedLine, cosignatureLine, makeWitness, type TestWitness } from '../../support/witnessFixtures';
import { parsePolicy, type Policy } from '../../../src/audit/witnessPolicy';

const EVENTS = 40;
/** Within the replicas' port range (4500–4549). */
const DOUBLE_PORT = 4531;
const silent = pino({ level: 'silent' });

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The writer as a test double: whatever `answer` says, on GET /api/v1/audit/checkpoint. */
class WriterDouble {
  answer: Answer = (_req, res) => res.writeHead(404).end();
  asked = 0;
  private readonly server = http.createServer((req, res) => {
    this.asked++;
    if (req.url !== '/api/v1/audit/checkpoint') res.writeHead(404).end();
    else this.answer(req, res);
  });
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(DOUBLE_PORT, '127.0.0.1', resolve));
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const json =
  (body: unknown): Answer =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
const checkpointAnswer = (signedNote: string, createdAt = '2026-12-01T10:00:00.000Z'): Answer =>
  json({ origin: 'whatever', treeSize: 0, rootHash: '', signedNote, createdAt, publicKey: 'x' });

let tmp: ReturnType<typeof makeTempDir>;
let files: AuditedLedgerFiles;
let verifierKey: string;
/** The note the writer really signed over all EVENTS events (from its audit database). */
let genuineNote: string;
let genuineRoot: Buffer;
const writer = new WriterDouble();
let replicas = 0;
const opened: Array<{ follower: WriterCheckpoints; audit: AuditLog; store: SqliteEventStore }> = [];

beforeAll(async () => {
  tmp = makeTempDir('ledger-replica-');
  files = await buildAuditedLedger(tmp.dir, { events: EVENTS, checkpointEvery: 10 });
  verifierKey = encodeVerifierKey(files.origin, publicKeyFromPrivate(files.key));
  const db = new Database(files.audit, { readonly: true });
  const row = db.prepare('SELECT note, root_hash FROM checkpoints WHERE tree_size = ?').get(EVENTS) as {
    note: string;
    root_hash: Buffer;
  };
  db.close();
  genuineNote = row.note;
  genuineRoot = row.root_hash;
  await writer.listen();
}, 30_000);

afterEach(async () => {
  for (const { follower, audit, store } of opened.splice(0)) {
    await follower.stop();
    await audit.close();
    await store.close();
  }
});

afterAll(async () => {
  await writer.close();
  tmp.cleanup();
});

/** A fresh replica (its own audit database) over the writer's events file, caught up, its follower not polling. */
async function replica(
  timeoutMs = 2_000,
  policy?: Policy,
): Promise<{ follower: WriterCheckpoints; audit: AuditLog }> {
  const store = new SqliteEventStore({
    file: files.events,
    seal: { key: files.sealKey, keyFile: path.join(tmp.dir, 'event-seal-key') },
    readOnly: true,
  });
  const audit = new AuditLog({
    store,
    file: path.join(tmp.dir, `replica-audit-${replicas++}.sqlite`),
    verifierKey,
    requireSeals: true,
    logger: silent,
  });
  await audit.start();
  const follower = new WriterCheckpoints({
    writerUrl: writer.url,
    audit,
    store,
    logger: silent,
    timeoutMs,
    policy,
  });
  opened.push({ follower, audit, store });
  return { follower, audit };
}

async function expectNothingServed(cause: WriterCheckpointCause): Promise<void> {
  const { follower, audit } = await replica(400);
  expect(audit.treeSize()).toBe(EVENTS);
  await follower.fetchOnce();
  expect(audit.latestCheckpoint()).toBeUndefined();
  const report = follower.report();
  expect(report).toMatchObject({ ok: false, served: null, alarm: { cause } });
  // The replica is still whole: the genuine checkpoint, offered next, is served.
  writer.answer = checkpointAnswer(genuineNote);
  await follower.fetchOnce();
  expect(audit.latestCheckpoint()?.treeSize).toBe(EVENTS);
}

describe("a replica serves the writer's checkpoint only when it verifies and its own tree has the root", () => {
  test('the genuine one is served, with the time the writer gave, and /readyz has nothing to report', async () => {
    writer.answer = checkpointAnswer(genuineNote, '2026-11-30T08:15:00.000Z');
    const { follower, audit } = await replica();
    await follower.fetchOnce();
    const served = audit.latestCheckpoint();
    expect(served).toMatchObject({
      treeSize: EVENTS,
      note: genuineNote,
      createdAt: '2026-11-30T08:15:00.000Z',
    });
    expect(served?.rootHash.equals(genuineRoot)).toBe(true);
    expect(follower.report()).toMatchObject({
      ok: true,
      served: { treeSize: EVENTS, rootHash: genuineRoot.toString('base64') },
      alarm: null,
    });
    // The replica's audit log has the writer's verifier key, so its answers name the writer's key.
    expect(audit.verifierKey).toBe(verifierKey);
  });

  test('an older genuine checkpoint is served as it is, and a newer one replaces it', async () => {
    const db = new Database(files.audit, { readonly: true });
    const older = (db.prepare('SELECT note FROM checkpoints WHERE tree_size = 20').get() as { note: string })
      .note;
    db.close();
    const { follower, audit } = await replica();
    writer.answer = checkpointAnswer(older);
    await follower.fetchOnce();
    expect(audit.latestCheckpoint()?.treeSize).toBe(20);
    writer.answer = checkpointAnswer(genuineNote);
    await follower.fetchOnce();
    expect(audit.latestCheckpoint()?.treeSize).toBe(EVENTS);
  });

  test('signed by another key under the same name: not served, a signature alarm', async () => {
    const forger = generateSigningKey();
    writer.answer = checkpointAnswer(
      signCheckpoint({ origin: files.origin, treeSize: EVENTS, rootHash: genuineRoot }, forger, files.origin),
    );
    await expectNothingServed('signature');
  });

  test("signed by the writer's key over another root: not served, a root alarm that stays", async () => {
    const otherRoot = createHash('sha256').update('another history').digest();
    writer.answer = checkpointAnswer(
      signCheckpoint(
        { origin: files.origin, treeSize: EVENTS, rootHash: otherRoot },
        files.key,
        files.origin,
      ),
    );
    const { follower, audit } = await replica();
    await follower.fetchOnce();
    expect(audit.latestCheckpoint()).toBeUndefined();
    expect(follower.report().alarm).toMatchObject({ cause: 'root-differs' });
    expect(follower.report().alarm?.detail).toContain(otherRoot.toString('base64'));
    // Evidence of a fork is kept: a genuine checkpoint is served again, but the alarm stands until restart.
    writer.answer = checkpointAnswer(genuineNote);
    await follower.fetchOnce();
    expect(audit.latestCheckpoint()?.treeSize).toBe(EVENTS);
    expect(follower.report()).toMatchObject({ ok: false, alarm: { cause: 'root-differs' } });
  });

  test("signed by the writer's key for more events than the store holds: not served, a beyond-store alarm", async () => {
    writer.answer = checkpointAnswer(
      signCheckpoint(
        { origin: files.origin, treeSize: EVENTS + 5, rootHash: genuineRoot },
        files.key,
        files.origin,
      ),
    );
    await expectNothingServed('beyond-store');
  });

  test.each<[string, Answer]>([
    [
      'junk bytes that are not UTF-8',
      (_req, res) => res.writeHead(200).end(Buffer.from([0xff, 0xfe, 0x00, 0xc3])),
    ],
    ['random bytes', (_req, res) => res.writeHead(200).end(randomBytes(512))],
    ['JSON that is not a checkpoint', json({ hello: 'world' })],
    ['a note that is not a signed note', checkpointAnswer('participation-ledger/x\n40\nAAAA\n')],
    ['a signed note with a createdAt that is not a time', checkpointAnswer(genuineNote, '<script>')],
  ])('%s: not served, a malformed alarm', async (_what, answer) => {
    writer.answer = answer;
    await expectNothingServed('malformed');
  });

  test('a huge body (2 MB, no Content-Length): not read past 64 KB, not served, a too-large alarm', async () => {
    let written = 0;
    writer.answer = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = (): void => {
        while (written < 2 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      more();
    };
    await expectNothingServed('too-large');
  });

  test('a writer that never answers: given up after the timeout, a timeout alarm', async () => {
    writer.answer = () => undefined; // holds the request open
    await expectNothingServed('timeout');
  });

  test('a writer that trickles its body: the deadline covers the body too', async () => {
    writer.answer = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    };
    await expectNothingServed('timeout');
  });

  test('a writer answering 500: not served, an http-status alarm', async () => {
    writer.answer = (_req, res) => res.writeHead(500).end('{"genuine": false}');
    await expectNothingServed('http-status');
  });

  test('a writer that is down: an unreachable alarm, and the alarm clears once it answers again', async () => {
    const { follower, audit } = await replica();
    await writer.close();
    try {
      await follower.fetchOnce();
      expect(follower.report().alarm).toMatchObject({ cause: 'unreachable' });
    } finally {
      await writer.listen();
    }
    writer.answer = checkpointAnswer(genuineNote);
    await follower.fetchOnce();
    expect(audit.latestCheckpoint()?.treeSize).toBe(EVENTS);
    expect(follower.report()).toMatchObject({ ok: true, alarm: null });
  });

  test('cosignature lines the replica cannot check (no witness policy) are not kept', async () => {
    const forger = generateSigningKey();
    const junkLine = signCheckpoint(
      { origin: 'w', treeSize: 1, rootHash: genuineRoot },
      forger,
      'witness.example',
    ).split('\n\n')[1] as string;
    writer.answer = checkpointAnswer(genuineNote + junkLine);
    const { follower, audit } = await replica();
    await follower.fetchOnce();
    const served = audit.latestCheckpoint();
    expect(served?.note).toBe(genuineNote);
    expect(audit.cosignedNote(served!)).toBe(genuineNote);
  });
});

describe('cosignatures, with the witness policy the replica is given', () => {
  test("it keeps the lines of its policy's witnesses that verify, and no other", async () => {
    const [first, second, stranger] = ['w1.example', 'w2.example', 'w3.example'].map(makeWitness) as [
      TestWitness,
      TestWitness,
      TestWitness,
    ];
    const policy = parsePolicy(
      `witness ${first.name} ${first.vkey}\nwitness ${second.name} ${second.vkey}\ngroup both all ${first.name} ${second.name}\nquorum both\n`,
    );
    const good = cosignatureLine(genuineNote, first);
    const forged = corruptedLine(cosignatureLine(genuineNote, second));
    const unknown = cosignatureLine(genuineNote, stranger);
    writer.answer = checkpointAnswer(genuineNote + good + forged + unknown);
    const { follower, audit } = await replica(2_000, policy);
    await follower.fetchOnce();
    const served = audit.latestCheckpoint();
    expect(served?.note).toBe(genuineNote);
    expect(audit.cosignedNote(served!)).toBe(genuineNote + good);
    // Asked again, it keeps the line once.
    await follower.fetchOnce();
    expect(audit.cosignaturesOf(EVENTS)).toHaveLength(1);
  });
});

describe('a trace on a replica waits for a covering checkpoint', () => {
  test('covering() answers at once with a served checkpoint that covers the size, and asks the writer otherwise', async () => {
    const { follower } = await replica();
    writer.answer = checkpointAnswer(genuineNote);
    const asked = writer.asked;
    const covering = await follower.covering(EVENTS, 2_000);
    expect(covering?.treeSize).toBe(EVENTS);
    expect(writer.asked).toBeGreaterThan(asked);
    expect((await follower.covering(10, 10))?.treeSize).toBe(EVENTS);
  });

  test('covering() gives up after its wait when the writer has signed nothing that covers', async () => {
    const { follower } = await replica();
    writer.answer = (_req, res) => res.writeHead(503).end();
    const started = Date.now();
    expect(await follower.covering(EVENTS, 700)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });
});
