/**
 * Small-count suppression for public aggregates (k-anonymity, as statistics offices do for demographic tables):
 * a count of people that is positive but below `below` is published as null, and its path is listed. Where the
 * cells of a breakdown add up to a published total, one hidden cell could be recovered by subtraction, so a second,
 * complementary cell (the smallest visible one) is hidden with it.
 */

/** A rate whose parts may be hidden; the value is hidden with them. */
export interface PublicRate {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

export class Suppression {
  /** The paths (dot-separated, e.g. `members.byRole.leader`) of every count hidden so far. */
  readonly paths: string[] = [];

  /** `below` ≤ 1 hides nothing (the evaluators' and administrators' view). */
  constructor(readonly below: number) {}

  private hides(n: number): boolean {
    return n > 0 && n < this.below;
  }

  /** A lone count of people. */
  count(path: string, n: number): number | null {
    if (!this.hides(n)) return n;
    this.paths.push(path);
    return null;
  }

  /** Cells that add up to a published total, in a fixed order; returns the published values in the same order. */
  cells(cells: ReadonlyArray<{ path: string; n: number }>): Array<number | null> {
    const hidden = cells.map((c) => this.hides(c.n));
    if (hidden.filter(Boolean).length === 1) {
      // Hide the smallest visible positive cell too, so the total minus the visible cells gives nothing away.
      let partner = -1;
      cells.forEach((c, i) => {
        if (!hidden[i] && c.n > 0 && (partner < 0 || c.n < (cells[partner]?.n ?? Infinity))) partner = i;
      });
      if (partner >= 0) hidden[partner] = true;
    }
    return cells.map((c, i) => {
      if (!hidden[i]) return c.n;
      this.paths.push(c.path);
      return null;
    });
  }

  /** A breakdown keyed by category (`members.byRole`), cells in the order given. */
  breakdown<K extends string>(
    path: string,
    counts: ReadonlyArray<readonly [K, number]>,
  ): Record<K, number | null> {
    const values = this.cells(counts.map(([key, n]) => ({ path: `${path}.${key}`, n })));
    // fromEntries, not assignment: keys such as area names are free text, and `__proto__` must stay a plain key.
    return Object.fromEntries(counts.map(([key], i) => [key, values[i] ?? null])) as Record<K, number | null>;
  }

  /**
   * Counts of people per period with their running totals (`<path>.<i>.added`, `<path>.<i>.cumulative`). A hidden
   * count could be recovered as the difference of the published totals around it, so between two published totals
   * (or the start) there are never exactly one hidden count: a second one is hidden with it (the smallest visible
   * positive one there), or, with none to hide, a total, which joins the stretch to its neighbour. The last total
   * counts as published whenever it is not itself hidden, since it is the sum shown elsewhere (a proposal's supports).
   */
  runningTotals(
    path: string,
    counts: readonly number[],
  ): Array<{ added: number | null; cumulative: number | null }> {
    const totals: number[] = [];
    counts.forEach((n, i) => totals.push((totals[i - 1] ?? 0) + n));
    const hiddenCount = counts.map((n) => this.hides(n));
    const hiddenTotal = totals.map((n) => this.hides(n));
    const last = counts.length - 1;
    const endKnown = last >= 0 && !this.hides(totals[last] as number);
    for (let changed = true; changed;) {
      changed = false;
      const boundaries = [
        -1,
        ...totals.flatMap((_, i) => (!hiddenTotal[i] || (i === last && endKnown) ? [i] : [])),
      ];
      for (let k = 1; k < boundaries.length && !changed; k++) {
        const [from, to] = [boundaries[k - 1] as number, boundaries[k] as number];
        const stretch = counts.map((_, i) => i).filter((i) => i > from && i <= to);
        if (stretch.filter((i) => hiddenCount[i]).length !== 1) continue;
        const partner = stretch
          .filter((i) => !hiddenCount[i] && (counts[i] as number) > 0)
          .sort((a, b) => (counts[a] as number) - (counts[b] as number))[0];
        if (partner !== undefined) hiddenCount[partner] = true;
        else if (to !== last || !endKnown) hiddenTotal[to] = true;
        else if (from >= 0) hiddenTotal[from] = true;
        else continue; // one positive count that is the whole, known total: it is not below the threshold
        changed = true;
      }
    }
    return counts.map((n, i) => {
      if (hiddenCount[i]) this.paths.push(`${path}.${i}.added`);
      if (hiddenTotal[i]) this.paths.push(`${path}.${i}.cumulative`);
      return { added: hiddenCount[i] ? null : n, cumulative: hiddenTotal[i] ? null : (totals[i] as number) };
    });
  }

  /** A rate of two already-published counts: hidden, and listed at `path`, when either part is hidden. */
  rate(path: string, numerator: number | null, denominator: number | null): PublicRate {
    if (numerator === null || denominator === null) {
      this.paths.push(path);
      return { value: null, numerator, denominator };
    }
    return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
  }
}
