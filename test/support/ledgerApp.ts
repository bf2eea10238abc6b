/**
 * The real service on a temporary data directory, for API tests: openLedger + buildApp (the same composition as
 * `ledger serve`), with a token per role.
 */
import type { Express } from 'express';
import request from 'supertest';
import { loadConfig, type Config } from '../../src/config';
import { loadTokens } from '../../src/http/auth';
import { openLedger, type Ledger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { buildApp } from '../../src/server';
import { makeTempDir } from './tempDir';

export const TOKENS = {
  admin: 'test-admin-token-0000000001',
  clerk: 'test-clerk-token-0000000002',
  evaluator: 'test-evaluator-token-000003',
} as const;

export type TestRole = keyof typeof TOKENS | 'anonymous';

/** A committee mandate with every power, for tests whose committees need to be able to do anything. */
export const fullMandate = { influence: true, decide: true, facilitate: true, support: true, arrange: true };

/** What a command answered: the id it names and the position it was recorded at. */
export interface Recorded {
  id: string;
  globalPosition: number;
}

export interface LedgerApp {
  app: Express;
  ledger: Ledger;
  config: Config;
  dataDir: string;
  /** POST as the given role (clerk by default). */
  post(path: string, body: unknown, role?: TestRole, headers?: Record<string, string>): request.Test;
  get(path: string, role?: TestRole): request.Test;
  /** POSTs a command as clerk that must be recorded (201), else throws with the answer: for building a ledger. */
  record(path: string, body: unknown): Promise<Recorded>;
  /** `record`, for the id alone. */
  recordId(path: string, body: unknown): Promise<string>;
  head(): Promise<number>;
  close(): Promise<void>;
}

export async function openLedgerApp(env: Record<string, string> = {}): Promise<LedgerApp> {
  const temp = makeTempDir('ledger-app-');
  const config = loadConfig({
    LEDGER_DATA_DIR: temp.dir,
    LOG_LEVEL: 'silent',
    LEDGER_API_TOKENS: `admin=${TOKENS.admin},clerk=${TOKENS.clerk},evaluator=${TOKENS.evaluator}`,
    ...env,
  });
  const ledger = openLedger(config, createLogger('silent'));
  await ledger.runner.start();
  // As `ledger serve` does: the audit follower logs and retries its own failures.
  ledger.audit.start().catch(() => undefined);
  await ledger.audit.decided(); // as the server does before it listens
  ledger.witnesses?.start(); // as the server does, when LEDGER_WITNESS_POLICY_FILE is set
  const { registry } = loadTokens(config.apiTokens, config.dataDir);
  const app = buildApp(ledger, registry);
  const withRole = (test: request.Test, role: TestRole): request.Test =>
    role === 'anonymous' ? test : test.set('Authorization', `Bearer ${TOKENS[role]}`);
  const post: LedgerApp['post'] = (path, body, role = 'clerk', headers = {}) => {
    let t = withRole(request(app).post(`/api/v1${path}`), role);
    for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
    return t.send(body as object);
  };
  const record = async (path: string, body: unknown): Promise<Recorded> => {
    const res = await post(path, body);
    if (res.status !== 201) throw new Error(`${path} → ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Recorded;
  };
  return {
    app,
    ledger,
    config,
    dataDir: temp.dir,
    post,
    record,
    recordId: async (path, body) => (await record(path, body)).id,
    get: (path, role = 'evaluator') => withRole(request(app).get(`/api/v1${path}`), role),
    head: () => ledger.store.headPosition(),
    close: async () => {
      await ledger.close();
      temp.cleanup();
    },
  };
}
