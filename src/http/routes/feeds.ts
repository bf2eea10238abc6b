/**
 * The event feeds for evaluators (API.md): the log as NDJSON pages, a live Server-Sent Events feed that resumes
 * with Last-Event-ID, and one stream's events. Personal data stays in its encrypted form. Admins get the envelopes
 * exactly as stored, each what its leaf hash is computed from (API.md "Leaf hash"); evaluators get them with person
 * ids pseudonymised (API.md "Who sees what"), and verify events through the leaf texts of a trace.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { PersonDirectory } from '../../privacy/personDirectory';
import type { EventStore, RecordedEvent } from '../../store/eventStore';
import type { Logger } from '../../logger';
import { requireRole } from '../auth';
import { problems } from '../problem';
import { parseQuery, wholeNumber } from '../queryParams';

export interface FeedsRouterDeps {
  store: EventStore;
  people: PersonDirectory;
  /** Aborted when the server shuts down: live feeds end then, or they would hold the server open. */
  shutdown?: AbortSignal;
  logger?: Logger;
  /** Interval of the SSE comment that keeps proxies from closing an idle feed (default 15 s). */
  heartbeatMs?: number;
  /** Live feeds open at once per token and in all (config `liveFeeds`). */
  liveFeedCaps: { perToken: number; total: number };
}

/** A live feed's place among the open ones: given back when the feed ends; `end` is how shutdown ends it. */
interface LiveFeedSlot {
  end?: () => void;
  release(): void;
}

/**
 * The live feeds open now, counted per token and in all against their caps. Shutdown ends them all through one
 * listener on the shutdown signal: one listener per feed would pile up on it.
 */
class OpenLiveFeeds {
  private readonly slots = new Set<LiveFeedSlot>();
  private readonly perPrincipal = new Map<string, number>();

  constructor(
    private readonly caps: { perToken: number; total: number },
    private readonly shutdown?: AbortSignal,
  ) {
    shutdown?.addEventListener('abort', () => [...this.slots].forEach((slot) => slot.end?.()), {
      once: true,
    });
  }

  /** A slot for a new feed of the principal, or the problem that refuses it. */
  admit(principal: string): LiveFeedSlot {
    if (this.shutdown?.aborted) throw problems.unavailable('The service is shutting down');
    const mine = this.perPrincipal.get(principal) ?? 0;
    if (mine >= this.caps.perToken) {
      throw problems.tooManyLiveFeeds(
        `This token has ${mine} live feeds open, the most it may have at once; close one to open another`,
      );
    }
    if (this.slots.size >= this.caps.total) {
      throw problems.unavailable(
        `The server has ${this.slots.size} live feeds open, the most it serves at once; try again later`,
        30,
      );
    }
    this.perPrincipal.set(principal, mine + 1);
    const slot: LiveFeedSlot = {
      release: () => {
        if (!this.slots.delete(slot)) return;
        const left = (this.perPrincipal.get(principal) ?? 1) - 1;
        if (left > 0) this.perPrincipal.set(principal, left);
        else this.perPrincipal.delete(principal);
      },
    };
    this.slots.add(slot);
    return slot;
  }
}

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
/** NDJSON is written in chunks of about this many characters: one write per line would cost a syscall each. */
const CHUNK_CHARS = 64 * 1024;
const STREAM_ID = /^[\x21-\x7e]{1,200}$/;

const pageQuery = z.object({
  from: wholeNumber.optional(),
  limit: wholeNumber
    .refine((n) => n >= 1 && n <= MAX_LIMIT, { message: `must be between 1 and ${MAX_LIMIT}` })
    .optional(),
});
const liveQuery = z.object({ from: wholeNumber.optional() });

export function feedsRouter({
  store,
  people,
  shutdown,
  logger,
  heartbeatMs = 15_000,
  liveFeedCaps,
}: FeedsRouterDeps): Router {
  const router = Router();
  const liveFeeds = new OpenLiveFeeds(liveFeedCaps, shutdown);
  /** The caller's rendering of an event (the routes let only evaluators and admins in). */
  const shownTo = (req: Request) => {
    const audience = req.caller?.role ?? 'anonymous';
    return (event: RecordedEvent) => people.event(event, audience);
  };

  router.get('/events', requireRole('evaluator'), async (req, res) => {
    const query = parseQuery(pageQuery, req.query);
    const shown = shownTo(req);
    res.status(200).type('application/x-ndjson');
    let chunk = '';
    for await (const event of store.readAll(query.from ?? 0, { limit: query.limit ?? DEFAULT_LIMIT })) {
      chunk += `${JSON.stringify(shown(event))}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        if (!(await write(res, chunk))) return; // the client left
        chunk = '';
      }
    }
    res.end(chunk);
  });

  router.get('/events/live', requireRole('evaluator'), async (req, res) => {
    const query = parseQuery(liveQuery, req.query);
    const shown = shownTo(req);
    const from = resumeFrom(req.header('last-event-id')) ?? query.from ?? (await store.headPosition()) + 1;
    // Refused before anything is written, so the caller gets a problem rather than an empty stream.
    const slot = liveFeeds.admit(req.caller?.principal ?? 'anonymous');
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx would otherwise hold events back in its buffer
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');

    let ended = false;
    const subscription = store.subscribe(from, async (message) => {
      if (ended) return;
      if (message.kind === 'caughtUp') res.write(`: caught up at ${message.position}\n\n`);
      else await write(res, sseEvent(shown(message.event)));
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      slot.release();
      void subscription.close();
      res.end();
    };
    slot.end = end;
    res.on('close', end); // the client went away
    if (res.destroyed) end(); // … already, while the head position was read
    subscription.done.then(end, (error: unknown) => {
      logger?.error({ err: error }, 'live event feed failed');
      end();
    });
  });

  router.get('/streams/:streamId', requireRole('evaluator'), async (req, res) => {
    const streamId = String(req.params.streamId);
    const events = STREAM_ID.test(streamId) ? await store.readStream(streamId) : [];
    if (events.length === 0)
      throw problems.notFound(`There is no stream ${JSON.stringify(streamId.slice(0, 200))}`);
    const shown = shownTo(req);
    res.json({ streamId: events[0] ? shown(events[0]).streamId : streamId, events: events.map(shown) });
  });

  return router;
}

/** Last-Event-ID names the last event the client has: resume after it. A malformed one is a 400. */
function resumeFrom(lastEventId: string | undefined): number | undefined {
  if (lastEventId === undefined) return undefined;
  const parsed = wholeNumber.safeParse(lastEventId.trim());
  if (!parsed.success) {
    throw problems.badRequest('Last-Event-ID must be the global position of an event', [
      { path: 'Last-Event-ID', message: 'must be a whole number ≥ 0' },
    ]);
  }
  return parsed.data + 1;
}

function sseEvent(event: RecordedEvent): string {
  // A line break would end the field early; event types have none, but the type comes from the store.
  const type = event.type.replace(/[\r\n]/g, ' ');
  return `id: ${event.globalPosition}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Writes, waiting for the socket to drain when its buffer is full; false when the client has gone. */
function write(res: Response, text: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(text)) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const drained = (): void => settle(true);
    const closed = (): void => settle(false);
    function settle(ok: boolean): void {
      res.off('drain', drained);
      res.off('close', closed);
      resolve(ok);
    }
    res.once('drain', drained);
    res.once('close', closed);
  });
}
