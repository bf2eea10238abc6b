/** GET /exports (the data dictionary) and GET /exports/:dataset (evaluators: pseudonymised research exports). */
import { Router } from 'express';
import { z } from 'zod';
import { dataDictionary, datasets } from '../../exports/datasets';
import { writeExport } from '../../exports/writeExport';
import type { Pseudonyms } from '../../privacy/pseudonyms';
import type { EventStore } from '../../store/eventStore';
import type { ProjectionRunner } from '../../views/projectionRunner';
import { serve, type Operation } from '../operation';
import { problems } from '../problem';
import { resolveAsOf } from '../../views/asOf';
import { asOf, parseQuery } from '../queryParams';
import { dataDictionaryAnswer } from '../schemas/exports';

const exportQuery = z.strictObject({
  format: z.enum(['csv', 'ndjson']).default('csv').describe('the file format'),
  asOf: asOf.optional().describe('global position (or -1), or RFC 3339 timestamp with Z or an offset'),
});

const getDataDictionary: Operation = {
  method: 'get',
  path: '/exports',
  operationId: 'getDataDictionary',
  tag: 'Exports',
  summary: 'Data dictionary of the research exports: every dataset with its columns',
  access: ['evaluator'],
  answer: {
    status: 200,
    description: 'The datasets and how persons are pseudonymised',
    schema: dataDictionaryAnswer,
  },
};
const getExport: Operation = {
  method: 'get',
  path: '/exports/:dataset',
  operationId: 'getExport',
  tag: 'Exports',
  summary: 'A research export (pseudonymised), as of a position',
  description: `Datasets: ${Object.keys(datasets).join(', ')}. Sent as an attachment named after the dataset and the position; X-Ledger-Position says which position it reflects. Person ids are HMAC-SHA-256 pseudonyms; names never appear.`,
  access: ['evaluator'],
  params: z.strictObject({ dataset: z.enum(Object.keys(datasets)) }),
  query: exportQuery,
  answer: {
    status: 200,
    description: 'The rows: CSV with a header line (format=csv) or one JSON object per line (format=ndjson)',
    contentType: 'text/csv',
    otherContentTypes: ['application/x-ndjson'],
    headers: ['X-Ledger-Position', 'Content-Disposition'],
  },
  problems: [404],
};

export const exportOperations: Operation[] = [getDataDictionary, getExport];

export function exportsRouter(deps: {
  runner: ProjectionRunner;
  store: EventStore;
  pseudonyms: Pseudonyms;
}): Router {
  const router = Router();

  serve(router, getDataDictionary, (_req, res) => {
    res.json({
      datasets: dataDictionary(),
      pseudonymisation: 'person ids are HMAC-SHA-256 pseudonyms, stable across exports; names never appear',
    });
  });

  serve(router, getExport, async (req, res) => {
    const dataset = datasets[String(req.params.dataset)];
    if (!dataset || !Object.hasOwn(datasets, String(req.params.dataset))) {
      throw problems.notFound(`There is no dataset "${String(req.params.dataset)}"; see GET /api/v1/exports`);
    }
    const query = parseQuery(exportQuery, req.query);
    const at = await resolveAsOf(deps.store, query.asOf, new Date());
    const head = await deps.store.headPosition();
    const position = Math.min(at.position ?? head, head);
    const format = query.format;
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${dataset.name}-at-${position}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
    );
    res.setHeader('X-Ledger-Position', String(position));
    await writeExport(
      dataset,
      format,
      { runner: deps.runner, store: deps.store, pseudonyms: deps.pseudonyms, position, date: at.date },
      res,
    );
    res.end();
  });
  return router;
}
