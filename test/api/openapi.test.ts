import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { operations } from '../../src/http/operations';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { openLedgerApp, type LedgerApp } from '../support/ledgerApp';

describe('OpenAPI document (U5)', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
  });
  afterAll(() => t.close());

  test('/openapi.json describes every command route with the schema that validates it', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const route of commandRoutes) {
      const op = res.body.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.post;
      expect(op?.operationId).toBe(route.operationId);
      const schema = op.requestBody.content['application/json'].schema;
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
    }
    // The schema is the validator's: a field it requires is required here, with the same enum.
    const proposals = res.body.paths['/proposals'].post.requestBody.content['application/json'].schema;
    expect(proposals.required).toEqual(
      expect.arrayContaining(['committeeId', 'title', 'description', 'origin', 'submittedOn']),
    );
    expect(proposals.properties.origin.enum).toContain('citizen_initiative');
    expect(res.body.paths['/influence'].get).toBeDefined();
  });

  test('/docs renders it without any outside resource', async () => {
    const page = await request(t.app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/openapi.json');
    expect(page.text).not.toMatch(/https?:\/\//);
    expect((await request(t.app).get('/docs/docs.js')).status).toBe(200);
  });

  test('every operation is documented with its id, tag, roles, security and answer', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      const op = doc.paths[operation.path.replace(/:([A-Za-z]+)/g, '{$1}')][operation.method];
      expect([operation.operationId, op.operationId, op.tags]).toEqual([
        operation.operationId,
        operation.operationId,
        [operation.tag],
      ]);
      const answer = op.responses[String(operation.answer.status)];
      const media = answer.content[operation.answer.contentType ?? 'application/json'];
      // A JSON answer has its schema; a stream or file says its format in words.
      if (operation.answer.contentType === undefined) expect(media.schema).toBeDefined();
      else expect(answer.description.length).toBeGreaterThan(10);
      if (operation.access === 'anyone') {
        expect(op['x-roles']).toEqual(['anyone']);
        expect(op.security).toEqual(operation.root ? [] : [{}, { bearerAuth: [] }]);
      } else {
        expect(op['x-roles']).toEqual([...new Set([...operation.access, 'admin'])]);
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        expect(op.responses['403'].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
    const query = (path: string, name: string) =>
      doc.paths[path].get.parameters.find(
        (p: { in: string; name: string }) => p.in === 'query' && p.name === name,
      );
    expect(query('/exports/{dataset}', 'format').schema.enum).toEqual(['csv', 'ndjson']);
    expect(query('/influence', 'groupBy').schema.enum).toContain('all');
    expect(query('/proposals', 'minPosition')).toBeDefined();
    expect(query('/audit/inclusion', 'position').required).toBe(true);
    expect(doc.paths['/admin/projections/{name}/rebuild'].post['x-roles']).toEqual(['admin']);
    expect(doc.paths['/healthz'].servers).toEqual([{ url: '/' }]);
  });

  test('/docs is Swagger UI, served from node_modules by this server', async () => {
    const page = await request(t.app).get('/docs');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    const bundle = await request(t.app).get('/docs/swagger-ui-bundle.js');
    expect([bundle.status, bundle.headers['content-type']]).toEqual([
      200,
      'application/javascript; charset=utf-8',
    ]);
    expect(bundle.text).toContain('SwaggerUIBundle');
    const css = await request(t.app).get('/docs/swagger-ui.css');
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
  });

  test('/docs serves its files only: any other name, or a way out of the folder, is a 404 problem', async () => {
    for (const name of [
      'package.json',
      'index.html',
      'swagger-ui-bundle.js.map',
      '..%2f..%2fpackage.json',
      '%2e%2e',
      '..%5cREADME.md',
      'docs.js%00.css',
      'x'.repeat(5000),
    ]) {
      const res = await request(t.app).get(`/docs/${name}`);
      expect([name, res.status, res.headers['content-type']]).toEqual([
        name,
        404,
        'application/problem+json; charset=utf-8',
      ]);
      // The problem names the file asked for; none of the folder's content comes with it.
      expect(res.text).not.toMatch(/SwaggerUIBundle|"devDependencies"|"mappings"|<html/);
    }
  });

  test('every schema in the document is valid JSON Schema 2020-12 (ajv, strict)', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    const schemas: Array<[string, unknown]> = [];
    const collect = (where: string, value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      for (const [key, inner] of Object.entries(value)) {
        if ((key === 'schema' || key === 'x-itemSchema') && !('$ref' in (inner as object)))
          schemas.push([`${where}.${key}`, inner]);
        else collect(`${where}.${key}`, inner);
      }
    };
    collect('paths', doc.paths);
    schemas.push(['components.schemas.Problem', doc.components.schemas.Problem]);
    expect(schemas.length).toBeGreaterThan(100);
    const invalid = schemas.flatMap(([where, schema]) => {
      try {
        ajv.compile(schema as object);
        return [];
      } catch (error) {
        return [`${where}: ${(error as Error).message}`];
      }
    });
    expect(invalid).toEqual([]);
  });
});
