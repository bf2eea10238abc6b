/**
 * The rebuild's writer thread: what it is handed arrives whole in the rebuild's generation, and a writer that
 * cannot write fails the rebuild loudly instead of swapping in a view with missing parts.
 */
import path from 'node:path';
import { ReadModelDb } from '../../../src/views/readModelDb';
import { StateWriter } from '../../../src/views/stateWriter';
import { makeTempDir } from '../../support/tempDir';

const state = (n: number) => ({
  n,
  rows: Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`r${i}`, { i, n, by: 'Tromsø' }])),
});

describe('StateWriter', () => {
  test('snapshots and a state written from the worker read back after the swap', async () => {
    const temp = makeTempDir('ledger-state-writer-');
    const db = new ReadModelDb(path.join(temp.dir, 'read-model.sqlite'));
    const writer = new StateWriter(db.file);
    try {
      const generation = db.beginRebuild('v');
      writer.snapshot('v', generation, 1, 10, state(10));
      writer.snapshot('v', generation, 1, 20, { small: 20 });
      writer.state('v', generation, state(30));
      await writer.flush();
      expect(db.loadCurrent('v')).toBeUndefined();
      db.swapIn('v', 1, generation, 30);
      expect(db.loadCurrent('v')).toEqual({ version: 1, position: 30, state: state(30) });
      expect(db.nearestSnapshot('v', 1, 15)).toEqual({ version: 1, position: 10, state: state(10) });
      expect(db.nearestSnapshot('v', 1, 25)?.state).toEqual({ small: 20 });
    } finally {
      await writer.close();
      db.close();
      temp.cleanup();
    }
  });

  test('a writer that cannot open the read model rejects the flush', async () => {
    const temp = makeTempDir('ledger-state-writer-');
    const writer = new StateWriter(path.join(temp.dir, 'missing', 'read-model.sqlite'));
    try {
      writer.state('v', 1, { a: 1 });
      await expect(writer.flush()).rejects.toThrow();
    } finally {
      await writer.close();
      temp.cleanup();
    }
  });
});
