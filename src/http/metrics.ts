/**
 * GET /metrics (Prometheus text format) and the request timing behind its HTTP histogram. A request is labelled with
 * the operation id its route declares (serve() in operation.ts marks it), never with its path, so ids in paths cannot
 * add series; one that no operation serves is `unmatched`. The page shows only counts, durations, sizes and the names
 * the code and the operator's witness policy fix: readable without a token, as API.md lists it (docs/deploy.md
 * "Metrics" says how to keep it off the public network).
 */
import type { RequestHandler, Response, Router } from 'express';
import type { LedgerMetrics } from '../metrics/ledgerMetrics';
import { operationIdOf, serve, type Operation } from './operation';

/** The operation label of a request no route declares (a 404, a 405, an asset the dashboard does not have). */
export const UNMATCHED = 'unmatched';

export const getMetrics: Operation = {
  method: 'get',
  path: '/metrics',
  root: true,
  operationId: 'getMetrics',
  tag: 'Service',
  summary:
    'Metrics for Prometheus: requests, commands by rule, appends, view and Merkle tree lag, witnesses, process',
  description:
    'The text exposition format (version 0.0.4). No ids, names or per-person data: labels are operation ids, status codes, command and rule names, view names and the witness names of the policy.',
  access: 'anyone',
  answer: { status: 200, description: 'The metrics', contentType: 'text/plain' },
};

/**
 * Times every request from its arrival to the end of its answer (or its connection's close: a live feed ends so),
 * with one histogram observation when the response closes. One listener function for all requests and the start in
 * res.locals: no closure per request.
 */
export function requestTiming(metrics: LedgerMetrics): RequestHandler {
  function observe(this: Response): void {
    const started = this.locals.requestStartedAt as number;
    metrics.observeRequest(
      operationIdOf(this) ?? UNMATCHED,
      this.statusCode,
      (performance.now() - started) / 1000,
    );
  }
  return (_req, res, next) => {
    res.locals.requestStartedAt = performance.now();
    res.on('close', observe);
    next();
  };
}

export function serveMetrics(router: Router, metrics: LedgerMetrics): void {
  serve(router, getMetrics, async (_req, res) => {
    const text = await metrics.exposition();
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.contentType).send(text);
  });
}
