/**
 * Answers of the aggregate reads, by the view position and date they were computed at and the query: a view at a
 * given position never changes, so neither does the answer. At 1M events computing one takes 0.1–0.2 s (every
 * proposal or vote is visited), serving it again well under a millisecond; dashboards ask the same questions over
 * and over between writes. Bounded by total size; the least recently used go first.
 */
export class AnswerCache {
  private readonly answers = new Map<string, string>();
  private size = 0;

  constructor(private readonly maxChars = 32 * 1024 * 1024) {}

  /** The JSON text of the answer kept under `key`, computing (and keeping) it when there is none. */
  json(key: string, compute: () => unknown): string {
    const known = this.answers.get(key);
    if (known !== undefined) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    const json = JSON.stringify(compute());
    if (json.length <= this.maxChars / 4) {
      this.answers.set(key, json);
      this.size += json.length;
      for (const [oldest, answer] of this.answers) {
        if (this.size <= this.maxChars) break;
        this.answers.delete(oldest);
        this.size -= answer.length;
      }
    }
    return json;
  }
}
