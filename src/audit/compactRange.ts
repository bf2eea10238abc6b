/**
 * An in-memory compact range over [0, size) (after transparency-dev/merkle `compact/range.go`): one perfect
 * subtree hash per set bit of the size, so a stream of leaves yields the RFC 9162 §2.1.1 root at every size in
 * O(log n) memory. Verify uses it to rebuild the tree from the events without storing it; its worker threads each
 * summarise an aligned chunk of leaves as the compact range of that chunk, which appends here in O(log n).
 */
import { emptyRoot, nodeHash } from './rfc9162';

/** The root of a perfect subtree of 2^level leaves. */
export interface Subtree {
  level: number;
  hash: Buffer;
}

export class CompactRange {
  /** Largest (leftmost) subtree first; levels strictly decrease. */
  private readonly parts: Subtree[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The subtrees, largest first: what another range continuing this one is appended to (see rootWith). */
  get subtrees(): readonly Subtree[] {
    return this.parts;
  }

  append(leafHash: Buffer): void {
    this.appendSubtree({ level: 0, hash: leafHash });
  }

  /** Appends 2^level leaves at once; the size must be a multiple of 2^level (the subtree is aligned). */
  appendSubtree(subtree: Subtree): void {
    const width = 2 ** subtree.level;
    if (this.count % width !== 0) {
      throw new RangeError(`a subtree of ${width} leaves cannot start at ${this.count}: it is not aligned`);
    }
    let right = subtree;
    // Two neighbouring subtrees of equal height are siblings: merge them into their parent.
    for (let left = this.parts.at(-1); left?.level === right.level; left = this.parts.at(-1)) {
      this.parts.pop();
      right = { level: right.level + 1, hash: nodeHash(left.hash, right.hash) };
    }
    this.parts.push(right);
    this.count += width;
  }

  /** MTH of the leaves appended so far. */
  root(): Buffer {
    return this.rootWith([]);
  }

  /**
   * MTH of these leaves followed by a range summarised by its subtrees, smaller than this range's smallest:
   * the subtrees folded from the right, as §2.1.1's split produces them.
   */
  rootWith(following: readonly Subtree[]): Buffer {
    const all = following.length === 0 ? this.parts : [...this.parts, ...following];
    const last = all.at(-1);
    if (last === undefined) return emptyRoot();
    let hash = last.hash;
    for (let i = all.length - 2; i >= 0; i--) hash = nodeHash((all[i] as Subtree).hash, hash);
    return hash;
  }
}
