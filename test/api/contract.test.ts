/**
 * U5: the published document cannot drift from the code. A walkthrough (the README's first committee and proposal,
 * then every command) runs against a real ledger; then every documented operation is called by each role that may
 * call it, and each live answer — status, content type and body — is validated against /openapi.json with a
 * standard JSON Schema validator (ajv, draft 2020-12). Refusals and unknown ids are checked against the documented
 * problem responses too. The document must hold every route the app serves and every route of API.md (those of
 * later issues are listed as pending, and printed).
 *
 * The walkthrough's answers are the document's examples: `npm run openapi-examples` records them into
 * src/http/openapi-examples.json, and the committed file is checked against the schemas here, so an example cannot
 * go stale silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { EXAMPLES_FILE, type OperationExamples } from '../../src/http/openapi';
import type { Operation } from '../../src/http/operation';
import { operations, servedPathOf } from '../../src/http/operations';
import { everyCommand } from '../support/everyCommand';
import { openLedgerApp, TOKENS, type LedgerApp, type TestRole } from '../support/ledgerApp';
import {
  DASHBOARD_ROUTES,
  isLiveFeed,
  readLiveFeed,
  requestOf,
  routeOf,
  servedRoutes,
  checkpointWithTiles,
  type KnownIds,
  type WalkedLedger,
} from '../support/servedRoutes';

type Json = Record<string, unknown>;
type OpenApiDocument = { paths: Record<string, Record<string, Json>>; components: { schemas: Json } };

/**
 * API.md's routes ("Commands" and "Reads" tables) as the app serves them, and those not served yet: the issue that
 * brings each. Bracketed forms ([.p/:W]) are spelt out.
 */
const apiMdRoutes: Array<[route: string, pending?: string]> = [
  ...[
    '/arenas',
    '/political-bodies',
    '/persons',
    '/persons/:id/erasure',
    '/committees',
    '/committees/:id/members',
    '/committees/:id/members/:personId/leave',
    '/committees/:id/budget',
    '/committees/:id/dissolution',
    '/processes',
    '/processes/:id/phases',
    '/meetings',
    '/proposals',
    '/proposals/:id/amendments',
    '/proposals/:id/supports',
    '/proposals/:id/withdrawal',
    '/proposals/:id/committee-decisions',
    '/proposals/:id/referrals',
    '/proposals/:id/referrals/:referralId/political-decision',
    '/proposals/:id/implementation',
    '/votes',
    '/votes/:id/ballots',
    '/votes/:id/close',
  ].map((p): [string] => [`POST /api/v1${p}`]),
  ...[
    '/proposals',
    '/proposals/:id',
    '/proposals/:id/trace',
    '/committees',
    '/committees/:id',
    '/votes/:id',
    '/influence',
    '/participation',
    '/events',
    '/events/live',
    '/streams/:streamId',
    '/audit/checkpoint',
    '/audit/inclusion',
    '/audit/consistency',
    '/audit/verify',
    '/exports/:dataset',
    '/exports',
    '/admin/projections',
    '/political-bodies',
    '/political-bodies/:id',
    '/arenas',
    '/arenas/:id',
    '/meetings',
    '/meetings/:id',
    '/votes',
    '/persons',
    '/persons/:id',
  ].map((p): [string] => [`GET /api/v1${p}`]),
  ['POST /api/v1/admin/projections/:name/rebuild'],
  ['GET /api/v1/codebook', 'issue 14'],
  ['POST /api/v1/imports', 'issue 14'],
  ['GET /api/v1/audit/tlog/checkpoint'],
  ['GET /api/v1/audit/tlog/tile/:L/:N'],
  ['GET /api/v1/audit/tlog/tile/:L/:N.p/:W'],
  ['GET /api/v1/audit/tlog/tile/entries/:N'],
  ['GET /api/v1/audit/tlog/tile/entries/:N.p/:W'],
  ['GET /healthz'],
  ['GET /readyz'],
  ['GET /metrics'],
  ['GET /openapi.json'],
  ['GET /docs'],
  ['GET /'],
];

const allRoles: TestRole[] = ['anonymous', 'evaluator', 'clerk', 'admin'];

/** The roles that may call an operation, least privileged first. */
const rolesFor = (operation: Operation): TestRole[] =>
  operation.access === 'anyone'
    ? allRoles
    : allRoles.filter((r) => r === 'admin' || (operation.access as readonly string[]).includes(r));

const headersOf = (role: TestRole): Record<string, string> =>
  role === 'anonymous' ? {} : { Authorization: `Bearer ${TOKENS[role]}` };

/** The routes the published document holds, as servedRoutes writes them (a path's own `servers` marks a root one). */
function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([key, item]) => {
    const root = (item.servers as unknown as Array<{ url: string }> | undefined)?.[0]?.url === '/';
    return Object.keys(item)
      .filter((k) => k !== 'servers' && k !== 'parameters')
      .map((method) => `${method.toUpperCase()} ${root ? '' : '/api/v1'}${key.replace(/\{(\w+)\}/g, ':$1')}`);
  });
}

/** The README's walkthrough ("Using it"): each curl's path and JSON body, `$C` standing for the committee's id. */
function readmeWalkthrough(): Array<{ path: string; body: string }> {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const curls = [...block.matchAll(/localhost:3000\/api\/v1(\S+) -d \\\n\s*('[^']*'|"(?:[^"\\]|\\.)*")/g)];
  return curls.map((m) => {
    const quoted = m[2] as string;
    const body = quoted.startsWith("'") ? quoted.slice(1, -1) : quoted.slice(1, -1).replace(/\\"/g, '"');
    return { path: m[1] as string, body };
  });
}

/** The JSON items of a stream: each line of NDJSON, each Server-Sent Events message's data. */
function itemsOf(mediaType: string, text: string): unknown[] {
  if (mediaType === 'application/x-ndjson')
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
  if (mediaType === 'text/event-stream')
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as unknown);
  return [];
}

describe('U5: every live answer matches the published document', () => {
  let t: LedgerApp;
  let document: OpenApiDocument;
  let ajv: Ajv2020;
  let records: Required<KnownIds> & WalkedLedger;
  /** What each operation answered, checked against the document: one line each, empty when all is well. */
  const mismatches: string[] = [];
  /** The operations called with success, by operationId, with the roles that did. */
  const called = new Map<string, Set<TestRole>>();
  /** The first request and answer of each operation, for the document's examples. */
  const recorded: OperationExamples = {};
  const validators = new Map<string, ValidateFunction>();

  const byRoute = new Map(operations.map((o) => [`${o.method} ${o.path}`, o]));
  const operationAt = (method: string, template: string): Operation => {
    const operation = byRoute.get(`${method} ${template}`);
    if (!operation) throw new Error(`no operation for ${method.toUpperCase()} ${template}`);
    return operation;
  };
  const documentedOperation = (operation: Operation): Json | undefined =>
    document.paths[operation.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[operation.method];
  const validatorFor = (key: string, schema: Json): ValidateFunction => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    return validate;
  };
  const mediaType = (contentType: string): string => contentType.split(';')[0]?.trim() ?? '';

  /** Checks one answer against the document; a success is recorded as the operation's. */
  function check(
    operation: Operation,
    role: TestRole,
    answer: { status: number; contentType: string; text: string; headers?: Record<string, unknown> },
    requestBody?: unknown,
  ): void {
    const where = `${role} ${routeOf(operation)} → ${answer.status}`;
    const documented = documentedOperation(operation);
    if (!documented) {
      mismatches.push(`${where}: not in the document`);
      return;
    }
    const responses = documented.responses as Record<
      string,
      { content?: Record<string, { schema?: Json }>; headers?: Record<string, unknown> }
    >;
    const response = responses[String(answer.status)];
    if (!response) {
      mismatches.push(`${where}: status not documented (${answer.text.slice(0, 200)})`);
      return;
    }
    const type = mediaType(answer.contentType);
    const media = response.content?.[type];
    if (!media) {
      mismatches.push(`${where}: content type ${type} not documented`);
      return;
    }
    const itemSchema = (media as { 'x-itemSchema'?: Json })['x-itemSchema'];
    if (itemSchema) {
      const items = itemsOf(type, answer.text);
      const validate = validatorFor(`${operation.operationId} items`, itemSchema);
      const bad = items.filter((item) => !validate(item));
      if (items.length === 0) mismatches.push(`${where}: no items to validate`);
      if (bad.length > 0)
        mismatches.push(`${where}: ${bad.length} items, e.g. ${ajv.errorsText(validate.errors)}`);
    }
    let body: unknown;
    if (media.schema) {
      const schema =
        media.schema.$ref === '#/components/schemas/Problem'
          ? document.components.schemas.Problem
          : media.schema;
      const validate = validatorFor(`${operation.operationId} ${answer.status} ${type}`, schema as Json);
      body = JSON.parse(answer.text);
      if (!validate(body)) {
        mismatches.push(`${where}: ${ajv.errorsText(validate.errors)}`);
        return;
      }
    }
    if (answer.status >= 400) return;
    // The response headers the document promises are sent (node lowercases header names).
    if (answer.headers) {
      for (const name of Object.keys(response.headers ?? {})) {
        if (answer.headers[name.toLowerCase()] === undefined)
          mismatches.push(`${where}: documented header ${name} not sent`);
      }
    }
    const roles = called.get(operation.operationId) ?? new Set<TestRole>();
    roles.add(role);
    called.set(operation.operationId, roles);
    if (!recorded[operation.operationId] && media.schema && operation !== openApiDocumentOperation) {
      recorded[operation.operationId] = {
        ...(requestBody !== undefined && { request: requestBody }),
        answer: body,
      };
    }
  }
  const openApiDocumentOperation = operationAt('get', '/openapi.json');

  const post = async (operation: Operation, urlPath: string, body: unknown, role: TestRole) => {
    const res = await request(t.app)
      .post(`/api/v1${urlPath}`)
      .set(headersOf(role))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    check(
      operation,
      role,
      {
        status: res.status,
        contentType: res.headers['content-type'] ?? '',
        text: res.text,
        headers: res.headers,
      },
      body,
    );
    return res;
  };
  const get = async (operation: Operation, url: string, role: TestRole) => {
    const answer = isLiveFeed(operation)
      ? await readLiveFeed(t.app, url, headersOf(role))
      : await request(t.app)
          .get(url)
          .set(headersOf(role))
          .then((res) => ({
            status: res.status,
            contentType: res.headers['content-type'] ?? '',
            text: res.text,
            headers: res.headers,
          }));
    check(operation, role, answer);
    return answer;
  };

  beforeAll(async () => {
    t = await openLedgerApp({ LEDGER_RATE_LIMIT_ANONYMOUS: '0' });
    document = (await request(t.app).get('/openapi.json')).body as OpenApiDocument;
    ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);

    // The README's walkthrough first, as it is written there, so that its requests are the commands' examples.
    let committeeId = '';
    for (const step of readmeWalkthrough()) {
      const body: unknown = JSON.parse(step.body.replace('$C', committeeId));
      const res = await post(operationAt('post', step.path), step.path, body, 'admin');
      if (res.status !== 201) throw new Error(`README: POST ${step.path} → ${res.status}: ${res.text}`);
      if (step.path === '/committees') committeeId = res.body.id as string;
    }
    // Then every command, as each role that may send it.
    const commandsAs = (role: TestRole) =>
      everyCommand(async (template, urlPath, body) => {
        const res = await post(operationAt('post', template), urlPath, body, role);
        if (res.status !== 201) throw new Error(`POST ${urlPath} as ${role} → ${res.status}: ${res.text}`);
        return res.body.id as string;
      }, role);
    const ids = await commandsAs('clerk');
    await commandsAs('admin');
    // A checkpoint of a tree with a full and a partial tile, for the tlog routes.
    records = { ...ids, treeSize: await checkpointWithTiles(t) };
    await t.ledger.runner.waitFor(await t.head(), 5000);

    // Every read, as every role that may.
    for (const operation of operations.filter((o) => o.method === 'get')) {
      for (const role of rolesFor(operation)) await get(operation, requestOf(operation, records), role);
    }
    // The rebuild last: it changes no answer, but takes a moment.
    await post(
      operationAt('post', '/admin/projections/:name/rebuild'),
      '/admin/projections/influence/rebuild',
      undefined,
      'admin',
    );

    if (process.env.UPDATE_OPENAPI_EXAMPLES) {
      fs.writeFileSync(EXAMPLES_FILE, `${JSON.stringify(recorded, null, 2)}\n`);
    }
  }, 120_000);
  afterAll(() => t.close());

  test('every answer of the walkthrough matches the document: status, content type, body', () => {
    expect(mismatches).toEqual([]);
  });

  test('every documented operation was called with success by every role that may call it', () => {
    const wanted = operations.map((o) => [o.operationId, rolesFor(o)]);
    const got = operations.map((o) => [
      o.operationId,
      allRoles.filter((r) => called.get(o.operationId)?.has(r)),
    ]);
    expect(got).toEqual(wanted);
  });

  test('a refused role and an unknown id get the problem the document lists', async () => {
    mismatches.length = 0;
    for (const operation of operations) {
      if (operation.access !== 'anyone') {
        const refused = allRoles.filter((r) => !rolesFor(operation).includes(r));
        for (const role of refused) {
          // The role check comes first: any id will do.
          const url = servedPathOf(operation).replace(/:[A-Za-z]+/g, () => uuidv7());
          const res =
            operation.method === 'get'
              ? await request(t.app).get(url).set(headersOf(role))
              : await request(t.app).post(url).set(headersOf(role)).send({});
          check(operation, role, {
            status: res.status,
            contentType: res.headers['content-type'] ?? '',
            text: res.text,
          });
          if (res.status !== (role === 'anonymous' ? 401 : 403))
            mismatches.push(`${role} ${routeOf(operation)}: ${res.status}`);
        }
      }
      if (operation.method === 'get' && operation.path.includes(':')) {
        const url = servedPathOf(operation).replace(/:[A-Za-z]+/g, () => uuidv7());
        const res = await request(t.app).get(url).set(headersOf('admin'));
        check(operation, 'admin', {
          status: res.status,
          contentType: res.headers['content-type'] ?? '',
          text: res.text,
        });
        if (res.status !== 404) mismatches.push(`${routeOf(operation)} with unknown ids: ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('the document holds every route the app serves, and no other', () => {
    const served = servedRoutes(t.app).filter((r) => !DASHBOARD_ROUTES.includes(r));
    expect(documentedRoutes(document).sort()).toEqual(served);
  });

  test('the document holds every route of API.md; those of later issues are pending', () => {
    const documented = new Set([...documentedRoutes(document), ...DASHBOARD_ROUTES]);
    const missing = apiMdRoutes
      .filter(([route, pending]) => !pending && !documented.has(route))
      .map(([r]) => r);
    expect(missing).toEqual([]);
    // A route marked pending that has arrived: the mark must go.
    const arrived = apiMdRoutes
      .filter(([route, pending]) => pending && documented.has(route))
      .map(([r]) => r);
    expect(arrived).toEqual([]);
    const pending = apiMdRoutes.filter(([, p]) => p).map(([route, p]) => `  ${route}: ${p as string}`);
    process.stderr.write(`\nAPI.md routes not served yet (pending):\n${pending.join('\n')}\n`);
  });

  test('the committed examples match the schemas, and every JSON answer has one', () => {
    const examples = JSON.parse(fs.readFileSync(EXAMPLES_FILE, 'utf8')) as OperationExamples;
    const problems: string[] = [];
    for (const [operationId, example] of Object.entries(examples)) {
      const operation = operations.find((o) => o.operationId === operationId);
      const documented = operation && documentedOperation(operation);
      if (!operation || !documented) {
        problems.push(`${operationId}: no such operation`);
        continue;
      }
      const requestSchema = (
        documented.requestBody as { content: Record<string, { schema: Json }> } | undefined
      )?.content['application/json']?.schema;
      if (example.request !== undefined && requestSchema) {
        const validate = ajv.compile(requestSchema);
        if (!validate(example.request))
          problems.push(`${operationId} request: ${ajv.errorsText(validate.errors)}`);
      }
      const answerSchema = (
        documented.responses as Record<string, { content?: Record<string, { schema?: Json }> }>
      )[String(operation.answer.status)]?.content?.['application/json']?.schema;
      if (answerSchema) {
        const validate = ajv.compile(answerSchema);
        if (!validate(example.answer))
          problems.push(`${operationId} answer: ${ajv.errorsText(validate.errors)}`);
      }
    }
    const withoutExample = operations
      .filter((o) => o.answer.schema && o !== openApiDocumentOperation && !examples[o.operationId])
      .map((o) => o.operationId);
    expect(problems).toEqual([]);
    // Run `npm run openapi-examples` to record them.
    expect(withoutExample).toEqual([]);
  });
});
