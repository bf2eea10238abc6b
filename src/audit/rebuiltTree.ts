/**
 * The tree verify rebuilds from the events: it folds in leaf hashes (or a worker's summary of a dense range),
 * notes every place where they disagree with the stored tree or the log has a gap or a repeat, and keeps the root
 * at each size a checkpoint signed.
 */
import { CompactRange } from './compactRange';
import type { LeafPage, RangeSummary } from './leafPages';
import { DiscrepancyLog } from './tamperDiagnosis';

/** A leaf for a position that has no event: matches no real leaf, so every root over it fails, as it should. */
const NO_LEAF = Buffer.alloc(32);

export class RebuiltTree {
  readonly discrepancies = new DiscrepancyLog();
  /** The rebuilt root at each wanted size reached so far. */
  readonly roots = new Map<number, Buffer>();
  /** Events folded in (a repeated position is not). */
  eventsTaken = 0;
  private readonly range = new CompactRange();

  constructor(private readonly rootSizes: ReadonlySet<number>) {
    this.keepRootIfWanted();
  }

  get size(): number {
    return this.range.size;
  }

  root(): Buffer {
    return this.range.root();
  }

  /**
   * Folds in a page of leaves, comparing each with `storedLeaves` (the stored leaves from the page's first
   * position on; undefined when they cannot be read).
   */
  takeLeaves(page: LeafPage, storedLeaves: readonly Buffer[] | undefined): void {
    const first = page.positions[0] as number;
    for (let i = 0; i < page.hashes.length; i++) {
      const position = page.positions[i] as number;
      const event = page.events?.[i];
      if (position < this.size) {
        this.discrepancies.add({ kind: 'duplicate', position, event });
        continue;
      }
      this.fillGapTo(position);
      const leaf = page.hashes[i] as Buffer;
      const stored = storedLeaves?.[position - first];
      if (stored !== undefined && !stored.equals(leaf))
        this.discrepancies.add({ kind: 'mismatch', position, event });
      this.append(leaf);
      this.eventsTaken++;
    }
  }

  /** Takes in a dense range a worker already compared and folded: its mismatches, its roots, its subtrees. */
  takeSummary(page: RangeSummary): void {
    this.fillGapTo(page.from);
    for (const position of page.mismatches)
      this.discrepancies.add({ kind: 'mismatch', position, event: undefined });
    for (const { size, subtrees } of page.prefixes) this.roots.set(size, this.range.rootWith(subtrees));
    for (const subtree of page.subtrees) this.range.appendSubtree(subtree);
    this.keepRootIfWanted();
    this.eventsTaken += page.to - page.from;
  }

  /** Positions before `position` that have no event: one discrepancy, and placeholder leaves to keep counting. */
  fillGapTo(position: number): void {
    if (position <= this.size) return;
    this.discrepancies.add({ kind: 'missing', position: this.size, count: position - this.size });
    while (this.size < position) this.append(NO_LEAF);
  }

  private append(leaf: Buffer): void {
    this.range.append(leaf);
    this.keepRootIfWanted();
  }

  private keepRootIfWanted(): void {
    if (this.rootSizes.has(this.size)) this.roots.set(this.size, this.range.root());
  }
}
