/** Operator routes: each view's checkpoint, lag and state, and rebuilding a view from the log. */
import { Router } from 'express';
import { requireRole } from '../auth';
import { problems } from '../problem';
import type { ProjectionRunner } from '../../views/projectionRunner';

export function adminRouter(deps: { runner: ProjectionRunner }): Router {
  const router = Router();
  router.use('/admin', requireRole('admin'));

  router.get('/admin/projections', (_req, res) => {
    res.json({ checkpoint: deps.runner.checkpoint(), views: deps.runner.report() });
  });

  router.post('/admin/projections/:name/rebuild', async (req, res) => {
    const name = String(req.params.name);
    if (!deps.runner.names.includes(name)) {
      throw problems.notFound(`There is no view named "${name}"; views: ${deps.runner.names.join(', ')}`);
    }
    if (deps.runner.report().find((v) => v.name === name)?.state === 'rebuilding') {
      throw problems.conflict(`The view "${name}" is already being rebuilt`);
    }
    const { events, seconds } = await deps.runner.rebuild(name);
    const view = deps.runner.report().find((v) => v.name === name);
    res.json({
      name,
      rebuilt: true,
      events,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : null,
      view,
    });
  });
  return router;
}
