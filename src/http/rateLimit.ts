/**
 * Token buckets per caller: authenticated callers by token, anonymous ones by address. Anonymous traffic (the
 * public dashboard and views) gets the smaller bucket; an exhausted bucket answers 429 with Retry-After.
 * Failed authentications have buckets of their own, per address (see auth.ts).
 */
import type { Request, RequestHandler } from 'express';
import { problems } from './problem';

export interface RateLimitOptions {
  /** Sustained requests per minute for an anonymous address. */
  anonymousPerMinute: number;
  /** Sustained requests per minute for one token. */
  authenticatedPerMinute: number;
  /** How many requests may arrive at once above the sustained rate, as a multiple of one second's worth. */
  burstSeconds?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MAX_BUCKETS = 100_000;

/** The address a request came from: the key of anonymous and failed-authentication buckets. */
export function addressOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '?';
}

/**
 * One bucket per key, each holding up to `burstSeconds` worth of a per-minute rate and refilling continuously.
 * A rate of 0 means no limit.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly capacity: number;

  constructor(
    private readonly perMinute: number,
    burstSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, (perMinute / 60) * burstSeconds);
  }

  /** Whole seconds until the key's bucket holds one token again; 0 when it holds one now. */
  retryAfter(key: string): number {
    // A key without a bucket has a full one; looking does not make one, so only takers fill the map.
    if (this.perMinute <= 0 || !this.buckets.has(key)) return 0;
    return this.secondsUntilOne(this.refilled(key).tokens);
  }

  /** Takes a token from the key's bucket if it holds one (answering 0), or answers retryAfter. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const bucket = this.refilled(key);
    if (bucket.tokens < 1) return this.secondsUntilOne(bucket.tokens);
    bucket.tokens -= 1;
    return 0;
  }

  private secondsUntilOne(tokens: number): number {
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  private refilled(key: string): Bucket {
    const t = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      bucket = { tokens: this.capacity, updatedAt: t };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (t - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = t;
    return bucket;
  }
}

export function rateLimit(options: RateLimitOptions): RequestHandler {
  const burst = options.burstSeconds ?? 10;
  const anonymous = new TokenBuckets(options.anonymousPerMinute, burst, options.now);
  const authenticated = new TokenBuckets(options.authenticatedPerMinute, burst, options.now);
  return (req, _res, next) => {
    const wait =
      !req.caller || req.caller.role === 'anonymous'
        ? anonymous.take(addressOf(req))
        : authenticated.take(req.caller.principal);
    if (wait > 0) next(problems.tooManyRequests(wait));
    else next();
  };
}
