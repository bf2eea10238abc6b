/**
 * The summary of a dense range of leaves [from, from + n) that a verify worker sends instead of the leaves: which
 * of them differ from the stored leaves, and the range's compact range — at its end, and at each size inside it
 * where a checkpoint wants a root. When `from` is a multiple of a power of two ≥ n, the subtrees are aligned in the
 * whole tree and fold into the caller's compact range as they are (RebuiltTree.takeSummary).
 */
import { CompactRange, type Subtree } from './compactRange';

export interface RangeSummaryData {
  /** Positions whose leaf differs from the stored leaf. */
  mismatches: number[];
  /** The compact range of [from, size) for each wanted size inside the range. */
  prefixes: Array<{ size: number; subtrees: Subtree[] }>;
  /** The compact range of the whole range. */
  subtrees: Subtree[];
}

/** `storedLeaves` are the stored leaves from `from` on (fewer when the stored tree ends inside the range). */
export function summariseRange(
  from: number,
  leaves: readonly Buffer[],
  storedLeaves: readonly Buffer[],
  rootSizes: readonly number[],
): RangeSummaryData {
  const mismatches: number[] = [];
  storedLeaves.forEach((stored, i) => {
    if (!stored.equals(leaves[i] as Buffer)) mismatches.push(from + i);
  });
  const wanted = new Set(rootSizes);
  const range = new CompactRange();
  const prefixes: RangeSummaryData['prefixes'] = [];
  for (const leaf of leaves) {
    range.append(leaf);
    const size = from + range.size;
    if (wanted.has(size) && range.size < leaves.length)
      prefixes.push({ size, subtrees: [...range.subtrees] });
  }
  return { mismatches, prefixes, subtrees: [...range.subtrees] };
}
