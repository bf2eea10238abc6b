/**
 * The HTTP application factory. No global state: every call builds an independent app around the services it is
 * given, so tests build as many as they like.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { LedgerMetrics } from '../metrics/ledgerMetrics';
import type { EventStore } from '../store/eventStore';
import { getMetrics, requestTiming, serveMetrics } from './metrics';
import { serve, type Operation } from './operation';
import { answeredOnPurpose, isExpectedProblem, problemErrorHandler, problems } from './problem';
import { rateLimit } from './rateLimit';
import { healthAnswer, readinessAnswer } from './schemas/health';

export interface AppServices {
  config: Config;
  logger: Logger;
  store: EventStore;
  /** Extra routers mounted under /api/v1 (commands, reads, audit …), in order. */
  apiRouters?: express.Router[];
  /** Routers mounted at the root (dashboard, docs). */
  rootRouters?: express.Router[];
  /** Sets req.caller from the bearer token (anonymous when absent). */
  authenticate?: RequestHandler;
  /**
   * The methods served at a path (operations.ts `methodsAt`): OPTIONS is answered with them, and another method at
   * a served path is a 405 with Allow, not a 404. Absent: neither.
   */
  methodsAt?: (path: string) => readonly string[];
  /** The ledger's metrics: when given, every request is timed into them and GET /metrics serves them. */
  metrics?: LedgerMetrics;
  /** Whether the service can take traffic (store open, views caught up enough). */
  readiness?: () => Promise<{ ready: boolean; ledgerRole?: string; checks: Record<string, unknown> }>;
}

const getHealth: Operation = {
  method: 'get',
  path: '/healthz',
  root: true,
  operationId: 'getHealth',
  tag: 'Service',
  summary: 'Liveness: the process answers',
  access: 'anyone',
  answer: { status: 200, description: 'Alive', schema: healthAnswer },
};
const getReadiness: Operation = {
  method: 'get',
  path: '/readyz',
  root: true,
  operationId: 'getReadiness',
  tag: 'Service',
  summary: 'Readiness: the store open, the views caught up, the audit trail holding together',
  description: 'Not ready is answered 503 with the same body, its checks saying why.',
  access: 'anyone',
  answer: {
    otherStatuses: [503],
    status: 200,
    description: 'Ready (200) or not (503), with the checks that decided it',
    schema: readinessAnswer,
  },
};

export const serviceOperations: Operation[] = [getHealth, getReadiness, getMetrics];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  res.setHeader('Permissions-Policy', 'geolocation=(), camera=(), microphone=()');
  next();
};

/**
 * CORS for the configured origins (LEDGER_CORS_ORIGINS), for dashboards served elsewhere: a listed Origin gets
 * Access-Control-Allow-Origin with that origin, and its preflight the methods and headers the API reads; any other
 * gets no CORS header at all. Tokens travel in Authorization, never in cookies, so no credentials mode.
 */
function corsFor(origins: readonly string[]): RequestHandler[] {
  const allowed = new Set(origins);
  return [
    // Every answer depends on Origin once CORS is on, also one without CORS headers: caches must keep them apart.
    (_req, res, next) => {
      res.vary('Origin');
      next();
    },
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'If-Match',
        'If-None-Match',
        'Idempotency-Key',
        'Last-Event-ID',
      ],
      exposedHeaders: [
        'ETag',
        'Location',
        'Idempotent-Replayed',
        'X-Request-Id',
        'Retry-After',
        'X-Ledger-Position',
        'Content-Disposition',
      ],
      maxAge: 600,
    }),
  ];
}

export function createApp(services: AppServices): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // First, so the time counted is the whole request's, the log and every refusal included.
  if (services.metrics) app.use(requestTiming(services.metrics));

  app.use(
    pinoHttp({
      logger: services.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // A fault is an error (problemErrorHandler logs it with its stack). A problem answered on purpose is a warning,
      // even a 503 (views not caught up with minPosition, shutting down): an expected condition, so no stack either.
      customLogLevel: (_req, res, err) => {
        if (err || (res.statusCode >= 500 && !isExpectedProblem(res))) return 'error';
        return res.statusCode >= 400 ? 'warn' : 'info';
      },
      // pino-http gives every response ≥ 500 an Error (and so a stack) of its own making; an expected one gets none.
      customErrorObject: (_req, res, _error, logged: Record<string, unknown>) => {
        if (!isExpectedProblem(res)) return logged;
        const { err: _err, ...withoutError } = logged;
        return withoutError;
      },
      customErrorMessage: (_req, res) => (isExpectedProblem(res) ? 'request completed' : 'request errored'),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders);
  if (services.config.corsOrigins.length > 0) app.use(corsFor(services.config.corsOrigins));
  const methodsAt = services.methodsAt ?? (() => []);
  // A preflight from a listed origin is answered above; any other OPTIONS learns what the path takes.
  app.use((req, res, next) => {
    const methods = req.method === 'OPTIONS' ? methodsAt(req.path) : [];
    if (methods.length === 0) {
      next();
      return;
    }
    res.setHeader('Allow', methods.join(', '));
    res.status(204).end();
  });
  // No body parser here: routes that take a body read it with jsonBody after their role check (S4).

  const service = express.Router();
  serve(service, getHealth, (_req, res) => {
    res.json({ status: 'ok' });
  });
  serve(service, getReadiness, async (_req, res) => {
    const head = await services.store.headPosition();
    // A store with a server (EventStoreDB) is not ready while it is not connected; an embedded one always is.
    const store = services.store.status();
    const extra = services.readiness ? await services.readiness() : { ready: true, checks: {} };
    const ready = extra.ready && store.ok;
    // Not ready is what the endpoint is for: the checks say why, the request log needs no stack.
    if (!ready) answeredOnPurpose(res);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      ...(extra.ledgerRole !== undefined && { ledgerRole: extra.ledgerRole }),
      checks: {
        eventStore: {
          ok: store.ok,
          headPosition: head,
          ...(store.connection !== undefined ? { connection: store.connection } : {}),
        },
        ...extra.checks,
      },
    });
  });
  if (services.metrics) serveMetrics(service, services.metrics);
  app.use(service);

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  if (services.authenticate) api.use(services.authenticate);
  api.use(rateLimit(services.config.rateLimit));
  for (const router of services.apiRouters ?? []) api.use(router);
  app.use('/api/v1', api);
  for (const router of services.rootRouters ?? []) app.use(router);

  app.use((req, _res, next) => {
    const methods = methodsAt(req.path);
    if (methods.length > 0 && !methods.includes(req.method)) {
      next(problems.methodNotAllowed(`${req.path} does not take ${req.method}`, methods.join(', ')));
      return;
    }
    next(problems.notFound(`No route for ${req.method} ${req.path}`));
  });
  app.use(problemErrorHandler);
  return app;
}
