/**
 * Where a mirror check reads a tiled log (https://c2sp.org/tlog-tiles) from: a folder laid out as the log's prefix
 * (what `ledger tiles export` writes and any static web server publishes), or the prefix URL itself. Both read one
 * resource at a time by its path relative to the prefix (`checkpoint`, `tile/0/x001/234`, `tile/entries/005.p/17`)
 * and refuse more bytes than the caller allows without reading them all: a mirror is untrusted, and a tile that
 * claims a gigabyte must cost neither the memory nor the time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { boundedBody } from './boundedBody';

/** A resource that could not be read: too large, refused, unreachable. `path` is relative to the prefix. */
export class TileReadError extends Error {
  override readonly name = 'TileReadError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export interface TileSource {
  /** The folder or the URL prefix, for messages. */
  readonly location: string;
  /** The bytes at `resource`, or null when there is none; a TileReadError when it holds more than `limit`. */
  read(resource: string, limit: number): Promise<Buffer | null>;
  /** Every file under `tile/`, as paths relative to the prefix, when the source can list them (a folder). */
  list?(): AsyncIterable<string>;
}

// ---- a folder ---------------------------------------------------------------------------------------------------

export class TileFolder implements TileSource {
  constructor(readonly location: string) {}

  /**
   * Synchronous inside: a tile is a few kilobytes in the page cache, and the promise API's round trips through the
   * thread pool cost more than the read (a third of a 1M-entry check).
   */
  async read(resource: string, limit: number): Promise<Buffer | null> {
    let fd: number;
    try {
      // Non-blocking: opening a FIFO put in the folder would otherwise wait for a writer for ever.
      fd = fs.openSync(path.join(this.location, resource), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new TileReadError(
        resource,
        `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new TileReadError(resource, 'is not a file');
      if (stat.size > limit) throw new TileReadError(resource, tooLarge(stat.size, limit));
      // Room for one byte more than the stat said: a file that grew meanwhile is caught, not read on.
      const buffer = Buffer.allocUnsafe(stat.size + 1);
      let length = 0;
      for (;;) {
        const bytesRead = fs.readSync(fd, buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > stat.size) throw new TileReadError(resource, 'changed while it was read');
      }
      return buffer.subarray(0, length);
    } catch (error) {
      if (error instanceof TileReadError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'EISDIR')
        throw new TileReadError(resource, 'is not a file');
      throw new TileReadError(
        resource,
        `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    } finally {
      fs.closeSync(fd);
    }
  }

  async *list(): AsyncIterable<string> {
    const root = path.join(this.location, 'tile');
    const walk = async function* (dir: string): AsyncIterable<string> {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(full);
        else yield path.relative(root, full).split(path.sep).join('/');
      }
    };
    for await (const file of walk(root)) yield `tile/${file}`;
  }
}

// ---- a URL prefix -----------------------------------------------------------------------------------------------

export interface TileUrlOptions {
  /** Sent as `Authorization: Bearer` with entry bundle requests only (hash tiles and checkpoints are public). */
  token?: string;
  /** Per attempt, headers and body together. */
  timeoutMs: number;
  /** Attempts per resource for transient failures (no answer, a timeout, 408, 429, 5xx). */
  attempts: number;
  /** Waited before the second attempt, doubled for each further one. */
  retryDelayMs?: number;
}

const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export class TileUrl implements TileSource {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    prefix: URL,
    private readonly options: TileUrlOptions,
  ) {
    this.prefix = prefix.href.replace(/\/+$/, '');
    this.location = this.prefix;
  }

  async read(resource: string, limit: number): Promise<Buffer | null> {
    const retryDelay = this.options.retryDelayMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(resource, limit);
      if (outcome.kind === 'done') return outcome.bytes;
      if (outcome.kind === 'failed' || attempt >= this.options.attempts) {
        throw new TileReadError(
          resource,
          attempt > 1 ? `${outcome.reason} (${attempt} attempts)` : outcome.reason,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelay * 2 ** (attempt - 1)));
    }
  }

  private async attempt(
    resource: string,
    limit: number,
  ): Promise<{ kind: 'done'; bytes: Buffer | null } | { kind: 'failed' | 'transient'; reason: string }> {
    const url = `${this.prefix}/${resource}`;
    const authorised = this.options.token !== undefined && resource.startsWith('tile/entries/');
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, identity' };
    if (authorised) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        // The token goes to this prefix only: a redirect elsewhere is not followed with it.
        redirect: authorised ? 'manual' : 'follow',
      });
    } catch (error) {
      return {
        kind: 'transient',
        reason: `no answer from ${url}: ${failureOf(error, this.options.timeoutMs)}`,
      };
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { kind: 'done', bytes: null };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      const reason = `${url} answered ${response.status}`;
      if (TRANSIENT_STATUSES.has(response.status)) return { kind: 'transient', reason };
      if ((response.status === 401 || response.status === 403) && resource.startsWith('tile/entries/')) {
        return {
          kind: 'failed',
          reason: `${reason}: entry bundles need an evaluator's or admin's token (--token or LEDGER_TOKEN)`,
        };
      }
      return { kind: 'failed', reason };
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit && response.headers.get('content-encoding') === null) {
      await response.body?.cancel();
      return { kind: 'failed', reason: tooLarge(declared, limit) };
    }
    let bytes: Buffer | null;
    try {
      bytes = await boundedBody(response, limit);
    } catch (error) {
      return {
        kind: 'transient',
        reason: `the answer from ${url} broke off: ${failureOf(error, this.options.timeoutMs)}`,
      };
    }
    if (bytes === null) return { kind: 'failed', reason: `the answer holds more than ${limit} bytes` };
    return { kind: 'done', bytes };
  }
}

function failureOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no complete answer within ${timeoutMs / 1000} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function tooLarge(size: number, limit: number): string {
  return `is ${size} bytes, more than the ${limit} it can be`;
}
