/**
 * A TEST DOUBLE of a tlog-witness: an HTTP server on loopback in this process, deciding `POST /add-checkpoint` with
 * the project's decideAddCheckpoint over a record kept in memory, so the submitter's tests can script what a witness
 * answers (honestly, with another key, with garbage, never) without the witness engineer's process. The real witness
 * (`ledger witness serve`) is what the end-to-end tests run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { encodeWitnessVerifierKey } from '../../src/audit/cosignature';
import { generateSigningKey, parseVerifierKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import {
  ADD_CHECKPOINT_PATH,
  decideAddCheckpoint,
  requestOrigin,
  type WitnessLogState,
} from '../../src/audit/witness';

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/**
 * What the double does with a request: `honest` decides it; `hang` accepts it and never answers; a function answers
 * whatever it returns (given the honest decision, already applied to the record, for answers built on it).
 */
export type WitnessBehaviour =
  'honest' | 'hang' | ((request: string, honest: () => ScriptedAnswer) => ScriptedAnswer);

export interface WitnessDouble {
  name: string;
  /** The vkey the double signs with (type 0x04). */
  vkey: string;
  url: string;
  port: number;
  /** The record per origin, as a real witness persists it; tests may seed or read it. */
  state: Map<string, WitnessLogState>;
  /** Every request body received, in order. */
  requests: string[];
  behaviour: WitnessBehaviour;
  close(): Promise<void>;
}

/** Starts the double for the log whose note verifier key (0x01) is `logVkey`. */
export async function startWitnessDouble(options: {
  name: string;
  logVkey: string;
  key?: KeyObject;
  port?: number;
  behaviour?: WitnessBehaviour;
}): Promise<WitnessDouble> {
  const key = options.key ?? generateSigningKey();
  const log = parseVerifierKey(options.logVkey);
  const logs = new Map([[log.keyName, [log]]]);
  const state = new Map<string, WitnessLogState>();
  const requests: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const double: WitnessDouble = {
    name: options.name,
    vkey: encodeWitnessVerifierKey(options.name, publicKeyFromPrivate(key)),
    url: '',
    port: 0,
    state,
    requests,
    behaviour: options.behaviour ?? 'honest',
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const honest = (body: string): ScriptedAnswer => {
    const origin = requestOrigin(body);
    const outcome = decideAddCheckpoint(
      origin === null ? null : (state.get(origin) ?? null),
      body,
      logs,
      { name: options.name, privateKey: key },
      Math.floor(Date.now() / 1000),
    );
    if (outcome.status === 200) state.set(outcome.state.origin, outcome.state);
    return { status: outcome.status, headers: { 'content-type': outcome.contentType }, body: outcome.body };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || req.url !== ADD_CHECKPOINT_PATH) {
        res.writeHead(404).end();
        return;
      }
      requests.push(body);
      const behaviour = double.behaviour;
      if (behaviour === 'hang') {
        hanging.add(res);
        return;
      }
      const answer = behaviour === 'honest' ? honest(body) : behaviour(body, () => honest(body));
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  double.port = (server.address() as AddressInfo).port;
  double.url = `http://127.0.0.1:${double.port}`;
  return double;
}
