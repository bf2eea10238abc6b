/**
 * The witness's HTTP interface, C2SP tlog-witness, on node:http (the witness is not the ledger's API and needs no
 * framework): `POST /add-checkpoint` with the specification's statuses and content types, and the monitoring
 * retrieval `GET /<origin hash>/checkpoint`. The submission and the monitoring prefix are both the server's root.
 *
 * The specification answers in plain text (the 409's text/x.tlog.size, note signature lines), so every answer here
 * is plain text too, never JSON and never a stack trace. No content type is demanded of a request: the specification
 * names none. A body longer than MAX_REQUEST_LENGTH bytes is refused with 413 as soon as its declared length or its
 * bytes so far pass the cap, and the connection is closed instead of reading the rest.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ADD_CHECKPOINT_PATH,
  MAX_REQUEST_LENGTH,
  TEXT_CONTENT_TYPE,
  parseAddCheckpointRequest,
  type KnownLogs,
  type WitnessKey,
} from '../audit/witness';
import { parseCheckpointBody, splitNote } from '../audit/signedNote';
import type { Logger } from '../logger';
import type { WitnessState } from './witnessState';

export interface WitnessServerOptions {
  state: WitnessState;
  logs: KnownLogs;
  key: WitnessKey;
  logger: Logger;
  /** POSIX seconds for the cosignature's timestamp; the clock unless a test gives one. */
  now?: () => number;
  /** node:http's limits on a slow client: the headers, and the whole request. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** tlog-witness monitoring retrieval: `/<SHA-256 of the origin, lowercase hex>/checkpoint`. */
const MONITORING_PATH = /^\/([0-9a-f]{64})\/checkpoint$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function createWitnessServer(options: WitnessServerOptions): http.Server {
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => route(req, res, options),
  );
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  return server;
}

/** Listens on `host:port` (0: a free port) and resolves with the server's URL. */
export function listen(server: http.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}

/** Stops taking connections and resolves once the requests in flight are answered. */
export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function route(req: IncomingMessage, res: ServerResponse, options: WitnessServerOptions): void {
  const target = req.url ?? '';
  const pathname = target.startsWith('/') ? (target.split('?')[0] ?? '') : null;
  if (pathname === ADD_CHECKPOINT_PATH) {
    if (req.method !== 'POST')
      return answer(req, res, 405, 'add-checkpoint takes POST only\n', { Allow: 'POST' });
    return readBody(req, res, (body) => addCheckpoint(req, res, body, options));
  }
  const monitoring = pathname === null ? null : MONITORING_PATH.exec(pathname);
  if (monitoring?.[1] !== undefined) {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return answer(req, res, 405, 'the checkpoint is read with GET\n', { Allow: 'GET, HEAD' });
    return withState(req, res, options, () => {
      const note = options.state.cosignedCheckpointOf(monitoring[1] as string);
      if (note === null) answer(req, res, 404, 'this witness never cosigned a checkpoint of that log\n');
      else answer(req, res, 200, note);
    });
  }
  answer(req, res, 404, `not found; this witness serves POST ${ADD_CHECKPOINT_PATH}\n`);
}

/** Collects the body up to the cap, as UTF-8 text; 413 past the cap, 400 when it is not UTF-8. */
function readBody(req: IncomingMessage, res: ServerResponse, then: (body: string) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_REQUEST_LENGTH) return tooLarge(req, res);
  const chunks: Buffer[] = [];
  let length = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    length += chunk.length;
    if (length > MAX_REQUEST_LENGTH) {
      refused = true;
      tooLarge(req, res);
    } else chunks.push(chunk);
  });
  req.on('error', () => req.socket.destroy());
  req.on('end', () => {
    if (refused) return;
    let body: string;
    try {
      body = utf8.decode(Buffer.concat(chunks));
    } catch {
      return answer(req, res, 400, 'the request body is not UTF-8 text\n');
    }
    then(body);
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  answer(req, res, 413, `the request body is larger than ${MAX_REQUEST_LENGTH} bytes\n`);
}

function addCheckpoint(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  options: WitnessServerOptions,
): void {
  const { state, logs, key, logger } = options;
  withState(req, res, options, () => {
    const now = options.now?.() ?? Math.floor(Date.now() / 1000);
    const { outcome, stored } = state.addCheckpoint(body, logs, key, now);
    if (outcome.status === 200) {
      const { origin, treeSize } = outcome.state;
      logger.info({ origin, treeSize, oldSize: stored?.treeSize ?? 0 }, 'cosigned');
    } else if (outcome.status === 422 && outcome.evidence) {
      // A checkpoint the log really signed that does not extend what was cosigned: the log (or whoever holds its
      // key) may be showing two histories. Both notes are the evidence; keep them.
      const request = parseAddCheckpointRequest(body);
      const checkpoint = request.ok ? request.value.checkpoint : '';
      const parts = splitNote(checkpoint);
      const head = parts === null ? null : parseCheckpointBody(parts.text);
      logger.error(
        {
          alarm: 'possible-fork',
          origin: outcome.origin,
          oldSize: request.ok ? request.value.oldSize : null,
          cosignedSize: stored?.treeSize ?? 0,
          cosignedRoot: stored?.rootHash.toString('base64') ?? null,
          newSize: head?.treeSize ?? null,
          newRoot: head?.rootHash.toString('base64') ?? null,
          reason: outcome.reason,
          checkpoint,
          cosignedCheckpoint: stored?.cosignedCheckpoint ?? null,
        },
        `ALARM: ${outcome.origin ?? 'a log'} signed a checkpoint inconsistent with the one this witness cosigned`,
      );
    } else {
      logger.info(
        { status: outcome.status, origin: outcome.origin ?? null, reason: outcome.reason },
        'add-checkpoint refused',
      );
    }
    answer(req, res, outcome.status, outcome.body, { 'Content-Type': outcome.contentType });
  });
}

/** Runs a step that reads or writes the state; a fault there (a changed file, a lock held too long) is a 503. */
function withState(
  req: IncomingMessage,
  res: ServerResponse,
  options: WitnessServerOptions,
  step: () => void,
): void {
  try {
    step();
  } catch (error) {
    options.logger.error(
      { err: error, path: req.url },
      'the witness state could not be read or written; nothing was cosigned',
    );
    if (!res.headersSent) answer(req, res, 503, 'the witness cannot answer now; try again later\n');
  }
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  // A body left unread on the connection (refused early, or past the cap) is not read: the connection ends.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.writeHead(status, {
    'Content-Type': TEXT_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

/** Errors Node meets before a request reaches the handler (slow, malformed, headers too large): answered, cut off. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [status, text] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'the request headers are too large']
          : [400, 'the request is not valid HTTP/1.1'];
    const body = `${text}\n`;
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
        `Content-Type: ${TEXT_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}
