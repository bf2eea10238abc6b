/**
 * /openapi.json, generated from the same zod schemas that validate the requests (QUALITY U5), and /docs, a
 * self-contained page that renders it (no CDN: the service must work on a closed network).
 */
import { Router } from 'express';
import { z } from 'zod';
import { MAX_DEPTH, MAX_ELEMENTS } from './jsonBody';
import { bodySchemaOf } from './routes/commands';
import { commandRoutes } from './routes/commandRoutes';

export interface ReadRouteDoc {
  path: string;
  summary: string;
  roles: string;
  query?: Record<string, string>;
  produces?: string;
}

/** Read routes are described here; their responses are the views of docs/views.md. */
export const readRouteDocs: ReadRouteDoc[] = [
  {
    path: '/proposals',
    summary: 'Proposal status views, filtered and paginated, with the total matching on every page',
    roles: 'anyone (supports under 5 suppressed for anonymous callers)',
    query: {
      committeeId: 'committee id',
      stage: 'stage',
      origin: 'origin',
      theme: 'theme',
      q: 'text the title contains: 1–200 characters, case-insensitive after Unicode NFKC normalisation, literal',
      limit: '1–500 (default 50)',
      cursor: 'opaque cursor from nextCursor',
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/proposals/{id}',
    summary: 'One proposal status view',
    roles: 'anyone (supports under 5 suppressed for anonymous callers)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait until views include this position',
    },
  },
  {
    path: '/proposals/{id}/timeline',
    summary:
      "The proposal's public path: its events in ledger order with chosen fields (no person), supports per month",
    roles:
      'anyone (no person id or name for any role; attendee and support counts under 5 suppressed for anonymous callers)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/proposals/{id}/trace',
    summary: 'Every event that touched the proposal, each with its inclusion proof',
    roles: 'evaluator (person ids pseudonymised; leaf texts as stored), admin',
  },
  {
    path: '/committees',
    summary: 'Every committee with its mandate, areas, proposals by stage and budget per year',
    roles: 'anyone (member counts under 5 suppressed for anonymous callers)',
    query: { asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset' },
  },
  {
    path: '/committees/{id}',
    summary: 'One committee view',
    roles:
      'anyone: anonymous callers get suppressed counts only, evaluators members by pseudonym, clerk/admin by name',
    query: { asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset' },
  },
  {
    path: '/votes/{id}',
    summary: 'A vote with its ballots and tally',
    roles: 'anyone: the tally for all; ballots by pseudonym for evaluators, by name for clerk/admin',
    query: { asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset' },
  },
  {
    path: '/arenas',
    summary: 'Every arena (citizen square), by name',
    roles: 'anyone (no personal data)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/arenas/{id}',
    summary: 'One arena',
    roles: 'anyone (no personal data)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/political-bodies',
    summary: 'Every political body, by name',
    roles: 'anyone (no personal data)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/political-bodies/{id}',
    summary: 'One political body',
    roles: 'anyone (no personal data)',
    query: {
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
      minPosition: 'wait (≤ 5 s) until views include this global position',
    },
  },
  {
    path: '/influence',
    summary: 'The influence funnel, grouped',
    roles: 'anyone',
    query: {
      groupBy: 'committee | committeeKind | origin | coCreationForm | theme | politicalBody | year',
      from: 'YYYY-MM-DD',
      to: 'YYYY-MM-DD',
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
    },
  },
  {
    path: '/participation',
    summary: 'Participation breakdown (counts under 5 suppressed for anonymous callers)',
    roles: 'anyone',
    query: {
      committeeId: 'committee id',
      from: 'YYYY-MM-DD',
      to: 'YYYY-MM-DD',
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
    },
  },
  {
    path: '/events',
    summary: 'The log in global order',
    roles: 'evaluator (person ids pseudonymised), admin (as stored)',
    query: { from: 'global position', limit: '1–10000' },
    produces: 'application/x-ndjson',
  },
  {
    path: '/events/live',
    summary:
      'Live feed of new events, resumable with Last-Event-ID; capped per token (429 beyond) and in all (503 beyond)',
    roles: 'evaluator (person ids pseudonymised), admin (as stored)',
    query: { from: 'global position' },
    produces: 'text/event-stream',
  },
  {
    path: '/positions/live',
    summary:
      'Live feed that the ledger moved: one `position` message per new event with its globalPosition, recordedAt and stream category only; resumable with Last-Event-ID; capped per token or, for anonymous callers, per address (429 beyond) and in all (503 beyond)',
    roles: 'anyone (no ids, event types or data)',
    query: { from: 'global position' },
    produces: 'text/event-stream',
  },
  {
    path: '/streams/{streamId}',
    summary: "One stream's events",
    roles: 'evaluator (person ids pseudonymised), admin (as stored)',
  },
  { path: '/audit/checkpoint', summary: 'The latest signed checkpoint (C2SP signed note)', roles: 'anyone' },
  { path: '/audit/checkpoints', summary: 'All checkpoints', roles: 'anyone' },
  {
    path: '/audit/inclusion',
    summary: 'RFC 9162 inclusion proof',
    roles: 'anyone',
    query: { position: 'leaf index', treeSize: 'tree size' },
  },
  {
    path: '/audit/consistency',
    summary: 'RFC 9162 consistency proof',
    roles: 'anyone',
    query: { from: 'tree size', to: 'tree size' },
  },
  {
    path: '/audit/verify',
    summary: 'Recompute every leaf and the root from the log',
    roles: 'evaluator, admin',
  },
  { path: '/exports', summary: 'Data dictionary of the research exports', roles: 'evaluator, admin' },
  {
    path: '/exports/{dataset}',
    summary: 'A research export (pseudonymised)',
    roles: 'evaluator, admin',
    query: {
      format: 'csv | ndjson',
      asOf: 'global position (or -1), or RFC 3339 timestamp with Z or an offset',
    },
  },
  { path: '/admin/projections', summary: "Each view's checkpoint, lag and state", roles: 'admin' },
];

const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    rule: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

function pathParameters(openApiPath: string): Array<Record<string, unknown>> {
  return [...openApiPath.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of commandRoutes) {
    const path = toOpenApiPath(route.path);
    const schema = z.toJSONSchema(bodySchemaOf(route), { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    delete schema.$schema;
    paths[path] = {
      ...(paths[path] ?? {}),
      post: {
        operationId: route.command,
        summary: route.summary,
        security: [{ bearer: [] }],
        parameters: [
          ...pathParameters(path),
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'expected stream revision, e.g. "3"',
          },
          { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema } } },
        responses: {
          '201': {
            description: 'Recorded',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } } },
          },
          '200': { description: 'Replay of an earlier request with the same Idempotency-Key' },
          '400': problemResponse(
            `Malformed JSON, a body nested deeper than ${MAX_DEPTH} levels or holding more than ${MAX_ELEMENTS} elements (too-complex), or schema failure`,
          ),
          '401': problemResponse('No or unknown token'),
          '403': problemResponse('Role not allowed (commands need clerk or admin)'),
          '404': problemResponse('Unknown id in the path'),
          '409': problemResponse('State or concurrency conflict'),
          '413': problemResponse('Body larger than 1 MB'),
          '422': problemResponse('A domain rule is broken'),
          '429': problemResponse('Rate limited'),
        },
      },
    };
  }
  for (const read of readRouteDocs) {
    paths[read.path] = {
      ...(paths[read.path] ?? {}),
      get: {
        summary: read.summary,
        description: `Who may read: ${read.roles}.`,
        parameters: [
          ...pathParameters(read.path),
          ...Object.entries(read.query ?? {}).map(([name, description]) => ({
            name,
            in: 'query',
            required: false,
            description,
            schema: { type: 'string' },
          })),
        ],
        responses: {
          '200': { description: 'OK', content: { [read.produces ?? 'application/json']: {} } },
          '400': problemResponse('Bad query parameter'),
          '401': problemResponse('No or unknown token'),
          '403': problemResponse('Role not allowed'),
          '404': problemResponse('Unknown id'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Participation ledger API',
      version: '1',
      description:
        'An auditable, event-sourced record of participatory democracy. Errors are RFC 9457 problem details. Views accept asOf (a global position or an ISO timestamp) and say which position they reflect.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: problemSchema,
        CommandResult: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            streamId: { type: 'string' },
            streamRevision: { type: 'integer' },
            globalPosition: { type: 'integer' },
          },
          required: ['id', 'streamId', 'streamRevision', 'globalPosition'],
        },
      },
    },
    paths,
  };
}

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Participation ledger API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}details{border:1px solid #ccd;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f8;padding:.6rem;overflow:auto}
.m{display:inline-block;width:3.5rem;font-weight:700}.post{color:#0b6e4f}.get{color:#1d4e89}</style></head>
<body><h1>Participation ledger API</h1><p id="intro">Loading <a href="/openapi.json">/openapi.json</a>…</p><div id="ops"></div>
<script src="/docs/docs.js"></script></body></html>`;

const docsScript = `fetch('/openapi.json').then(r=>r.json()).then(doc=>{
document.getElementById('intro').textContent=doc.info.description+' Base path: '+doc.servers[0].url;
const ops=document.getElementById('ops');
for(const [path,methods] of Object.entries(doc.paths)){for(const [method,op] of Object.entries(methods)){
const d=document.createElement('details');const s=document.createElement('summary');
const m=document.createElement('span');m.className='m '+method;m.textContent=method.toUpperCase();
const c=document.createElement('code');c.textContent=path;s.append(m,c,document.createTextNode(' — '+(op.summary||'')));d.append(s);
if(op.description){const p=document.createElement('p');p.textContent=op.description;d.append(p);}
const body=op.requestBody&&op.requestBody.content['application/json'];
const pre=document.createElement('pre');pre.textContent=JSON.stringify(body?body.schema:(op.parameters||[]).map(p=>p.in+' '+p.name+(p.description?': '+p.description:'')),null,2);d.append(pre);
ops.append(d);}}});`;

export function openApiRouter(): Router {
  const router = Router();
  let cached: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    cached ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(cached);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(docsPage);
  });
  router.get('/docs/docs.js', (_req, res) => {
    res.type('application/javascript').send(docsScript);
  });
  return router;
}
