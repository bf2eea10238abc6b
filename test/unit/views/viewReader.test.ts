/**
 * The view reader: the projection object picks the view (and types its state), `minPosition` is waited for or
 * refused, `asOf` resolves through the store, and a store failure stays a failure, never a caller's condition.
 */
import { directoryProjection, votesProjection } from '../../../projections';
import type { EventStore, RecordedEvent } from '../../../src/store/eventStore';
import type { ProjectionRunner } from '../../../src/views/projectionRunner';
import { PositionNotRecorded, ViewReader, ViewsBehind } from '../../../src/views/viewReader';

/** A log of `head + 1` events recorded a day apart from 2021-03-01, and a runner that has folded them all. */
function fakes(head: number, options: { reaches?: boolean; failing?: boolean } = {}) {
  const asked: Array<{ name: string; position?: number }> = [];
  const recordedAt = (p: number) => new Date(Date.UTC(2021, 2, 1 + p, 12)).toISOString();
  const store = {
    headPosition: async () => head,
    async *readAll(from: number) {
      if (options.failing) throw new Error('SQLITE_IOERR: disk I/O error');
      if (from <= head) yield { globalPosition: from, recordedAt: recordedAt(from) } as RecordedEvent;
    },
  } as unknown as EventStore;
  // The runner takes a view's name or its projection, as ProjectionRunner does.
  const nameOf = (view: string | { name: string }) => (typeof view === 'string' ? view : view.name);
  const runner = {
    waitFor: async () => options.reaches ?? true,
    current: (view: string | { name: string }) => {
      const name = nameOf(view);
      asked.push({ name });
      return { position: head, state: { of: name } };
    },
    asOf: async (view: string | { name: string }, position: number) => {
      const name = nameOf(view);
      asked.push({ name, position });
      return { position: Math.min(position, head), state: { of: name, at: position } };
    },
  } as unknown as ProjectionRunner;
  return { store, runner, asked };
}

const now = () => new Date('2022-06-01T10:00:00Z');

describe('ViewReader.at', () => {
  test('reads the view the projection names: now, at a position, at an instant', async () => {
    const { store, runner, asked } = fakes(9);
    const reader = new ViewReader({ store, runner, clock: now });
    expect(await reader.at(directoryProjection)).toEqual({
      position: 9,
      date: '2022-06-01',
      state: { of: 'directory' },
    });
    expect((await reader.at(votesProjection, { asOf: { kind: 'position', position: 3 } })).date).toBe(
      '2021-03-04',
    );
    const atInstant = await reader.at(votesProjection, {
      asOf: { kind: 'time', time: new Date('2021-03-05T23:00:00Z') },
    });
    expect({ position: atInstant.position, date: atInstant.date }).toEqual({
      position: 4,
      date: '2021-03-06',
    });
    expect(asked).toEqual([
      { name: 'directory' },
      { name: 'votes', position: 3 },
      { name: 'votes', position: 4 },
    ]);
  });

  test('a position past the head answers at the head, dated as the head', async () => {
    const { store, runner } = fakes(2);
    const view = await new ViewReader({ store, runner, clock: now }).at(directoryProjection, {
      asOf: { kind: 'position', position: 50 },
    });
    expect({ position: view.position, date: view.date }).toEqual({ position: 2, date: '2021-03-03' });
  });

  test('minPosition beyond the head is refused at once, naming the head', async () => {
    const { store, runner, asked } = fakes(4);
    const read = new ViewReader({ store, runner }).at(directoryProjection, { minPosition: 5 });
    await expect(read).rejects.toBeInstanceOf(PositionNotRecorded);
    await expect(read).rejects.toMatchObject({ minPosition: 5, headPosition: 4 });
    expect(asked).toEqual([]);
  });

  test('minPosition the views do not reach in time is ViewsBehind; one they reach is read', async () => {
    const behind = fakes(4, { reaches: false });
    await expect(
      new ViewReader({ ...behind, minPositionWaitMs: 1 }).at(directoryProjection, { minPosition: 4 }),
    ).rejects.toBeInstanceOf(ViewsBehind);
    const caughtUp = fakes(4);
    expect((await new ViewReader(caughtUp).at(directoryProjection, { minPosition: 4 })).position).toBe(4);
  });

  test('a store failure while resolving asOf is the store’s error, not a condition of the caller', async () => {
    for (const asOf of [
      { kind: 'position', position: 3 } as const,
      { kind: 'time', time: new Date('2021-03-05T12:00:00Z') } as const,
    ]) {
      const { store, runner } = fakes(9, { failing: true });
      const read = new ViewReader({ store, runner }).at(directoryProjection, { asOf });
      await expect(read).rejects.toThrow('SQLITE_IOERR');
      await expect(read).rejects.not.toBeInstanceOf(PositionNotRecorded);
      await expect(read).rejects.not.toBeInstanceOf(ViewsBehind);
    }
  });
});
