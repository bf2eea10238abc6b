/**
 * The route table, two ways: what the app serves, read from its router, and what the operations list declares
 * (src/http/operations.ts), with a concrete request for each operation on records a walkthrough left. The
 * route-by-role, who-sees-what, fuzz and contract tests walk the declared table and check it against the served
 * one, so a new route is walked without editing them, and a route served but not declared fails them. Also a
 * client for the live feeds, whose answer never ends by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { z } from 'zod';
import { DASHBOARD_PAGES } from '../../src/http/dashboard';
import type { Operation } from '../../src/http/operation';
import { operations, servedPathOf } from '../../src/http/operations';
import type { LedgerApp } from './ledgerApp';
import { specIndexPath } from './tlogTilesReader';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  /** A mount path (express 5's router keeps it as given to `use`). */
  rawPath?: string | string[];
  handle?: { stack?: Layer[] };
}

/**
 * Every route as "METHOD /path" with its mount path and express's parameter names, e.g.
 * "GET /api/v1/committees/:id"; a route of several paths (the dashboard's pages) once per path.
 */
export function servedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: readonly Layer[], mount: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods))
          for (const path of paths) routes.push(`${method.toUpperCase()} ${mount}${path}`);
      } else if (layer.handle?.stack) {
        const at = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${mount}${at}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(routes)].sort();
}

/** An operation's route as servedRoutes writes it: "GET /api/v1/proposals/:id". */
export const routeOf = (operation: Operation): string =>
  `${operation.method.toUpperCase()} ${servedPathOf(operation)}`;

/** The dashboard's pages: served by the app beside the API, not operations of the API document. */
export const DASHBOARD_ROUTES = DASHBOARD_PAGES.map((page) => `GET ${page}`);

/** Every declared route and the dashboard's pages: what the app must serve, no more and no less. */
export const declaredRoutes = (): string[] =>
  [...new Set([...operations.map(routeOf), ...DASHBOARD_ROUTES])].sort();

/** The records a walkthrough left, whose ids fill path parameters. */
export interface KnownIds {
  committeeId: string;
  proposalId: string;
  voteId: string;
  arenaId: string;
  bodyId: string;
  meetingId?: string;
  personId?: string;
  processId?: string;
}

/**
 * The records, and the size of the latest checkpoint: the tile routes (tlog-tiles) are walked on its tiles, a full
 * one (tile 0 at level 0, so the tree needs 256 leaves or more) and its partial level-0 tile.
 */
export type WalkedLedger = KnownIds & { treeSize?: number };

/** The fewest leaves a tree needs for a full and a partial level-0 tile. */
const TILED_TREE = 257;

/**
 * Records persons (as clerk) until the tree has both a full and a partial level-0 tile, then signs a checkpoint of
 * everything recorded; its size, for WalkedLedger.
 */
export async function checkpointWithTiles(t: LedgerApp): Promise<number> {
  let size = (await t.head()) + 1;
  for (; size < TILED_TREE || size % 256 === 0; size++) await t.record('/persons', { name: `Fyll ${size}` });
  await t.ledger.audit.waitForSize(size, 5000);
  return (await t.ledger.audit.checkpointNow()).treeSize;
}

/** The value of a tile route's parameter on the tree of `treeSize` (the partial tile's where `partial`). */
function tileValue(name: string, partial: boolean, treeSize: number | undefined, route: string): string {
  if (treeSize === undefined || treeSize < TILED_TREE || treeSize % 256 === 0) {
    throw new Error(`${route}: walk it on a tree with a full and a partial tile (checkpointWithTiles)`);
  }
  if (name === 'L') return '0';
  if (name === 'N') return partial ? specIndexPath(Math.floor(treeSize / 256)) : specIndexPath(0);
  return String(treeSize % 256);
}

/** The id an `:id` stands for, by the collection before it ('/votes/:id' → a vote). */
const idOfCollection: Record<string, keyof KnownIds> = {
  proposals: 'proposalId',
  committees: 'committeeId',
  votes: 'voteId',
  arenas: 'arenaId',
  'political-bodies': 'bodyId',
  meetings: 'meetingId',
  persons: 'personId',
  processes: 'processId',
};

/** Values for required query parameters and for path parameters that are not ids, by name. */
const sampleValues: Record<string, string> = { position: '0', from: '1', name: 'influence' };

/** The enum values of a zod object's key, from its JSON Schema (path parameters with fixed values). */
function enumOf(schema: z.ZodType | undefined, key: string): string[] | undefined {
  if (!schema) return undefined;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { enum?: string[] }>;
  };
  return json.properties?.[key]?.enum;
}

/**
 * A request that walks the operation on `ids`: the served path with each parameter filled (an id of the records,
 * the first of an enum, a tile of the checkpoint, or a sample value), and the query parameters it requires. A live feed replays from 0.
 */
export function requestOf(operation: Operation, ids: WalkedLedger): string {
  const segments = operation.path.split('/');
  const partial = operation.path.includes('.p/');
  const filled = segments.map((segment, i) => {
    if (!segment.startsWith(':')) return segment;
    if (operation.path.startsWith('/audit/tlog/tile/')) {
      return segment.replace(/:([A-Za-z]+)/g, (_, name: string) =>
        tileValue(name, partial, ids.treeSize, routeOf(operation)),
      );
    }
    const name = segment.slice(1);
    const collection = segments[i - 1] ?? '';
    if (name === 'id' && idOfCollection[collection]) {
      const id = ids[idOfCollection[collection]];
      if (id === undefined) throw new Error(`no ${idOfCollection[collection]} for ${routeOf(operation)}`);
      return id;
    }
    if (name === 'streamId') return `proposal-${ids.proposalId}`;
    if (name.endsWith('Id') && name in ids) return ids[name as keyof KnownIds] as string;
    const value = enumOf(operation.params, name)?.[0] ?? sampleValues[name];
    if (value === undefined) throw new Error(`no value for :${name} of ${routeOf(operation)}`);
    return value;
  });
  const path = operation.root ? filled.join('/') : `/api/v1${filled.join('/')}`;
  const query: string[] = [];
  if (operation.query) {
    const json = z.toJSONSchema(operation.query, { io: 'input', unrepresentable: 'any' }) as {
      required?: string[];
    };
    for (const name of json.required ?? []) {
      const value = sampleValues[name];
      if (value === undefined) throw new Error(`no value for ?${name} of ${routeOf(operation)}`);
      query.push(`${name}=${value}`);
    }
  }
  if (isLiveFeed(operation) && !query.some((q) => q.startsWith('from='))) query.push('from=0');
  return query.length > 0 ? `${path}?${query.join('&')}` : path;
}

/** A Server-Sent Events route: its answer stays open (read it with readLiveFeed). */
export const isLiveFeed = (operation: Operation): boolean =>
  operation.answer.contentType === 'text/event-stream';

/**
 * GET of a Server-Sent Events route on a listening copy of the app: the status, and for a 200 the text up to the
 * feed's "caught up" comment (everything it had to replay); otherwise the whole (problem) body.
 */
export async function readLiveFeed(
  app: Express,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; text: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = http.get(`http://127.0.0.1:${port}${path}`, { headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (res.statusCode === 200 && /^: caught up at /m.test(text)) {
            req.destroy();
            resolve({ status: 200, contentType: res.headers['content-type'] ?? '', text });
          }
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text }),
        );
      });
      req.on('error', reject); // a no-op once resolved: destroying the request ends it with an error
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
