/**
 * A witness server in this process, on a free loopback port, over a state file in a temporary folder, with its log
 * lines kept for the test to read; and raw HTTP requests to it (node:http, so that no client adds a header or a
 * content type the test did not ask for).
 */
import http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { encodeWitnessVerifierKey, parseWitnessVerifierKey } from '../../../src/audit/cosignature';
import { generateSigningKey, publicKeyFromPrivate, type VerifierKey } from '../../../src/audit/signedNote';
import type { KnownLogs } from '../../../src/audit/witness';
import { createLogger } from '../../../src/logger';
import { close, createWitnessServer, listen } from '../../../src/witness/witnessServer';
import { WitnessState } from '../../../src/witness/witnessState';
import { LOGS } from './witnessedLog';

export const WITNESS_KEY = { name: 'witness.example/w1', privateKey: generateSigningKey() };
export const WITNESS_VKEY: VerifierKey = parseWitnessVerifierKey(
  encodeWitnessVerifierKey(WITNESS_KEY.name, publicKeyFromPrivate(WITNESS_KEY.privateKey)),
);

export interface ServedWitness {
  url: string;
  port: number;
  state: WitnessState;
  /** The JSON log lines written so far. */
  logLines: () => Array<Record<string, unknown>>;
  stop: () => Promise<void>;
}

export async function serveWitness(
  dir: string,
  options: {
    logs?: KnownLogs;
    now?: () => number;
    stateFile?: string;
    headersTimeoutMs?: number;
    requestTimeoutMs?: number;
  } = {},
): Promise<ServedWitness> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('info', destination);
  const { state } = WitnessState.open(options.stateFile ?? path.join(dir, 'witness-state.sqlite'));
  const server = createWitnessServer({
    state,
    logs: options.logs ?? LOGS,
    key: WITNESS_KEY,
    logger,
    now: options.now ?? (() => 1_764_645_000),
    ...(options.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: options.headersTimeoutMs }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    port: Number(new URL(url).port),
    state,
    logLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async () => {
      await close(server);
      state.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request; the body is sent as given (no content type unless `headers` has one). */
export function send(
  url: string,
  method: string,
  requestPath: string,
  body?: string | Buffer,
  headers: http.OutgoingHttpHeaders = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${requestPath}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const addCheckpoint = (url: string, body: string | Buffer): Promise<Answer> =>
  send(url, 'POST', '/add-checkpoint', body);
