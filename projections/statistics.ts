/** The two measures the views report: rates that show their parts, and medians computed when asked, never kept. */

/** A rate with its parts, so a reader can check it and combine groups; `value` is null when nothing was counted. */
export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
}

export function rate(numerator: number, denominator: number): Rate {
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

/** The middle value; the mean of the two middle values for an even count; null for none. Does not touch `values`. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}
