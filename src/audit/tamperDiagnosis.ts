/**
 * Names what happened to the event log from where its leaves stopped matching the tree. A leaf commits to the
 * event's global position, so an event that moved does not match the leaf at its new place; but hashed as if it
 * were at another place it matches the stored leaf there, which tells a swap, a renumbering after an insertion or
 * a removal, and a plain alteration apart. Only the first discrepancies are kept and examined: they are enough to
 * name the first bad position, and their number is bounded whatever the size of the ledger.
 */
import type { RecordedEvent } from '../store/eventStore';
import type { MerkleLog } from './merkleLog';
import { storedEventLeafHash } from './eventLeaf';
import type { VerifyProblem } from './verifyProblem';

/** Where the events and the tree disagree, as verify meets it walking the log in order. */
export type Discrepancy =
  /** An event whose leaf differs from the stored leaf of its position. */
  | { kind: 'mismatch'; position: number; event: RecordedEvent }
  /** A second event at a position already seen. */
  | { kind: 'duplicate'; position: number; event: RecordedEvent }
  /** `count` positions from `position` on have no event. */
  | { kind: 'missing'; position: number; count: number };

/** A discrepancy as found: a parallel verify knows positions and hashes, and reads the events back afterwards. */
export type FoundDiscrepancy =
  | { kind: 'mismatch' | 'duplicate'; position: number; event: RecordedEvent | undefined }
  | { kind: 'missing'; position: number; count: number };

/** The first discrepancies in full, and how many there were and where the first was. */
export class DiscrepancyLog {
  static readonly KEPT = 64;
  readonly kept: FoundDiscrepancy[] = [];
  count = 0;
  firstPosition: number | undefined;

  add(discrepancy: FoundDiscrepancy): void {
    this.count++;
    if (this.firstPosition === undefined || discrepancy.position < this.firstPosition) {
      this.firstPosition = discrepancy.position;
    }
    if (this.kept.length < DiscrepancyLog.KEPT) this.kept.push(discrepancy);
  }
}

/** Problems for the discrepancies (the first ones, with their events), each named as well as the tree allows. */
export function diagnose(
  discrepancies: readonly Discrepancy[],
  eventsBeyondTree: readonly RecordedEvent[],
  merkle: MerkleLog,
  storedSize: number,
): VerifyProblem[] {
  const found = [...discrepancies].sort((a, b) => a.position - b.position);
  // The events standing at each examined position, and the positions the tree's leaves may have moved from.
  const standing = new Map<number, RecordedEvent>();
  for (const d of found) if (d.kind === 'mismatch') standing.set(d.position, d.event);
  for (const event of eventsBeyondTree) standing.set(event.globalPosition, event);
  const suspects = [...new Set(found.map((d) => d.position))];
  const homes = new Map<RecordedEvent, number | null>();
  /** The stored leaf, or none where the stored tree itself lacks it (verify reports that on its own). */
  const storedLeaf = (index: number): Buffer => {
    try {
      return merkle.leafHashAt(index);
    } catch {
      return Buffer.alloc(0);
    }
  };

  /** The position whose stored leaf this event matches, when it is not its own: where it belongs. */
  const homeOf = (event: RecordedEvent | undefined): number | null => {
    if (event === undefined) return null;
    const known = homes.get(event);
    if (known !== undefined) return known;
    const own = event.globalPosition;
    let home: number | null = null;
    for (const candidate of new Set([own + 1, own - 1, ...suspects])) {
      if (candidate < 0 || candidate >= storedSize || candidate === own) continue;
      if (storedEventLeafHash({ ...event, globalPosition: candidate }).equals(storedLeaf(candidate))) {
        home = candidate;
        break;
      }
    }
    homes.set(event, home);
    return home;
  };
  /** Positions from `start` on whose events all moved by `shift` (a renumbering): how far the run goes. */
  const runEnd = (start: number, shift: number): number => {
    let q = start;
    while (homeOf(standing.get(q + 1)) === q + 1 + shift) q++;
    return q;
  };

  const problems: VerifyProblem[] = [];
  const explained = new Set<number>();
  for (const d of found) {
    const p = d.position;
    if (explained.has(p)) continue;
    if (d.kind === 'duplicate') {
      problems.push({ position: p, kind: 'inserted', detail: `a second event claims position ${p}` });
      continue;
    }
    if (d.kind === 'missing') {
      const mover = [...standing.values()].find((event) => homeOf(event) === p);
      if (mover) {
        explained.add(mover.globalPosition);
        problems.push({
          position: p,
          kind: 'reordered',
          detail: `the event the tree holds at position ${p} is stored at position ${mover.globalPosition}`,
        });
      } else {
        const which = d.count === 1 ? `position ${p}` : `positions ${p}–${p + d.count - 1}`;
        problems.push({ position: p, kind: 'missing', detail: `there is no event at ${which}` });
      }
      continue;
    }
    const home = homeOf(d.event);
    if (home === null) {
      if (homeOf(standing.get(p + 1)) === p) {
        const end = runEnd(p + 1, -1);
        for (let q = p + 1; q <= end; q++) explained.add(q);
        problems.push({
          position: p,
          kind: 'inserted',
          detail: `an event the tree never held was inserted at position ${p}; the events after it moved one place up`,
        });
      } else {
        problems.push({
          position: p,
          kind: 'altered',
          detail: `the event at position ${p} (${d.event.type} in ${d.event.streamId}) does not hash to the leaf the tree holds for it`,
        });
      }
    } else if (homeOf(standing.get(home)) === p) {
      explained.add(home);
      problems.push({
        position: p,
        kind: 'reordered',
        detail: `the events at positions ${p} and ${home} are swapped`,
      });
    } else if (home === p + 1) {
      const end = runEnd(p, +1);
      for (let q = p; q <= end; q++) explained.add(q);
      // The last place of the run is left empty by the move down.
      if (found.some((x) => x.kind === 'missing' && x.position === end + 1)) explained.add(end + 1);
      problems.push({
        position: p,
        kind: 'missing',
        detail: `the event at position ${p} was removed and the events after it moved one place down`,
      });
    } else {
      explained.add(home);
      problems.push({
        position: p,
        kind: 'reordered',
        detail: `the event at position ${p} is the one the tree holds at position ${home}`,
      });
    }
  }
  return problems;
}
