/**
 * The audit log as the server wires it (ledger.ts, server.ts): it follows the store from start, answers the audit
 * routes, and a graceful stop ends live feeds and leaves a last checkpoint that covers every event.
 */
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { AuditLog } from '../../src/audit/auditLog';
import { generateSigningKey } from '../../src/audit/signedNote';
import { loadConfig } from '../../src/config';
import { openEventStore } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { appendPlausibleEvents } from '../support/auditedLedger';
import { makeTempDir } from '../support/tempDir';

const EVALUATOR = 'evaluator-token-0123456789';

describe('the audit log in the running server', () => {
  it('follows the store, serves checkpoints and feeds, and stops cleanly with a final checkpoint', async () => {
    const temp = makeTempDir('ledger-audit-server-');
    try {
      const config = loadConfig({
        LEDGER_DATA_DIR: temp.dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        LEDGER_API_TOKENS: `evaluator=${EVALUATOR}`,
        LEDGER_CHECKPOINT_ORIGIN: 'asker.example/participation',
      });
      // Events written through the ledger's own (sealing) write path before any server ran.
      const seed = openEventStore(config);
      await appendPlausibleEvents(seed, 40);
      await seed.close();
      const running = await startServer(config, createLogger('silent'));
      const api = `${running.url}/api/v1`;
      expect(await running.ledger.audit.waitForSize(40, 10_000)).toBe(true);
      const checkpoint = await request(api).get('/audit/checkpoint');
      expect(checkpoint.status).toBe(200);
      expect(checkpoint.body).toMatchObject({ origin: 'asker.example/participation', treeSize: 40 });

      await appendPlausibleEvents(running.ledger.store as SqliteEventStore, 5, 2);
      const live = await new Promise<http.IncomingMessage>((resolve) =>
        http.get(`${api}/events/live?from=0`, { headers: { Authorization: `Bearer ${EVALUATOR}` } }, resolve),
      );
      const liveEnded = new Promise<void>((resolve) => live.on('close', resolve).resume());
      await running.close(); // would hang if the live feed held the server open
      await liveEnded;

      // The clean stop took in the last events and signed them: the files alone tell the whole story.
      const store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite') });
      const audit = new AuditLog({
        store,
        file: path.join(temp.dir, 'audit.sqlite'),
        signingKey: generateSigningKey(),
      });
      expect(audit.origin).toBe('asker.example/participation');
      expect(audit.latestCheckpoint()?.treeSize).toBe(45);
      await audit.close();
      await store.close();
    } finally {
      temp.cleanup();
    }
  });
});
