/**
 * A token bucket per caller: authenticated callers by token, anonymous ones by address. Anonymous traffic (the
 * public dashboard and views) gets the smaller bucket; an exhausted bucket answers 429 with Retry-After.
 */
import type { RequestHandler } from 'express';
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

export function rateLimit(options: RateLimitOptions): RequestHandler {
  const now = options.now ?? (() => Date.now());
  const burst = options.burstSeconds ?? 10;
  const buckets = new Map<string, Bucket>();
  return (req, _res, next) => {
    const anonymous = !req.caller || req.caller.role === 'anonymous';
    const perMinute = anonymous ? options.anonymousPerMinute : options.authenticatedPerMinute;
    if (perMinute <= 0) {
      next();
      return;
    }
    const perMs = perMinute / 60_000;
    const capacity = Math.max(1, (perMinute / 60) * burst);
    const key = anonymous
      ? `ip:${req.ip ?? req.socket.remoteAddress ?? '?'}`
      : `token:${req.caller?.principal}`;
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) buckets.clear();
      bucket = { tokens: capacity, updatedAt: t };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.updatedAt) * perMs);
    bucket.updatedAt = t;
    if (bucket.tokens < 1) {
      next(problems.tooManyRequests(Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))));
      return;
    }
    bucket.tokens -= 1;
    next();
  };
}
