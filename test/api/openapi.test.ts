import request from 'supertest';
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
      expect(op?.operationId).toBe(route.command);
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
});
