/** POST routes for every command (API.md "Commands"): parse, execute through the command service, answer. */
import { Router, type Request, type RequestHandler } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { CommandService } from '../../application/commandService';
import { IdempotencyStore, type StoredResponse } from '../../application/idempotency';
import { idFromScope } from '../../application/idempotentIds';
import { commandSpecs } from '../../domain/commands';
import { eventDataSchemas, Id, parseStreamId, type StreamCategory } from '../../domain/events';
import { jsonBody } from '../jsonBody';
import { pathId } from '../queryParams';
import { serve, type Operation } from '../operation';
import { auditTrailProblem, problems, zodErrors } from '../problem';
import { commandRoutes, type CommandRoute } from './commandRoutes';

export interface CommandRouterDeps {
  commands: CommandService;
  idempotency: IdempotencyStore;
  /** True while the audit trail does not hold together: commands are then refused (503) before anything is read. */
  writesPaused?: () => boolean;
  /**
   * Set on a replica: the writer's base URL. Every command is then answered 421 naming it, after the role check (so
   * 401 and 403 are the same on every instance) and before the body is read (a replica parses nothing it won't use).
   */
  writerUrl?: string | undefined;
}

/** The body schema a route accepts: the command's body, plus an optional client-chosen `id` on creating routes. */
export function bodySchemaOf(route: CommandRoute): z.ZodObject {
  const body = commandSpecs[route.command].body as z.ZodObject;
  return route.creates
    ? body.extend({ id: Id.optional().describe('client-chosen id; the server picks one if absent') })
    : body;
}

/** What every command answers: the record's id and where its event landed. */
const recorded = z.strictObject({
  id: Id.describe(
    'the id of what was recorded: the record created, the decision or referral added, else the record changed',
  ),
  streamId: z.string().describe('the stream appended to: <category>-<uuid>'),
  streamRevision: z.number().int().min(0).describe('the stream revision after the append (also the ETag)'),
  globalPosition: z.number().int().min(0).describe('the global position of the last event appended'),
});
const closed = eventDataSchemas.VoteClosed.shape;
/** CloseVote also answers what the server computed. */
const voteClosedAnswer = recorded.extend({
  tally: closed.tally,
  eligible: closed.eligible,
  result: closed.result,
});

/** The operation a command route serves, for the router and the API document alike. */
function operationOf(route: CommandRoute, body: z.ZodObject): Operation {
  return {
    method: 'post',
    path: route.path,
    operationId: route.operationId,
    tag: route.tag,
    summary: route.summary,
    access: ['clerk'],
    body,
    answer: {
      status: 201,
      description:
        'Recorded. ETag is the stream revision, Location the record it wrote to. A repeated Idempotency-Key with the same body answers 200 with the first answer and Idempotent-Replayed: true.',
      schema: route.command === 'CloseVote' ? voteClosedAnswer : recorded,
      headers: ['ETag', 'Location'],
    },
    // 404 an unknown id, 409 a state or revision conflict, 413 a body over 1 MB, 421 on a replica, 422 a broken rule
    // or a reused Idempotency-Key, 503 while the audit trail needs an operator.
    problems: [404, 409, 413, 421, 422, 503],
    headers: ['If-Match', 'Idempotency-Key'],
  };
}

const served = commandRoutes.map((route) => {
  const body = bodySchemaOf(route);
  return { route, body, operation: operationOf(route, body) };
});

/** Every command route as an Operation (src/http/operation.ts), in the order of commandRoutes. */
export const commandOperations: Operation[] = served.map((s) => s.operation);

/** Where each stream category's records are read (API.md "Reads"), for the Location of what a command wrote. */
const readPathOf: Record<StreamCategory, string> = {
  arena: 'arenas',
  'political-body': 'political-bodies',
  person: 'persons',
  committee: 'committees',
  process: 'processes',
  meeting: 'meetings',
  proposal: 'proposals',
  vote: 'votes',
};

/** The read address of the record a stream holds: `proposal-<id>` → `/api/v1/proposals/<id>`. */
export function locationOf(streamId: string): string {
  const stream = parseStreamId(streamId);
  if (!stream) throw new Error(`${streamId} is not a stream id`);
  return `/api/v1/${readPathOf[stream.category]}/${stream.id}`;
}

const IF_MATCH = /^\s*(?:W\/)?"?(-?\d{1,15})"?\s*$/;

function expectedRevisionOf(req: Request): number | undefined {
  const header = req.header('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const m = IF_MATCH.exec(header);
  if (!m) throw problems.badRequest('If-Match must be a stream revision in quotes, e.g. If-Match: "3"');
  return Number(m[1]);
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw problems.badRequest('Idempotency-Key must be 1–255 visible ASCII characters');
  }
  return key;
}

export function commandRouter(deps: CommandRouterDeps): Router {
  const router = Router();
  // Before the body is read: while the audit trail is broken nothing is recorded, so nothing needs parsing.
  const writerUrl = deps.writerUrl;
  const writesAllowed: RequestHandler =
    writerUrl === undefined
      ? (_req, _res, next) => {
          next(deps.writesPaused?.() ? auditTrailProblem() : undefined);
        }
      : (_req, _res, next) => {
          next(problems.notTheWriter(writerUrl));
        };
  for (const { route, body: schema, operation } of served) {
    serve(router, operation, writesAllowed, ...jsonBody, async (req, res) => {
      const ids: Record<string, string> = {};
      for (const [param, field] of Object.entries(route.params)) {
        ids[field] = pathId(req.params[param], field.replace(/Id$/, ''));
      }
      if (
        req.body === undefined ||
        req.body === null ||
        typeof req.body !== 'object' ||
        Array.isArray(req.body)
      ) {
        throw problems.badRequest('The request body must be a JSON object (Content-Type: application/json)');
      }
      const parsed = schema.safeParse(req.body);
      if (!parsed.success)
        throw problems.badRequest('The request body does not match the schema', zodErrors(parsed.error));
      const { id: clientId, ...fields } = parsed.data as { id?: string } & Record<string, unknown>;
      const input: Record<string, unknown> = { ...fields, ...ids };
      const expectedRevision = expectedRevisionOf(req);
      const key = idempotencyKeyOf(req);
      const caller = req.caller ?? { role: 'anonymous', principal: 'anonymous' };
      const scope =
        key === undefined ? undefined : IdempotencyStore.scopeOf(caller.principal, `POST ${req.path}`, key);
      // Under an Idempotency-Key the id of what is created follows from the key, so a resend names the same record.
      if (route.creates)
        input[route.creates] =
          clientId ?? (scope === undefined ? uuidv7() : idFromScope(scope, 'created id'));

      const execute = async (): Promise<StoredResponse> => {
        // Again at the last moment: the trail may have been found broken while the body arrived.
        if (deps.writesPaused?.()) throw auditTrailProblem();
        const result = await deps.commands.execute(route.command, input, {
          actor: { principal: caller.principal, role: caller.role },
          correlationId: String(req.id),
          causationId: null,
          expectedRevision,
          ...(scope !== undefined && { idempotencyScope: scope }),
        });
        const body: Record<string, unknown> = {
          id: input[route.idField],
          streamId: result.streamId,
          streamRevision: result.streamRevision,
          globalPosition: result.globalPosition,
        };
        const closed = result.events.find((e) => e.type === 'VoteClosed');
        if (closed?.type === 'VoteClosed') {
          body.tally = closed.data.tally;
          body.eligible = closed.data.eligible;
          body.result = closed.data.result;
        }
        return {
          status: 201,
          body,
          headers: { ETag: `"${result.streamRevision}"`, Location: locationOf(result.streamId) },
        };
      };

      let response: StoredResponse;
      let replayed = false;
      if (scope === undefined) response = await execute();
      else {
        const outcome = await deps.idempotency.run(scope, IdempotencyStore.hashRequest(req.body), execute);
        if (outcome.kind === 'mismatch') {
          throw problems.unprocessable(
            'idempotency-key-reused',
            'This Idempotency-Key was already used with a different request body; use a new key for a new request',
          );
        }
        response = outcome.response;
        replayed = outcome.kind === 'replay';
      }
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.status(replayed ? 200 : response.status).json(response.body);
    });
  }
  return router;
}
