/**
 * /openapi.json, generated from the operations the routers are registered from (QUALITY U5): the same zod schemas
 * that validate requests describe them here, and the answer schemas describe what each route sends. /docs renders
 * it with Swagger UI, served from node_modules by this server (no CDN: the service must work on a closed network,
 * and the CSP allows nothing but 'self').
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { MAX_DEPTH, MAX_ELEMENTS } from './jsonBody';
import { serve, type Operation } from './operation';
import { DOCS_FILES, getDocs, getDocsFile, getOpenApiDocument } from './openapiOperations';
import { API_BASE, operations as allOperations } from './operations';
import { problems } from './problem';

/** A request body and an answer recorded from a real walkthrough (test/api/contract.test.ts writes them). */
export interface OperationExample {
  request?: unknown;
  answer?: unknown;
}
export type OperationExamples = Record<string, OperationExample>;

/** The committed examples, beside this file (so a build copies them with it). */
export const EXAMPLES_FILE = path.join(__dirname, 'openapi-examples.json');

export function committedExamples(): OperationExamples {
  if (!fs.existsSync(EXAMPLES_FILE)) return {};
  return JSON.parse(fs.readFileSync(EXAMPLES_FILE, 'utf8')) as OperationExamples;
}

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12: the input side for what a client sends, the output side for answers. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    rule: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

/** What each problem status means here; an operation lists the ones it may answer besides the common ones. */
const problemMeaning: Record<number, string> = {
  400: `Bad request: a query parameter or header that is not valid, malformed JSON, a body nested deeper than ${MAX_DEPTH} levels or holding more than ${MAX_ELEMENTS} elements (too-complex), or a body that fails its schema (\`errors\` names each field)`,
  401: 'No token where one is needed, or a token that is not configured',
  403: "The token's role may not do this",
  404: 'Unknown id (or name) in the path',
  409: 'State or concurrency conflict (If-Match not the stream revision)',
  413: 'Body larger than 1 MB, or an event it would record whose leaf text exceeds 65,535 bytes (a tlog-tiles entry: `entry-too-large`)',
  421: 'Misdirected: this server is a read replica (LEDGER_ROLE=replica); send the command to the writer, whose base URL the problem gives in `writer` (`not-the-writer`)',
  422: 'A domain rule is broken (`rule` names it), or a position or size beyond the ledger',
  429: 'Rate limited, or too many live feeds open for this token or address (Retry-After says when to try again)',
  500: 'A fault of the server (logged; the answer holds no detail of it)',
  503: 'Not available now: views not caught up, no checkpoint yet, the audit trail not holding together, or shutting down (Retry-After when known)',
};

const headerMeaning: Record<string, string> = {
  'If-Match':
    'the expected stream revision, e.g. "3": a mismatch is a 409. The revision is the `streamRevision` (and ETag) of the last command\'s answer on that stream, or the `currentRevision` of a 409; the ETags of view answers are of another kind and are not revisions',
  'Idempotency-Key':
    '1–255 visible ASCII characters: the same key with the same body answers the first result again (200, Idempotent-Replayed: true) and records nothing; with another body it is a 422',
  'If-None-Match': 'an ETag of an earlier answer: 304 when the answer would be the same',
  'Last-Event-ID': 'the global position of the last event received: the feed resumes after it',
};

/** What each response header a successful answer may carry means. */
const responseHeaderMeaning: Record<string, string> = {
  ETag: 'the stream revision after the command, in quotes: send it as If-Match to change the record only if nobody else has',
  Location: 'the read address of the record the command wrote to',
  'Idempotent-Replayed': '"true" when this is the answer of an earlier request with the same Idempotency-Key',
  'X-Ledger-Position': 'the global position the file reflects',
  'Content-Disposition': 'attachment, with a file name naming the dataset and the position',
  'Cache-Control': 'how long the answer may be kept, and by whom (docs/tiles.md)',
};
/** A read's ETag: a view at a position (or a tile) never changes, so If-None-Match with it answers 304. */
const viewEtag =
  'identifies this answer (a view: its position, role, query and text; a tile or checkpoint: its bytes): send it as If-None-Match to get a 304 while it holds';
const etagHeader = { description: viewEtag, schema: { type: 'string' } };
const retryAfter = {
  description: 'seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
};

function headersObject(names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      { description: responseHeaderMeaning[name] ?? name, schema: { type: 'string' } },
    ]),
  );
}

const toOpenApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

/** Who may call it, in words and as `x-roles`: admin is always among the roles. */
function rolesOf(operation: Operation): string[] {
  return operation.access === 'anyone' ? ['anyone'] : [...new Set([...operation.access, 'admin'])];
}

function parametersOf(operation: Operation): JsonSchema[] {
  const pathNames = [...operation.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  const params = operation.params ? jsonSchemaOf(operation.params, 'input') : undefined;
  const paramProperties = (params?.properties ?? {}) as Record<string, JsonSchema>;
  const parameters: JsonSchema[] = pathNames.map((name) => {
    const { description, ...schema } = paramProperties[name] ?? { type: 'string' };
    return { name, in: 'path', required: true, schema, ...(description !== undefined && { description }) };
  });
  if (operation.query) {
    const query = jsonSchemaOf(operation.query, 'input');
    const required = new Set((query.required ?? []) as string[]);
    for (const [name, property] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
      const { description, ...schema } = property;
      parameters.push({
        name,
        in: 'query',
        required: required.has(name),
        schema,
        ...(description !== undefined && { description }),
      });
    }
  }
  for (const name of operation.headers ?? []) {
    parameters.push({
      name,
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: headerMeaning[name] ?? name,
    });
  }
  return parameters;
}

function problemStatusesOf(operation: Operation): number[] {
  const statuses = new Set<number>(operation.problems ?? []);
  const takesInput =
    operation.query !== undefined || operation.body !== undefined || (operation.headers ?? []).length > 0;
  if (takesInput) statuses.add(400);
  if (operation.body !== undefined) statuses.add(413);
  if (!operation.root) {
    // Under /api/v1 a token is read on every route (an unknown one is a 401) and requests are rate limited.
    statuses.add(401).add(429);
    if (operation.access !== 'anyone') statuses.add(403);
  }
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

function operationObject(operation: Operation, example: OperationExample | undefined): JsonSchema {
  const roles = rolesOf(operation);
  const who =
    operation.access === 'anyone'
      ? operation.root
        ? 'Who may call it: anyone (no token is read).'
        : 'Who may call it: anyone. A token may be sent, and where the answer shows people it differs by role: anonymous callers get the public form (no row about a person; counts of people below `suppressionThreshold` hidden as null and listed in `suppressed`), evaluators pseudonyms in place of person ids, clerks and admins names.'
      : `Who may call it: ${roles.join(', ')} (a bearer token with one of these roles).`;
  const security = operation.root
    ? []
    : operation.access === 'anyone'
      ? [{}, { bearerAuth: [] }]
      : [{ bearerAuth: [] }];
  const { answer } = operation;
  const contentTypes = [answer.contentType ?? 'application/json', ...(answer.otherContentTypes ?? [])];
  const content = Object.fromEntries(
    contentTypes.map((type) => [
      type,
      {
        ...(answer.schema && { schema: jsonSchemaOf(answer.schema, 'output') }),
        ...(answer.schema && example?.answer !== undefined && { example: example.answer }),
        // OpenAPI 3.2 names this itemSchema; 3.1 has no word for the items of a stream, so an extension says it.
        ...(answer.itemSchema && { 'x-itemSchema': jsonSchemaOf(answer.itemSchema, 'output') }),
      },
    ]),
  );
  const reads = operation.headers ?? [];
  const answerHeaders = {
    ...headersObject(answer.headers ?? []),
    ...(reads.includes('If-None-Match') && { ETag: etagHeader }),
  };
  const headers = Object.keys(answerHeaders).length > 0 ? { headers: answerHeaders } : {};
  const responses: Record<string, unknown> = {};
  for (const status of [answer.status, ...(answer.otherStatuses ?? [])])
    responses[String(status)] = { description: answer.description, ...headers, content };
  if (reads.includes('Idempotency-Key')) {
    responses['200'] = {
      description: 'A replay of an earlier request with the same Idempotency-Key: its answer again',
      headers: { ...answerHeaders, ...headersObject(['Idempotent-Replayed']) },
      content,
    };
  }
  if (reads.includes('If-None-Match')) {
    responses['304'] = {
      description: "Not modified: If-None-Match named this answer's ETag; no body",
      headers: { ETag: etagHeader },
    };
  }
  for (const status of problemStatusesOf(operation).filter((s) => !(s in responses))) {
    responses[String(status)] = {
      description: problemMeaning[status] ?? 'A problem',
      ...((status === 429 || status === 503) && { headers: { 'Retry-After': retryAfter } }),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: [operation.description, who].filter(Boolean).join('\n\n'),
    'x-roles': roles,
    security,
    parameters: parametersOf(operation),
    ...(operation.body && {
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: jsonSchemaOf(operation.body, 'input'),
            ...(example?.request !== undefined && { example: example.request }),
          },
        },
      },
    }),
    responses,
  };
}

export function buildOpenApiDocument(
  operations: readonly Operation[] = allOperations,
  examples: OperationExamples = committedExamples(),
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const key = toOpenApiPath(operation.path);
    const item = (paths[key] ??= {});
    if (operation.root) item.servers = [{ url: '/' }];
    item[operation.method] = operationObject(operation, examples[operation.operationId]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Participation ledger API',
      version: '1',
      description:
        "An auditable, event-sourced record of participatory democracy. Errors are RFC 9457 problem details. Views accept asOf (a global position or an ISO timestamp) and say which position they reflect. Examples are recorded from the README walkthrough and a run of every command against a throwaway ledger: their ids are that ledger's, so trying a command on another ledger needs ids of that one (the lookups give them).",
    },
    servers: [{ url: API_BASE }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token of LEDGER_API_TOKENS (or `ledger token ROLE`); its role is admin, clerk or evaluator',
        },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}

const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Participation ledger API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><noscript>This page needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/docs.js"></script></body></html>`;

// No validator badge (it would load an image from swagger.io); tokens are kept for the page's life only.
const docsScript = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  displayOperationId: true,
  defaultModelsExpandDepth: 0,
});
`;

const docsFileTypes: Record<(typeof DOCS_FILES)[number], string> = {
  'swagger-ui-bundle.js': 'application/javascript',
  'swagger-ui.css': 'text/css',
  'docs.js': 'application/javascript',
};

export function openApiRouter(operations: readonly Operation[] = allOperations): Router {
  const router = Router();
  let cached: string | undefined;
  serve(router, getOpenApiDocument, (_req, res) => {
    cached ??= JSON.stringify(buildOpenApiDocument(operations));
    res.type('application/json').send(cached);
  });
  serve(router, getDocs, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(docsPage);
  });
  serve(router, getDocsFile, (req, res) => {
    const file = String(req.params.file);
    if (!(DOCS_FILES as readonly string[]).includes(file)) {
      throw problems.notFound(`/docs has no file "${file.slice(0, 100)}"`);
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type(docsFileTypes[file as (typeof DOCS_FILES)[number]]);
    if (file === 'docs.js') res.send(docsScript);
    else res.sendFile(path.join(swaggerUiDir, file));
  });
  return router;
}
