/**
 * RFC 9457 problem details: the one place where every error becomes a response. Nothing a client sends may
 * produce a 500 or a stack trace; a genuine server fault is logged with its stack and answered with a bare 500.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { EntryTooLargeError } from '../audit/entrySize';
import { RuleViolation, StateConflict, UnknownReference } from '../domain/errors';
import { AuditRefusedError } from '../audit/auditLog';
import {
  DuplicateEventIdError,
  SealKeyMissingError,
  StoreClosedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../store/eventStore';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
  rule?: string;
  [extension: string]: unknown;
}

/** Problem types are relative URIs under the API; GET on them describes the problem. */
export function problemType(slug: string): string {
  return `/api/v1/problems/${slug}`;
}

/** An error that already knows its problem response. Throw it from handlers; the error handler answers it. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const problems = {
  badRequest: (detail: string, errors?: ProblemBody['errors']) =>
    new HttpProblem(400, 'validation', 'The request is not valid', detail, errors ? { errors } : {}),
  unauthorized: (detail = 'A valid bearer token is required') =>
    new HttpProblem(401, 'unauthorized', 'Not authenticated', detail, {}, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Not allowed for this role', detail),
  notFound: (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail),
  /** A path the service serves, asked with a method it does not take there; `Allow` lists the ones it does. */
  methodNotAllowed: (detail: string, allow: string) =>
    new HttpProblem(405, 'method-not-allowed', 'Method not allowed', detail, {}, { Allow: allow }),
  conflict: (detail: string, extensions: Record<string, unknown> = {}) =>
    new HttpProblem(409, 'conflict', 'Conflict with the current state', detail, extensions),
  unprocessable: (slug: string, detail: string, extensions: Record<string, unknown> = {}) =>
    new HttpProblem(422, slug, 'The request breaks a rule', detail, extensions),
  tooLarge: () =>
    new HttpProblem(413, 'too-large', 'Request body too large', 'The request body is larger than 1 MB'),
  /** A body within the size limit that nests too deep or holds too many elements; names the limit it broke. */
  bodyTooComplex: (detail: string, limit: { limit: 'depth' | 'elements'; maximum: number }) =>
    new HttpProblem(400, 'too-complex', 'Request body too complex', detail, limit),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpProblem(
      429,
      'rate-limited',
      'Too many requests',
      `Slow down: try again in ${retryAfterSeconds} s`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  unavailable: (detail: string, retryAfterSeconds?: number) =>
    new HttpProblem(
      503,
      'unavailable',
      'Service unavailable',
      detail,
      {},
      retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    ),
  tooManyLiveFeeds: (detail: string) =>
    new HttpProblem(429, 'live-feed-limit', 'Too many live feeds for this token or address', detail),
  requestTimeout: (detail: string) => new HttpProblem(408, 'request-timeout', 'Request timeout', detail),
  /**
   * A command sent to a replica (LEDGER_ROLE=replica): only the writer records. 421 Misdirected Request (RFC 9110
   * §15.5.20): this server is not the one to answer it. The writer's base URL is in `writer`; no Location, since the
   * client sends the command to the writer itself (it may carry an Idempotency-Key the writer alone keeps).
   */
  notTheWriter: (writer: string) =>
    new HttpProblem(
      421,
      'not-the-writer',
      'This server is a read replica',
      `Commands are recorded only by the writer, ${writer}: send this request there (reads may stay here)`,
      { writer },
    ),
};

/**
 * The answer while the audit trail does not hold together: nothing is appended or signed until an operator has
 * looked (`ledger audit status`, then `ledger audit recover`); /readyz names the cause.
 */
export function auditTrailProblem(): HttpProblem {
  return new HttpProblem(
    503,
    'audit-trail-broken',
    'The audit trail needs an operator',
    'The ledger found that its audit trail was changed behind its back, so it neither records nor signs anything, nor proves what it no longer holds, until an operator has resolved it; GET /readyz says why',
  );
}

/**
 * No checkpoint to serve yet: the writer is starting, or a replica has not yet verified one of the writer's (it
 * serves them only once its own tree has their root: docs/deploy.md, "Replicas").
 */
export function noCheckpointYet(signs: boolean): HttpProblem {
  return problems.unavailable(
    signs
      ? 'No checkpoint has been signed yet: the audit log is starting'
      : "No checkpoint of the writer has been verified here yet: this read replica serves the writer's checkpoints once its own tree has their root; GET /readyz says why",
  );
}

/** Zod issues → `errors: [{path, message}]`, with paths written like `mandate.decide` or `areas[2]`. */
export function zodErrors(error: z.ZodError): Array<{ path: string; message: string }> {
  const pathText = (path: PropertyKey[]): string =>
    path.reduce<string>(
      (acc, key) =>
        typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
      '',
    );
  // An unknown field is reported at the field itself, not at the object that holds it.
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: pathText([...issue.path, key]), message: 'is not a known field' }))
        : [{ path: pathText(issue.path), message: issue.message }],
    )
    .slice(0, 50);
}

const INTERNAL = 'internal';

/**
 * Whether the response is a problem the service answers on purpose for a condition it expects (a 503 while the
 * views catch up, a 4xx for what the client sent), as opposed to a fault: the request log tells the two apart.
 */
export function isExpectedProblem(res: Response): boolean {
  const problem: unknown = res.locals.problem;
  return res.locals.onPurpose === true || (problem instanceof HttpProblem && problem.slug !== INTERNAL);
}

/** Marks a response that is not a problem but reports a known condition (/readyz not ready) as given on purpose. */
export function answeredOnPurpose(res: Response): void {
  res.locals.onPurpose = true;
}

export function problemBody(problem: HttpProblem, instance?: string): ProblemBody {
  return {
    type: problemType(problem.slug),
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    ...(instance ? { instance } : {}),
    ...problem.extensions,
  };
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  res.locals.problem = problem;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(problem, instance)));
}

/** Turns anything thrown into a problem, or undefined for a genuine server fault. */
export function toProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof UnknownReference) {
    // The record the path names is not there (404), or the body names one the ledger does not hold (422).
    return error.where === 'path'
      ? new HttpProblem(404, 'not-found', 'Not found', error.message, { rule: error.rule })
      : problems.unprocessable('unknown-reference', error.message, { rule: error.rule });
  }
  if (error instanceof StateConflict) return problems.conflict(error.message, { rule: error.rule });
  if (error instanceof EntryTooLargeError) {
    return new HttpProblem(413, 'entry-too-large', 'The event would be too large for the log', error.message);
  }
  if (error instanceof RuleViolation)
    return problems.unprocessable('rule-broken', error.message, { rule: error.rule });
  if (error instanceof z.ZodError)
    return problems.badRequest('The request does not match the schema', zodErrors(error));
  if (error instanceof WrongExpectedRevisionError) {
    return problems.conflict(
      `The record changed meanwhile (expected revision ${String(error.expected)}, now ${error.actual}); reload and retry`,
      { currentRevision: error.actual },
    );
  }
  if (error instanceof DuplicateEventIdError) return problems.conflict(error.message);
  if (error instanceof StoreClosedError) return problems.unavailable('The service is shutting down');
  // The store's server is away: the client retries, and a command retried with its Idempotency-Key is answered once.
  if (error instanceof StoreUnavailableError) {
    return problems.unavailable('The event store cannot be reached; retry shortly', 2);
  }
  if (error instanceof SealKeyMissingError || error instanceof AuditRefusedError) return auditTrailProblem();
  // body-parser and express errors carry a status and a type.
  const e = error as { status?: unknown; type?: unknown; expose?: unknown };
  if (typeof e === 'object' && e !== null && typeof e.status === 'number') {
    if (e.type === 'entity.too.large') return problems.tooLarge();
    if (e.type === 'entity.parse.failed') return problems.badRequest('The request body is not valid JSON');
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return problems.badRequest('The request body must be UTF-8 JSON');
    }
    if (e.status >= 400 && e.status < 500) {
      return new HttpProblem(
        e.status === 413 ? 413 : 400,
        'bad-request',
        'Bad request',
        'The request could not be read',
      );
    }
  }
  return undefined;
}

export const problemErrorHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  // A request refused before its body was read (no token, a declared size over the limit) leaves that body on the
  // connection: closing it after the answer, rather than keeping it alive, stops a client that announced gigabytes
  // from holding the socket.
  if (!req.complete) res.setHeader('Connection', 'close');
  const problem = toProblem(error);
  if (problem) {
    sendProblem(res, problem, req.originalUrl);
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  sendProblem(
    res,
    new HttpProblem(
      500,
      INTERNAL,
      'Internal server error',
      'Something went wrong on our side; it has been logged',
    ),
    req.originalUrl,
  );
};
