/**
 * Issue 12, tiles: the ledger served as a C2SP tiled log (GET /api/v1/audit/tlog/…) and exported to a folder
 * (`ledger tiles export`, through the built bin). A simulated trial is appended through the store port and a
 * checkpoint signed at each of the tree sizes 0, 1, 255, 256, 257, 65,536 and 100,000; at each, a reader written from
 * tlog-tiles.md (test/support/tlogTilesReader.ts, nothing from src/) fetches the tiles the spec says the tree has —
 * over HTTP, and from the exported folder — and rebuilds the checkpoint's root from them alone. Partial tiles have
 * the spec's widths, every entry bundle holds exactly the leaf texts of its positions (API.md "Leaf hash", read by
 * test/support/leafBySpec.ts), and nothing beyond the checkpoint or outside the spec's paths is served.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { businessDateOf, eventSchemaVersions, PersonalData, type DomainEvent } from '../../src/domain/events';
import { PureLedger } from '../../src/simulation/pureLedger';
import { generateTrial } from '../../src/simulation/trial';
import type { NewEvent, RecordedEvent } from '../../src/store/eventStore';
import { leafTextBySpec } from '../support/leafBySpec';
import { runLedger } from '../support/ledgerBin';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { makeTempDir } from '../support/tempDir';
import {
  rootFromTiles,
  specBundleEntries,
  specCheckpoint,
  specLeafHash,
  specPath,
  specTilePaths,
} from '../support/tlogTilesReader';

const SIZES = [0, 1, 255, 256, 257, 65_536, 100_000];
const PREFIX = '/api/v1/audit/tlog';

/** What was read at one tree size: over HTTP and from the folder exported then. */
interface Reading {
  size: number;
  checkpoint: string;
  /** Every tile and bundle path the spec gives the tree, with the bytes served for it. */
  served: Map<string, Buffer>;
  exported: Map<string, Buffer>;
  exportedCheckpoint: string;
  /** The export's one-line summary. */
  exportSummary: string;
}

/** A simulated trial's events, one by one, as the bench fixture appends them (personal data sealed). */
function* trialEvents(t: LedgerApp): Generator<{ streamId: string; event: NewEvent }> {
  const pure = new PureLedger({ citizenInitiativeThreshold: 300, today: '2026-11-27' });
  for (const command of generateTrial({ seed: 12, scale: 11, citizenInitiativeThreshold: 300 })) {
    const result = pure.execute(command);
    for (const e of result.events as DomainEvent[]) {
      let data: unknown = e.data;
      let dataKeyId: string | undefined;
      if (e.type === 'PersonRegistered') {
        const plain = PersonalData.safeParse(e.data.personal);
        if (plain.success) {
          const sealed = t.ledger.vault.seal(e.data.personId, plain.data);
          data = { ...e.data, personal: sealed.sealed };
          dataKeyId = sealed.keyId;
        }
      }
      const id = uuidv7();
      yield {
        streamId: result.streamId,
        event: {
          eventId: id,
          type: e.type,
          schemaVersion: eventSchemaVersions[e.type],
          occurredAt: businessDateOf(e) || '2026-11-27',
          actor: { principal: 'simulator', role: 'admin' },
          correlationId: id,
          causationId: null,
          data,
          ...(dataKeyId ? { dataKeyId } : {}),
        },
      };
    }
  }
}

describe('the ledger as a C2SP tiled log, over HTTP and exported to a folder', () => {
  let t: LedgerApp;
  const folder = makeTempDir('ledger-tiles-');
  const dir = path.join(folder.dir, 'log');
  const readings: Reading[] = [];
  let stored: RecordedEvent[] = [];

  const get = (p: string, role: 'anonymous' | 'evaluator' | 'clerk' = 'anonymous') => {
    const req = request(t.app)
      .get(`${PREFIX}/${p}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    return role === 'anonymous' ? req : req.set('Authorization', `Bearer ${TOKENS[role]}`);
  };
  /** The paths the spec gives the tree of size s: its tiles and its entry bundles. */
  const specPaths = (s: number): string[] => [
    ...specTilePaths(s),
    ...specTilePaths(s)
      .filter((p) => p.startsWith('tile/0/'))
      .map((p) => p.replace('tile/0/', 'tile/entries/')),
  ];
  const readFolder = (s: number): Map<string, Buffer> =>
    new Map(
      specPaths(s)
        .filter((p) => fs.existsSync(path.join(dir, p)))
        .map((p) => [p, fs.readFileSync(path.join(dir, p))]),
    );

  beforeAll(async () => {
    t = await openLedgerApp();
    const events = trialEvents(t);
    let size = 0;
    for (const target of SIZES) {
      let pending: Array<Promise<unknown>> = [];
      for (; size < target; size++) {
        const next = events.next();
        if (next.done) throw new Error(`the trial ended at ${size} events`);
        pending.push(t.ledger.store.append(next.value.streamId, [next.value.event]));
        if (pending.length >= 1000) {
          await Promise.all(pending);
          pending = [];
        }
      }
      await Promise.all(pending);
      if (!(await t.ledger.audit.waitForSize(target, 60_000)))
        throw new Error(`the tree never reached ${target}`);
      const checkpoint = await t.ledger.audit.checkpointNow();
      if (checkpoint.treeSize !== target) throw new Error(`signed ${checkpoint.treeSize}, not ${target}`);

      const text = (await get('checkpoint')).body as Buffer;
      const served = new Map<string, Buffer>();
      for (const p of specPaths(target)) {
        const res = await get(p, 'evaluator');
        if (res.status !== 200) throw new Error(`GET ${p} at size ${target} → ${res.status}`);
        served.set(p, res.body as Buffer);
      }
      const run = runLedger(['tiles', 'export', dir, '--entries'], { LEDGER_DATA_DIR: t.dataDir });
      if (run.status !== 0) throw new Error(`ledger tiles export → ${run.status}: ${run.stderr}`);
      readings.push({
        size: target,
        checkpoint: text.toString('utf8'),
        served,
        exported: readFolder(target),
        exportedCheckpoint: fs.readFileSync(path.join(dir, 'checkpoint'), 'utf8'),
        exportSummary: run.stdout,
      });
    }
    for await (const page of t.ledger.store.readAllBatches(0)) stored = stored.concat(page);
  }, 600_000);
  afterAll(async () => {
    await t.close();
    folder.cleanup();
  });

  const at = (s: number): Reading => {
    const reading = readings.find((r) => r.size === s);
    if (!reading) throw new Error(`no reading at size ${s}`);
    return reading;
  };

  it.each(SIZES)('given a checkpoint of size %d, then the tiles served rebuild its root', (s) => {
    const { checkpoint, served } = at(s);
    const body = specCheckpoint(checkpoint);
    expect(body.size).toBe(s);
    expect(rootFromTiles(s, (p) => served.get(p)).toString('hex')).toBe(body.root.toString('hex'));
  });

  it.each(SIZES)(
    'given a checkpoint of size %d, then the folder exported rebuilds its root, with the same bytes as served',
    (s) => {
      const { checkpoint, served, exported, exportedCheckpoint } = at(s);
      expect(exportedCheckpoint).toBe(checkpoint);
      expect([...exported.keys()].sort()).toEqual(specPaths(s).sort());
      for (const [p, bytes] of exported)
        expect({ p, same: bytes.equals(served.get(p)!) }).toEqual({ p, same: true });
      expect(rootFromTiles(s, (p) => exported.get(p)).toString('hex')).toBe(
        specCheckpoint(checkpoint).root.toString('hex'),
      );
    },
  );

  it.each(SIZES)(
    'given a checkpoint of size %d, then its partial tiles have the widths the spec gives',
    (s) => {
      const { served } = at(s);
      for (let l = 0; 256 ** l <= s; l++) {
        const width = Math.floor(s / 256 ** l) % 256;
        if (width === 0) continue;
        const p = specPath(l, Math.floor(s / 256 ** (l + 1)), width);
        expect({ p, bytes: served.get(p)?.length }).toEqual({ p, bytes: width * 32 });
      }
      const partials = [...served.keys()].filter((p) => p.includes('.p/') && !p.startsWith('tile/entries/'));
      expect(partials.length).toBe(
        Array.from({ length: 8 }, (_, l) =>
          256 ** l <= s && Math.floor(s / 256 ** l) % 256 > 0 ? 1 : 0,
        ).reduce((a: number, b: number) => a + b, 0),
      );
    },
  );

  it.each(SIZES)(
    'given a checkpoint of size %d, then each entry bundle holds exactly the leaf texts of its positions',
    (s) => {
      const { served } = at(s);
      const wrong: string[] = [];
      let count = 0;
      for (let n = 0; n * 256 < s; n++) {
        const width = Math.min(256, s - n * 256);
        const entries = specBundleEntries(served.get(specPath('entries', n, width))!);
        const tile = served.get(specPath(0, n, width))!;
        if (entries.length !== width) wrong.push(`bundle ${n} has ${entries.length} entries, not ${width}`);
        entries.forEach((entry, i) => {
          const position = n * 256 + i;
          if (entry.toString('utf8') !== leafTextBySpec(stored[position]!)) wrong.push(`entry ${position}`);
          if (!specLeafHash(entry).equals(tile.subarray(i * 32, (i + 1) * 32)))
            wrong.push(`hash ${position}`);
        });
        count += entries.length;
      }
      expect(wrong).toEqual([]);
      expect(count).toBe(s);
    },
  );

  it('given exports of a growing log into one folder, then each writes only what changed', () => {
    // At 100,000 after 65,536: the 256 full level-0 tiles, their bundles, the full level-1 tile and the level-2
    // partial tile of width 1 (the root of the first 65,536 leaves both times) were there.
    const written = (s: number) => Number(/(\d+) files written/.exec(at(s).exportSummary)?.[1]);
    const unchanged = (s: number) => Number(/(\d+) unchanged/.exec(at(s).exportSummary)?.[1]);
    expect(unchanged(100_000)).toBe(256 + 256 + 1 + 1);
    expect(written(100_000) + unchanged(100_000)).toBe(specPaths(100_000).length + 1);
    expect(unchanged(0)).toBe(0);
  });

  describe('what is not served', () => {
    it('given tiles beyond the checkpoint, then 404 problems', async () => {
      const s = 100_000;
      for (const p of [
        specPath(0, Math.floor(s / 256), 256), // the full tile the partial one will become
        specPath(0, Math.floor(s / 256), (s % 256) + 1), // wider than the checkpoint gives it
        specPath(1, 1, 256),
        specPath(2, 0, 2),
        specPath(3, 0, 1),
        specPath('entries', Math.floor(s / 256) + 1, 1),
      ]) {
        const res = await get(p, 'evaluator');
        expect({ p, status: res.status, type: res.headers['content-type'] }).toEqual({
          p,
          status: 404,
          type: 'application/problem+json; charset=utf-8',
        });
      }
    });

    it('given paths the spec does not allow, then 404 problems, never a 500', async () => {
      const hostile = [
        'tile/0/0',
        'tile/0/0000',
        'tile/00/000',
        'tile/01/000',
        'tile/64/000',
        'tile/-1/000',
        'tile/0/x000/001',
        'tile/0/001/x000',
        'tile/0/x1/000',
        'tile/0/000.p/0',
        'tile/0/000.p/256',
        'tile/0/000.p/01',
        'tile/0/000.p/',
        'tile/0/000.p',
        'tile/0/000.p/1/2',
        `tile/0/${'x999/'.repeat(8)}999`,
        'tile/0/x9007199254740993/000',
        'tile/99999999999999999999/000',
        'tile/0/abc',
        'tile/0/%2e%2e/%2e%2e/checkpoint',
        'tile/0/%30%30%30',
        'tile/%30/000',
        'tile/0/001.p/%31',
        'tile/Entries/000',
        'TILE/0/000',
        'tile/entries/0',
        'tile/entries/000.p/256',
        'tile/entries/x000/000',
        'tile/entries',
        'tile',
        'tile/0',
      ];
      for (const p of hostile) {
        const res = await get(p, 'evaluator');
        expect({ p, status: res.status, problem: res.headers['content-type'] }).toEqual({
          p,
          status: 404,
          problem: 'application/problem+json; charset=utf-8',
        });
      }
    });

    it('given an entry bundle asked anonymously, then 401; by a clerk, then 403; a hash tile is public', async () => {
      expect((await get('tile/entries/000')).status).toBe(401);
      expect((await get('tile/entries/000', 'clerk')).status).toBe(403);
      expect((await get('tile/0/000')).status).toBe(200);
      expect((await get('tile/0/000', 'clerk')).status).toBe(200);
    });
  });

  describe('caching', () => {
    it('given a full tile, then it is public, immutable and long-lived; a partial one and the checkpoint are not', async () => {
      const full = await get('tile/0/000');
      expect(full.headers['content-type']).toBe('application/octet-stream');
      expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const partial = await get(specPath(0, Math.floor(100_000 / 256), 100_000 % 256));
      expect(partial.headers['cache-control']).toBe('public, max-age=60');
      const checkpoint = await get('checkpoint');
      expect(checkpoint.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(checkpoint.headers['cache-control']).toBe('public, max-age=5');
      const bundle = await get('tile/entries/000', 'evaluator');
      expect(bundle.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    });

    it('given a client that takes gzip, then an entry bundle comes gzipped, and is the same bundle', async () => {
      const plain = await get('tile/entries/000', 'evaluator').set('Accept-Encoding', 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const gzipped = await get('tile/entries/000', 'evaluator').set('Accept-Encoding', 'gzip, identity');
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.headers.vary).toBe('Accept-Encoding');
      expect(gzipped.headers.etag).not.toBe(plain.headers.etag);
      // supertest inflates what it receives: the bundle read is the same.
      expect((gzipped.body as Buffer).equals(plain.body as Buffer)).toBe(true);
      const refused = await get('tile/entries/000', 'evaluator').set('Accept-Encoding', 'gzip;q=0');
      expect(refused.headers['content-encoding']).toBeUndefined();
    });

    it('given the ETag of an earlier answer, then a 304 without a body; another ETag, the bytes', async () => {
      const first = await get('tile/1/000');
      expect(first.status).toBe(200);
      const etag = first.headers.etag as string;
      const again = await get('tile/1/000').set('If-None-Match', etag);
      expect(again.status).toBe(304);
      expect((again.body as Buffer).length).toBe(0);
      const other = await get('tile/0/000').set('If-None-Match', etag);
      expect(other.status).toBe(200);
      expect((other.body as Buffer).length).toBe(8192);
    });
  });

  // Last: it changes the ledger behind the server's back.
  describe("given an event row altered behind the server's back", () => {
    it('then its bundle serves what is stored, whose entry no longer hashes to its tile, while the tile is unchanged', async () => {
      const position = 1000;
      const [n, i] = [Math.floor(position / 256), position % 256];
      const tileBefore = (await get(specPath(0, n, 256))).body as Buffer;
      const db = new Database(path.join(t.dataDir, 'events.sqlite'));
      try {
        // As an attacker with the file would: the store's triggers refuse updates, so they go first.
        db.exec('DROP TRIGGER events_no_update');
        db.prepare("UPDATE events SET occurred_at = '1999-01-01' WHERE global_position = ?").run(position);
      } finally {
        db.close();
      }
      const tile = (await get(specPath(0, n, 256))).body as Buffer;
      expect(tile.equals(tileBefore)).toBe(true);
      const entries = specBundleEntries((await get(specPath('entries', n, 256), 'evaluator')).body as Buffer);
      const mismatched = entries
        .map((entry, j) => (specLeafHash(entry).equals(tile.subarray(j * 32, (j + 1) * 32)) ? null : j))
        .filter((j) => j !== null);
      expect(mismatched).toEqual([i]);
      expect(entries[i]!.toString('utf8')).toContain('"occurredAt":"1999-01-01"');
    });
  });
});
