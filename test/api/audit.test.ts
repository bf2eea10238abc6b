/**
 * The audit and feed routes through the real app (createApp, bearer-token authentication, problem details), on a
 * temporary ledger. What an outsider does is done here with nothing but API.md, RFC 9162 and SHA-256: recompute a
 * leaf from the NDJSON feed (test/support/leafBySpec.ts), check the signed checkpoint, and the proofs against it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { AuditLog } from '../../src/audit/auditLog';
import { verifyConsistency } from '../../src/audit/consistencyProof';
import { verifyInclusion } from '../../src/audit/inclusionProof';
import { parseVerifierKey, verifyCheckpointNote } from '../../src/audit/signedNote';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/http/app';
import { authenticate, TokenRegistry } from '../../src/http/auth';
import { auditRouter } from '../../src/http/routes/audit';
import { feedsRouter } from '../../src/http/routes/feeds';
import { createLogger } from '../../src/logger';
import { PersonDirectory } from '../../src/privacy/personDirectory';
import { PersonalDataVault } from '../../src/privacy/personalDataVault';
import { Pseudonyms } from '../../src/privacy/pseudonyms';
import type { RecordedEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { appendPlausibleEvents, buildAuditedLedger } from '../support/auditedLedger';
import { leafHashBySpec } from '../support/leafBySpec';
import { makeTempDir } from '../support/tempDir';

const TOKENS = {
  admin: 'admin-token-0123456789',
  clerk: 'clerk-token-0123456789',
  evaluator: 'evaluator-token-0123456789',
};
const bearer = (role: keyof typeof TOKENS): string => `Bearer ${TOKENS[role]}`;
const b64 = (text: string): Buffer => Buffer.from(text, 'base64');

const ndjson = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('audit and feed routes', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let store: SqliteEventStore;
  let audit: AuditLog;
  let shutdown: AbortController;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    temp = makeTempDir('ledger-api-audit-');
    const files = await buildAuditedLedger(temp.dir, { events: 90, checkpointEvery: 30 });
    store = new SqliteEventStore({ file: files.events });
    audit = new AuditLog({ store, file: files.audit, signingKey: files.key, origin: files.origin });
    await audit.start();
    shutdown = new AbortController();
    const config = loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent' });
    const registry = TokenRegistry.fromPlainTokens(
      Object.entries(TOKENS).map(([role, token]) => ({ role: role as keyof typeof TOKENS, token })),
    );
    app = createApp({
      config,
      logger: createLogger('silent'),
      store,
      apiRouters: [
        auditRouter({ audit, store }),
        feedsRouter({
          store,
          people: new PersonDirectory(
            store,
            new PersonalDataVault(path.join(temp.dir, 'personal-data-keys.sqlite')),
            new Pseudonyms(Buffer.alloc(32, 7)),
          ),
          shutdown: shutdown.signal,
          heartbeatMs: 60_000,
          liveFeedCaps: config.liveFeeds,
        }),
      ],
      authenticate: authenticate(registry),
    });
  });
  afterAll(async () => {
    shutdown.abort();
    await audit.close();
    await store.close();
    temp.cleanup();
  });

  describe('checkpoints and proofs, checked as an outsider would', () => {
    it('given GET /audit/checkpoint, then its signed note verifies with its verifier key and says what the fields say', async () => {
      const res = await request(app).get('/api/v1/audit/checkpoint');
      expect(res.status).toBe(200);
      const { origin, treeSize, rootHash, signedNote, publicKey, publicKeyRaw } = res.body as Record<
        string,
        string
      >;
      const vkey = parseVerifierKey(publicKey as string);
      expect(vkey.keyName).toBe(origin);
      expect(vkey.publicKey.toString('base64')).toBe(publicKeyRaw);
      expect(verifyCheckpointNote(signedNote as string, vkey.publicKey, vkey.keyName)).toEqual({
        origin,
        treeSize,
        rootHash: b64(rootHash as string),
      });
      expect(treeSize).toBe(90);
    });

    it('given a leaf recomputed from the NDJSON feed, then its inclusion proof leads to the signed root', async () => {
      const checkpoint = (await request(app).get('/api/v1/audit/checkpoint')).body as {
        treeSize: number;
        rootHash: string;
      };
      // As stored: an admin's feed (evaluators' show pseudonyms for person ids; they verify through leaf texts).
      const feed = await request(app).get('/api/v1/events?limit=90').set('Authorization', bearer('admin'));
      const envelopes = ndjson(feed.text);
      expect(envelopes).toHaveLength(90);
      for (const position of [0, 1, 17, 44, 63, 88, 89]) {
        const envelope = envelopes[position] as Record<string, unknown>;
        const leaf = leafHashBySpec(envelope);
        const res = await request(app).get(`/api/v1/audit/inclusion?position=${position}`);
        expect(res.status).toBe(200);
        const proof = res.body as { leafIndex: number; treeSize: number; leafHash: string; path: string[] };
        expect(proof).toMatchObject({ leafIndex: position, treeSize: checkpoint.treeSize });
        expect(b64(proof.leafHash).equals(leaf)).toBe(true);
        expect(
          verifyInclusion(position, proof.treeSize, leaf, proof.path.map(b64), b64(checkpoint.rootHash)),
        ).toBe(true);
      }
    });

    it('given two checkpoints from the history, then the consistency proof between them verifies', async () => {
      const history = await request(app).get('/api/v1/audit/checkpoints');
      const items = (history.body as { items: Array<{ treeSize: number; rootHash: string }> }).items;
      expect(items.map((c) => c.treeSize)).toEqual([0, 30, 60, 90]);
      const [, older, , newer] = items as [
        unknown,
        { treeSize: number; rootHash: string },
        unknown,
        (typeof items)[0],
      ];
      const res = await request(app).get(
        `/api/v1/audit/consistency?from=${older.treeSize}&to=${newer?.treeSize}`,
      );
      expect(res.status).toBe(200);
      const proof = res.body as { fromSize: number; toSize: number; path: string[] };
      expect(proof).toMatchObject({ fromSize: 30, toSize: 90 });
      expect(
        verifyConsistency(30, 90, proof.path.map(b64), b64(older.rootHash), b64(newer?.rootHash ?? '')),
      ).toBe(true);
      const page = await request(app).get('/api/v1/audit/checkpoints?fromSize=1&limit=2');
      expect(page.body).toMatchObject({ items: [{ treeSize: 30 }, { treeSize: 60 }], nextFromSize: 90 });
    });

    it('given the standalone script of docs/audit.md, then it verifies the same proofs with node:crypto alone', async () => {
      const dir = path.join(temp.dir, 'outsider');
      fs.mkdirSync(dir, { recursive: true });
      const checkpoint = (await request(app).get('/api/v1/audit/checkpoint')).body as Record<string, string>;
      const older = (await request(app).get('/api/v1/audit/checkpoints?limit=2')).body as {
        items: Array<{ treeSize: number; signedNote: string }>;
      };
      const event = ndjson(
        (await request(app).get('/api/v1/events?from=42&limit=1').set('Authorization', bearer('admin'))).text,
      )[0];
      const inclusion = (await request(app).get('/api/v1/audit/inclusion?position=42')).body as unknown;
      const consistency = (await request(app).get('/api/v1/audit/consistency?from=30&to=90')).body as unknown;
      const write = (name: string, text: string): string => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const script = path.resolve(__dirname, '../../scripts/verify-audit-proof.js');
      const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
      const note = write('checkpoint.txt', checkpoint.signedNote as string);
      const eventFile = write('event.json', JSON.stringify(event));
      const ok = run(
        'inclusion',
        checkpoint.publicKey as string,
        note,
        eventFile,
        write('inc.json', JSON.stringify(inclusion)),
      );
      expect(ok.stdout).toMatch(/^OK: event 42 is in test\.example\/ledger of size 90/);
      expect(ok.status).toBe(0);
      const older30 = write('older.txt', older.items[1]?.signedNote ?? '');
      const consistent = run(
        'consistency',
        checkpoint.publicKey as string,
        older30,
        note,
        write('con.json', JSON.stringify(consistency)),
      );
      expect(consistent.status).toBe(0);
      // A changed event, or a note signed by another key, does not pass.
      const forged = write('forged.json', JSON.stringify({ ...event, type: 'Forged' }));
      expect(
        run('inclusion', checkpoint.publicKey as string, note, forged, path.join(dir, 'inc.json')).status,
      ).toBe(1);
      const otherKey = (checkpoint.publicKey as string).replace(/\+[0-9a-f]{8}\+/, '+00000000+');
      expect(run('inclusion', otherKey, note, eventFile, path.join(dir, 'inc.json')).status).toBe(1);
    });
  });

  describe('bad requests are problems, never 500', () => {
    it.each([
      ['/audit/inclusion', 400],
      ['/audit/inclusion?position=abc', 400],
      ['/audit/inclusion?position=-1', 400],
      ['/audit/inclusion?position=1.5', 400],
      ['/audit/inclusion?position=1e3', 400],
      ['/audit/inclusion?position=1&position=2', 400],
      ['/audit/inclusion?position=99999999999999999999', 400],
      ['/audit/inclusion?position=3&treeSize=x', 400],
      ['/audit/inclusion?position=90', 422],
      ['/audit/inclusion?position=5&treeSize=3', 422],
      ['/audit/inclusion?position=0&treeSize=0', 422],
      ['/audit/inclusion?position=5&treeSize=91', 422],
      ['/audit/consistency', 400],
      ['/audit/consistency?from=%00', 400],
      ['/audit/consistency?from=60&to=30', 400],
      ['/audit/consistency?from=95', 422],
      ['/audit/consistency?from=1&to=500', 422],
      ['/audit/checkpoints?limit=0', 400],
      ['/audit/checkpoints?limit=5000', 400],
      ['/audit/checkpoints?fromSize=-4', 400],
    ])('GET %s answers %i as a problem', async (url, status) => {
      const res = await request(app).get(`/api/v1${url}`);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, type: expect.any(String), detail: expect.any(String) });
    });

    it.each([
      ['/events?limit=0', 400],
      ['/events?limit=10001', 400],
      ['/events?from=abc', 400],
      ['/events/live?from=-2', 400],
      ['/streams/no-such-stream', 404],
      [`/streams/${'x'.repeat(300)}`, 404],
      ['/streams/%F0%9F%AB%90', 404],
    ])('GET %s (as evaluator) answers %i as a problem', async (url, status) => {
      const res = await request(app).get(`/api/v1${url}`).set('Authorization', bearer('evaluator'));
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('given a malformed Last-Event-ID, then the live feed answers 400', async () => {
      const res = await request(app)
        .get('/api/v1/events/live')
        .set('Authorization', bearer('evaluator'))
        .set('Last-Event-ID', 'yesterday');
      expect(res.status).toBe(400);
    });
  });

  describe('who may read what', () => {
    it.each([
      ['/audit/verify', 'evaluator'],
      ['/events', 'evaluator'],
      ['/events/live', 'evaluator'],
      ['/streams/x', 'evaluator'],
    ])('GET %s needs %s or admin: 401 anonymous, 403 clerk', async (url) => {
      expect((await request(app).get(`/api/v1${url}`)).status).toBe(401);
      expect((await request(app).get(`/api/v1${url}`).set('Authorization', bearer('clerk'))).status).toBe(
        403,
      );
      expect(
        (await request(app).get(`/api/v1${url}`).set('Authorization', 'Bearer unknown-token-000000')).status,
      ).toBe(401);
    });

    it.each([
      '/audit/checkpoint',
      '/audit/checkpoints',
      '/audit/inclusion?position=1',
      '/audit/consistency?from=1',
    ])('GET %s is public', async (url) => {
      expect((await request(app).get(`/api/v1${url}`)).status).toBe(200);
    });

    it('given an evaluator or an admin, then GET /audit/verify recomputes everything and is ok', async () => {
      for (const role of ['evaluator', 'admin'] as const) {
        const res = await request(app).get('/api/v1/audit/verify').set('Authorization', bearer(role));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ ok: true, treeSize: 90, problems: [] });
        expect(res.body.rootHash).toBe(audit.latestCheckpoint()?.rootHash.toString('base64'));
      }
    });
  });

  describe('feeds', () => {
    it('given GET /events, then it is NDJSON of the envelopes in global order, exactly as stored (personal data sealed)', async () => {
      const res = await request(app)
        .get('/api/v1/events?from=10&limit=5')
        .set('Authorization', bearer('admin'));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = ndjson(res.text);
      expect(lines.map((e) => e.globalPosition)).toEqual([10, 11, 12, 13, 14]);
      const stored: RecordedEvent[] = [];
      for await (const event of store.readAll(10, { limit: 5 })) stored.push(event);
      expect(lines).toEqual(JSON.parse(JSON.stringify(stored)));
      const sealed = lines.find((e) => e.type === 'PersonRegistered') as {
        data: { personal: unknown };
        dataKeyId: string;
      };
      expect(sealed.data.personal).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
      expect(sealed.dataKeyId).toMatch(/^person-key-/);
    });

    it('given no limit, then GET /events answers up to 1000 from the start', async () => {
      const res = await request(app).get('/api/v1/events').set('Authorization', bearer('evaluator'));
      expect(ndjson(res.text).map((e) => e.globalPosition)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    });

    it('given a stream id, then GET /streams/:id answers that stream’s events in revision order', async () => {
      const first = ndjson(
        (await request(app).get('/api/v1/events?from=3&limit=1').set('Authorization', bearer('evaluator')))
          .text,
      )[0] as { streamId: string };
      const res = await request(app)
        .get(`/api/v1/streams/${encodeURIComponent(first.streamId)}`)
        .set('Authorization', bearer('evaluator'));
      expect(res.status).toBe(200);
      const body = res.body as {
        streamId: string;
        events: Array<{ streamId: string; streamRevision: number }>;
      };
      expect(body.streamId).toBe(first.streamId);
      expect(body.events.length).toBeGreaterThanOrEqual(1);
      expect(body.events.map((e) => e.streamRevision)).toEqual(body.events.map((_, i) => i));
      expect(body.events.every((e) => e.streamId === first.streamId)).toBe(true);
    });
  });

  describe('the live feed (Server-Sent Events) on a listening server', () => {
    let server: http.Server;
    let base: string;
    beforeAll(async () => {
      server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    interface SseClient {
      events: Array<{ id: string; event: string; data: Record<string, unknown> }>;
      contentType: string;
      waitFor(count: number): Promise<void>;
      close(): void;
      ended: Promise<void>;
    }

    function connect(query: string, headers: Record<string, string> = {}): Promise<SseClient> {
      return new Promise((resolve, reject) => {
        const events: SseClient['events'] = [];
        let buffer = '';
        let waiters: Array<() => void> = [];
        let endedResolve: () => void = () => undefined;
        const ended = new Promise<void>((r) => (endedResolve = r));
        const req = http.get(
          `${base}/events/live${query}`,
          { headers: { Authorization: bearer('evaluator'), ...headers } },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              let end = buffer.indexOf('\n\n');
              while (end >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const fields = Object.fromEntries(
                  frame
                    .split('\n')
                    .filter((line) => !line.startsWith(':') && line.includes(': '))
                    .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
                ) as Record<string, string>;
                if (fields.data !== undefined) {
                  events.push({
                    id: fields.id ?? '',
                    event: fields.event ?? '',
                    data: JSON.parse(fields.data) as Record<string, unknown>,
                  });
                  waiters.forEach((w) => w());
                }
                end = buffer.indexOf('\n\n');
              }
            });
            res.on('end', () => endedResolve());
            res.on('close', () => endedResolve());
            resolve({
              events,
              contentType: String(res.headers['content-type']),
              ended,
              close: () => req.destroy(),
              waitFor: (count) =>
                new Promise<void>((done, fail) => {
                  const timer = setTimeout(
                    () => fail(new Error(`only ${events.length} of ${count} events arrived`)),
                    10_000,
                  );
                  const check = (): void => {
                    if (events.length >= count) {
                      clearTimeout(timer);
                      waiters = waiters.filter((w) => w !== check);
                      done();
                    }
                  };
                  waiters.push(check);
                  check();
                }),
            });
          },
        );
        req.on('error', reject);
      });
    }

    it('given from=, then it replays from there, then delivers new events live; Last-Event-ID resumes after the last one seen', async () => {
      const head = await store.headPosition();
      const first = await connect(`?from=${head - 4}`);
      expect(first.contentType).toMatch(/^text\/event-stream/);
      await first.waitFor(5);
      expect(first.events.map((e) => Number(e.id))).toEqual([head - 4, head - 3, head - 2, head - 1, head]);
      expect(first.events[0]?.event).toBe(first.events[0]?.data.type);
      expect(first.events[0]?.data.globalPosition).toBe(head - 4);

      await appendPlausibleEvents(store, 3, 77);
      await first.waitFor(8);
      expect(first.events.map((e) => Number(e.id))).toEqual(
        Array.from({ length: 8 }, (_, i) => head - 4 + i),
      );
      const lastSeen = first.events.at(-1)?.id ?? '';
      first.close();
      await first.ended;

      await appendPlausibleEvents(store, 2, 78); // while the client is away
      // Last-Event-ID wins over from=.
      const resumed = await connect('?from=0', { 'Last-Event-ID': lastSeen });
      await resumed.waitFor(2);
      expect(resumed.events.map((e) => Number(e.id))).toEqual([Number(lastSeen) + 1, Number(lastSeen) + 2]);
      resumed.close();
      await resumed.ended;
    });

    it('given no from, then only events appended after connecting arrive', async () => {
      const client = await connect('');
      const head = await store.headPosition();
      await appendPlausibleEvents(store, 1, 79);
      await client.waitFor(1);
      expect(client.events.map((e) => Number(e.id))).toEqual([head + 1]);
      client.close();
      await client.ended;
    });

    it('given the server shuts down, then open live feeds end, so they do not hold it open', async () => {
      const client = await connect('');
      shutdown.abort();
      await client.ended;
    });
  });
});
