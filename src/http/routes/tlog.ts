/**
 * The ledger as a C2SP tiled transparency log (tlog-tiles), under the prefix /api/v1/audit/tlog: the checkpoint with
 * its witnesses' cosignatures, the hash tiles (public: they reveal nothing but hashes), and the entry bundles, which
 * hold the leaf texts and so person ids and ciphertext (evaluator and admin only). What is published, and its bytes,
 * come from TiledLog (src/audit/tiledLog.ts), as `ledger tiles export` writes them; docs/tiles.md says why each
 * answer is cached as it is.
 *
 * A tile index `<N>` spans path segments (x001/x234/067). A route parameter is one segment, so the segments of an
 * index are joined (their slashes encoded) before the routes match, and the route's declared paths stay the ones
 * API.md gives. Whatever the spec does not allow (a level above 63, leading zeroes, a width outside 1–255, a
 * non-canonical index) is a 404, as is a tile beyond the latest checkpoint's tree.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { TiledLog } from '../../audit/tiledLog';
import type { AuditLog } from '../../audit/auditLog';
import type { StoredCheckpoint } from '../../audit/checkpointStore';
import { entryBundlePath, parseTilePath, tilePath, type TileAddress } from '../../audit/tlogTiles';
import type { EventStore } from '../../store/eventStore';
import { serve, type Operation } from '../operation';
import { auditTrailProblem, noCheckpointYet, problems } from '../problem';

export interface TlogRouterDeps {
  audit: AuditLog;
  store: EventStore;
}

/** tlog-tiles: the checkpoint "SHOULD prevent caching beyond a few seconds". */
const CHECKPOINT_CACHE = 'public, max-age=5';
/** Full tiles never change: "its caching headers SHOULD be long-lived". */
const FULL_TILE_CACHE = 'public, max-age=31536000, immutable';
/** A partial tile is replaced by its full tile as the log grows, and may then stop being published. */
const PARTIAL_TILE_CACHE = 'public, max-age=60';
/** Entry bundles carry person ids: no shared cache may keep them, the caller's own may. */
const FULL_BUNDLE_CACHE = 'private, max-age=31536000, immutable';
const PARTIAL_BUNDLE_CACHE = 'private, max-age=60';

const OCTETS = 'application/octet-stream';
const CHECKPOINT_TYPE = 'text/plain; charset=utf-8';

const level = z
  .string()
  .describe('the tile level, 0–63 in decimal without leading zeroes (level 0 holds leaf hashes)');
const index = z
  .string()
  .describe(
    'the tile index in zero-padded 3-digit elements, all but the last prefixed with x: 1234067 is x001/x234/067 (its slashes are path separators)',
  );
const width = z.string().describe('the width of a partial tile, 1–255 in decimal without leading zeroes');

const tileDescription =
  "C2SP tlog-tiles. Published are the tiles whose hashes all lie within the latest checkpoint's tree (so the partial tiles of earlier checkpoints too, until their full tile exists); any other path, or one the spec does not allow, is a 404.";

const getTlogCheckpoint: Operation = {
  method: 'get',
  path: '/audit/tlog/checkpoint',
  operationId: 'getTlogCheckpoint',
  tag: 'Audit',
  summary: 'The latest checkpoint with its witness cosignatures (C2SP tlog-tiles <prefix>/checkpoint)',
  description:
    'The C2SP signed note of the latest checkpoint, with a cosignature/v1 line appended for each witness that cosigned it. Cached for 5 seconds at most.',
  access: 'anyone',
  headers: ['If-None-Match'],
  answer: {
    status: 200,
    description: 'The cosigned checkpoint note (tlog-checkpoint)',
    contentType: 'text/plain',
    headers: ['Cache-Control'],
  },
  problems: [503],
};
const getHashTile: Operation = {
  method: 'get',
  path: '/audit/tlog/tile/:L/:N',
  operationId: 'getHashTile',
  tag: 'Audit',
  summary: 'A full hash tile: 256 Merkle Tree Hashes at a level (C2SP tlog-tiles)',
  description: `${tileDescription} Full tiles never change and are cached for a year.`,
  access: 'anyone',
  params: z.object({ L: level, N: index }),
  headers: ['If-None-Match'],
  answer: {
    status: 200,
    description: '8,192 bytes: 256 SHA-256 hashes, concatenated',
    contentType: OCTETS,
    headers: ['Cache-Control'],
  },
  problems: [404, 503],
};
const getPartialHashTile: Operation = {
  ...getHashTile,
  path: '/audit/tlog/tile/:L/:N.p/:W',
  operationId: 'getPartialHashTile',
  summary: 'A partial hash tile: the first W hashes of the rightmost tile of a level (C2SP tlog-tiles)',
  description: `${tileDescription} Partial tiles are cached for a minute.`,
  params: z.object({ L: level, N: index, W: width }),
  answer: { ...getHashTile.answer, description: 'W × 32 bytes: W SHA-256 hashes, concatenated' },
};
const getEntryBundle: Operation = {
  method: 'get',
  path: '/audit/tlog/tile/entries/:N',
  operationId: 'getEntryBundle',
  tag: 'Audit',
  summary: 'A full entry bundle: the leaf texts of 256 positions (C2SP tlog-tiles)',
  description: `${tileDescription} Each entry is the leaf text of an event as stored (API.md "Leaf hash": personal data encrypted, person ids as they are), prefixed by its length as a big-endian uint16; entry i hashes to hash i of level-0 tile N. Gzipped (Content-Encoding: gzip) for a client whose Accept-Encoding takes gzip. Cached privately only.`,
  access: ['evaluator'],
  params: z.object({ N: index }),
  headers: ['If-None-Match'],
  answer: {
    status: 200,
    description: 'The 256 length-prefixed entries',
    contentType: OCTETS,
    headers: ['Cache-Control'],
  },
  problems: [404, 503],
};
const getPartialEntryBundle: Operation = {
  ...getEntryBundle,
  path: '/audit/tlog/tile/entries/:N.p/:W',
  operationId: 'getPartialEntryBundle',
  summary:
    'A partial entry bundle: the leaf texts of the first W positions of the rightmost bundle (C2SP tlog-tiles)',
  params: z.object({ N: index, W: width }),
  answer: { ...getEntryBundle.answer, description: 'The W length-prefixed entries' },
};

export const tlogOperations: Operation[] = [
  getTlogCheckpoint,
  getEntryBundle,
  getPartialEntryBundle,
  getHashTile,
  getPartialHashTile,
];

/**
 * `/<L>/<x001/x234/067>[.p/<W>]` → `/<L>/<x001%2Fx234%2F067>[.p/<W>]`, so that the index is one route parameter
 * (express decodes it back). Anything else is left for the routes to refuse.
 */
const SPANNING_INDEX = /^\/([^/?]+)\/([^?]+?)(\.p\/[^/?]+)?(\?.*)?$/;
function joinIndexSegments(url: string): string {
  const match = SPANNING_INDEX.exec(url);
  if (!match) return url;
  const [, first = '', tileIndex = '', partial = '', query = ''] = match;
  return `/${first}/${tileIndex.split('/').join('%2F')}${partial}${query}`;
}

/** A strong ETag from the bytes: cheap beside the read, and right whatever the resource. */
const etagOf = (bytes: Buffer | string): string =>
  `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;

/** Whether the request takes gzip: named in Accept-Encoding, and not with q=0. */
function acceptsGzip(req: Request): boolean {
  const accepted = req.headers['accept-encoding'] ?? '';
  return accepted.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return coding.trim() === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Sends a resource with its caching headers and ETag; `compressible` ones (entry bundles: tlog-tiles says they
 * SHOULD be compressed at the HTTP layer) are gzipped for a client that takes gzip, with an ETag of their own.
 */
function sendResource(
  req: Request,
  res: Response,
  resource: Buffer | string,
  contentType: string,
  cacheControl: string,
  compressible = false,
): void {
  let bytes = resource;
  if (compressible) {
    res.setHeader('Vary', 'Accept-Encoding');
    if (acceptsGzip(req)) {
      bytes = gzipSync(resource);
      res.setHeader('Content-Encoding', 'gzip');
    }
  }
  const etag = etagOf(bytes);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', etag);
  const asked = req.headers['if-none-match'];
  if (asked !== undefined && asked.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', contentType);
  res.send(bytes);
}

export function tlogRouter({ audit, store }: TlogRouterDeps): Router {
  // Case-sensitive, as the spec's paths are: `tile/Entries/…` is not a path of it (nor a second cache key).
  const router = Router({ caseSensitive: true });
  const tiled = new TiledLog(audit, store);

  const latest = (): StoredCheckpoint => {
    const checkpoint = tiled.latest();
    if (!checkpoint) {
      if (audit.integrity().state === 'refusing') throw auditTrailProblem();
      throw noCheckpointYet(audit.signsCheckpoints);
    }
    return checkpoint;
  };
  /** The tile a request names, or a 404 for a path the spec does not allow. */
  const addressOf = (req: Request, kind: TileAddress['kind']): TileAddress => {
    const { L, N, W } = req.params as { L?: string; N?: string; W?: string };
    const path = `tile/${kind === 'entries' ? 'entries' : (L ?? '')}/${N ?? ''}${W === undefined ? '' : `.p/${W}`}`;
    const address = parseTilePath(path);
    if (address === null || address.kind !== kind) {
      throw problems.notFound(`${path} is not a tile path (C2SP tlog-tiles: tile/<L>/<N>[.p/<W>])`);
    }
    return address;
  };
  const notPublished = (path: string, treeSize: number) =>
    problems.notFound(`${path} is not published: the latest checkpoint's tree has ${treeSize} leaves`);

  router.use('/audit/tlog/tile', (req, _res, next) => {
    // A tile path is ASCII letters, digits, dots and slashes: a percent-encoded one (`6%30` for `60`) is not one of
    // the spec's paths, and would be a second cache key for the same tile.
    if (req.path.includes('%'))
      throw problems.notFound('a tile path has no percent-encoding (C2SP tlog-tiles)');
    req.url = joinIndexSegments(req.url);
    next();
  });

  serve(router, getTlogCheckpoint, (req, res) => {
    sendResource(req, res, tiled.checkpointText(latest()), CHECKPOINT_TYPE, CHECKPOINT_CACHE);
  });

  const entryBundle = async (req: Request, res: Response): Promise<void> => {
    const address = addressOf(req, 'entries') as TileAddress & { kind: 'entries' };
    const { treeSize } = latest();
    const bytes = await tiled.entryBundle(address, treeSize);
    if (bytes === null) throw notPublished(entryBundlePath(address), treeSize);
    const full = address.width === 256;
    sendResource(req, res, bytes, OCTETS, full ? FULL_BUNDLE_CACHE : PARTIAL_BUNDLE_CACHE, true);
  };
  serve(router, getEntryBundle, entryBundle);
  serve(router, getPartialEntryBundle, entryBundle);

  const hashTile = (req: Request, res: Response): void => {
    const address = addressOf(req, 'tile') as TileAddress & { kind: 'tile' };
    const { treeSize } = latest();
    const bytes = tiled.hashTile(address, treeSize);
    if (bytes === null) throw notPublished(tilePath(address), treeSize);
    sendResource(req, res, bytes, OCTETS, address.width === 256 ? FULL_TILE_CACHE : PARTIAL_TILE_CACHE);
  };
  serve(router, getHashTile, hashTile);
  serve(router, getPartialHashTile, hashTile);

  return router;
}
