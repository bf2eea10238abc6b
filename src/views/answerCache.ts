/**
 * Answers of the aggregate reads, by the view position and date they were computed at and the query: a view at a
 * given position never changes, so neither does the answer. At 1M events computing one takes 0.1–0.2 s (every
 * proposal or vote is visited), serving it again well under a millisecond; dashboards ask the same questions over
 * and over between writes. Bounded by total size; the least recently used go first.
 */
import { createHash } from 'node:crypto';

/** An answer's JSON text and its entity tag (RFC 9110 §8.8.3, quotes included). */
export interface Answer {
  json: string;
  etag: string;
}

/**
 * The tag of an answer: its key (what was asked, at which position, by whom) and its text. The text is in it so
 * that a tag never vouches for a text the server would no longer send (a person's name after their erasure, a
 * deadline under another configured threshold), and so tags hold across restarts.
 */
export function answerOf(key: string, json: string): Answer {
  const digest = createHash('sha256').update(key).update('\u0000').update(json).digest('base64url');
  return { json, etag: `"${digest.slice(0, 32)}"` };
}

export class AnswerCache {
  private readonly answers = new Map<string, Answer>();
  private size = 0;

  constructor(private readonly maxChars = 32 * 1024 * 1024) {}

  /** The answer kept under `key`, computing (and keeping) it when there is none. */
  answer(key: string, compute: () => unknown): Answer {
    const known = this.answers.get(key);
    if (known !== undefined) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    const answer = answerOf(key, JSON.stringify(compute()));
    if (answer.json.length <= this.maxChars / 4) {
      this.answers.set(key, answer);
      this.size += answer.json.length;
      for (const [oldest, kept] of this.answers) {
        if (this.size <= this.maxChars) break;
        this.answers.delete(oldest);
        this.size -= kept.json.length;
      }
    }
    return answer;
  }
}
