/**
 * An HTTP operation, declared once: the route the app serves, the role it needs, the query, body and answer schemas,
 * and the words the API document shows. The routers register their handlers from these declarations and the OpenAPI
 * document is generated from the same list, so what is served and what is documented cannot drift apart.
 */
import type { RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../config';
import { requireRole } from './auth';

export interface Operation {
  method: 'get' | 'post';
  /** The express path, under /api/v1 unless `root`: '/proposals/:id'. */
  path: string;
  /** Served at the root rather than under /api/v1 (health, the API document itself). */
  root?: boolean;
  /** Stable, camelCase, unique across the API: 'getProposal', 'supportProposal'. */
  operationId: string;
  /** The OpenAPI tag: the domain area it belongs to ('Proposals', 'Audit' …). */
  tag: string;
  summary: string;
  description?: string;
  /**
   * Who may call it. 'anyone': no token needed (the answer may still differ by role, see API.md "who sees what").
   * Otherwise the roles that may, admin always included.
   */
  access: 'anyone' | readonly Role[];
  /** The path parameters, as a zod object of strings (enums where the values are fixed); absent: each any string. */
  params?: z.ZodType;
  /** The query string, as a zod object; its input side is what the document shows. */
  query?: z.ZodType;
  /** The request body (application/json). */
  body?: z.ZodType;
  /** The successful answer. */
  answer: {
    status: 200 | 201 | 202;
    description: string;
    /** application/json unless said otherwise ('application/x-ndjson', 'text/event-stream', 'text/csv' …). */
    contentType?: string;
    /** Further content types of a file that comes in several formats, the query choosing ('application/x-ndjson'). */
    otherContentTypes?: readonly string[];
    /** The JSON answer's schema; absent for streams and files, whose format the description gives. */
    schema?: z.ZodType;
    /** For a stream of JSON items (NDJSON lines, SSE messages' data): the schema of each item. */
    itemSchema?: z.ZodType;
    /** Statuses answered with the same body and schema, not as a problem (GET /readyz's 503 when not ready). */
    otherStatuses?: readonly number[];
    /** Response headers the successful answer carries, for clients that need them (Location, X-Ledger-Position …). */
    headers?: readonly string[];
  };
  /** The problem statuses it answers besides the ones every operation may (400, 401/403 by `access`, 429, 500). */
  problems?: readonly number[];
  /** Request headers it reads (If-Match, Idempotency-Key, If-None-Match, Last-Event-ID). */
  headers?: readonly string[];
}

/** The role check an operation's `access` asks for: none for 'anyone'. */
export function accessCheck(operation: Operation): RequestHandler[] {
  return operation.access === 'anyone' ? [] : [requireRole(...operation.access)];
}

/**
 * Labels the request with the operation it reached (res.locals), for the metrics; one property set. Routes that are
 * no Operation (the dashboard's pages and assets) name themselves with it too.
 */
export function markOperation(operationId: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.operationId = operationId;
    next();
  };
}

/** The id of the operation whose route took the request, or undefined when none did (a 404, a 405). */
export function operationIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.operationId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Registers `handlers` for `operation` on `router`, behind its role check; the request is labelled with the
 * operation id first, so the metrics count a refused one under its operation too.
 */
export function serve(router: Router, operation: Operation, ...handlers: RequestHandler[]): void {
  router[operation.method](
    operation.path,
    markOperation(operation.operationId),
    ...accessCheck(operation),
    ...handlers,
  );
}
