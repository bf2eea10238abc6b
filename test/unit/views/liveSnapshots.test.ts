/**
 * A view snapshot that cannot be written (the read model busy past its timeout, as while a rebuild's writer holds
 * it) is tried again at the next event; the live views keep following the log.
 */
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { openLedger } from '../../../src/ledger';
import { createLogger } from '../../../src/logger';
import { generateTrial } from '../../../src/simulation/trial';
import { loadTrial } from '../../../src/simulation/loadTrial';
import { ProjectionRunner } from '../../../src/views/projectionRunner';
import { ReadModelDb } from '../../../src/views/readModelDb';
import { allProjections } from '../../../projections';
import { makeTempDir } from '../../support/tempDir';

test('a failing snapshot write neither stops the live views nor is forgotten', async () => {
  const temp = makeTempDir('ledger-live-snapshots-');
  const ledger = openLedger(
    loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent' }),
    createLogger('silent'),
  );
  const readModel = new ReadModelDb(path.join(temp.dir, 'snapshots-read-model.sqlite'));
  const save = readModel.saveSnapshot.bind(readModel);
  let refused = 0;
  let written = 0;
  readModel.saveSnapshot = (...args: Parameters<ReadModelDb['saveSnapshot']>) => {
    if (refused < 3) {
      refused += 1;
      throw new Error('SQLITE_BUSY: database is locked');
    }
    written += 1;
    return save(...args);
  };
  const runner = new ProjectionRunner({
    store: ledger.store,
    readModel,
    projections: [...allProjections],
    logger: createLogger('silent'),
    snapshotEvery: 5,
  });
  try {
    await runner.start();
    const report = await loadTrial({ commands: ledger.commands }, generateTrial({ seed: 3, limit: 200 }));
    expect(report.rejected).toBe(0);
    const head = await ledger.store.headPosition();
    expect(await runner.waitFor(head, 10_000)).toBe(true);
    expect(refused).toBe(3);
    expect(written).toBeGreaterThan(0);
  } finally {
    await runner.stop();
    readModel.close();
    await ledger.close();
    temp.cleanup();
  }
}, 60_000);
