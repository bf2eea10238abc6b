/** GET /exports (the data dictionary) and GET /exports/:dataset (evaluators: pseudonymised research exports). */
import { Router } from 'express';
import { z } from 'zod';
import { dataDictionary, datasets } from '../../exports/datasets';
import { writeExport } from '../../exports/writeExport';
import type { Pseudonyms } from '../../privacy/pseudonyms';
import type { EventStore } from '../../store/eventStore';
import type { ProjectionRunner } from '../../views/projectionRunner';
import { requireRole } from '../auth';
import { problems } from '../problem';
import { resolveAsOf } from '../../views/asOf';
import { asOf, parseQuery } from '../queryParams';

const exportQuery = z.strictObject({
  format: z.enum(['csv', 'ndjson']).default('csv'),
  asOf: asOf.optional(),
});

export function exportsRouter(deps: {
  runner: ProjectionRunner;
  store: EventStore;
  pseudonyms: Pseudonyms;
}): Router {
  const router = Router();
  router.use('/exports', requireRole('evaluator'));

  router.get('/exports', (_req, res) => {
    res.json({
      datasets: dataDictionary(),
      pseudonymisation: 'person ids are HMAC-SHA-256 pseudonyms, stable across exports; names never appear',
    });
  });

  router.get('/exports/:dataset', async (req, res) => {
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
