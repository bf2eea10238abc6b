/**
 * A worker thread of a mirror check (tileMirror.ts): it runs checkLevelZeroTile for the tiles it is sent and
 * answers each by its id, so that two cores share the hashing and parsing of a large log's entries.
 */
import { parentPort } from 'node:worker_threads';
import { checkLevelZeroTile } from './tileCheck';
import type { Tile } from './tlogTiles';

export interface TileCheckJob {
  id: number;
  tile: Tile;
  bytes: Uint8Array;
  bundle: Uint8Array | null;
}

export interface TileCheckAnswer {
  id: number;
  root: Uint8Array | null;
  problem: string | null;
}

const port = parentPort;
if (port === null) throw new Error('tileCheckWorker must run as a worker thread');
port.on('message', ({ id, tile, bytes, bundle }: TileCheckJob) => {
  const { root, problem } = checkLevelZeroTile(tile, bytes, bundle);
  port.postMessage({ id, root, problem } satisfies TileCheckAnswer);
});
