/** Operator routes: each view's checkpoint, lag and state, and rebuilding a view from the log. */
import { Router } from 'express';
import { z } from 'zod';
import { serve, type Operation } from '../operation';
import { problems } from '../problem';
import { projectionsAnswer, rebuildAnswer } from '../schemas/admin';
import type { ProjectionRunner } from '../../views/projectionRunner';

const listProjections: Operation = {
  method: 'get',
  path: '/admin/projections',
  operationId: 'listProjections',
  tag: 'Admin',
  summary: "Each view's checkpoint, lag and state",
  access: ['admin'],
  answer: {
    status: 200,
    description: 'The views and the lowest checkpoint among them',
    schema: projectionsAnswer,
  },
};
const rebuildProjection: Operation = {
  method: 'post',
  path: '/admin/projections/:name/rebuild',
  operationId: 'rebuildProjection',
  tag: 'Admin',
  summary: 'Rebuild a view from the log',
  description: 'Replays the whole log into the view afresh; answers when the rebuild is done. Takes no body.',
  access: ['admin'],
  params: z.strictObject({ name: z.string().describe('a view name, as GET /admin/projections lists them') }),
  answer: {
    status: 200,
    description: 'The rebuild done: events replayed, time taken, the view now',
    schema: rebuildAnswer,
  },
  problems: [404, 409],
};

export const adminOperations: Operation[] = [listProjections, rebuildProjection];

export function adminRouter(deps: { runner: ProjectionRunner }): Router {
  const router = Router();

  serve(router, listProjections, (_req, res) => {
    res.json({ checkpoint: deps.runner.checkpoint(), views: deps.runner.report() });
  });

  serve(router, rebuildProjection, async (req, res) => {
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
