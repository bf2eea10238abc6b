/**
 * The event feeds for evaluators (API.md): the log as NDJSON pages, a live Server-Sent Events feed that resumes
 * with Last-Event-ID, and one stream's events. Personal data stays in its encrypted form. Admins get the envelopes
 * exactly as stored, each what its leaf hash is computed from (API.md "Leaf hash"); evaluators get them with person
 * ids pseudonymised (API.md "Who sees what"), and verify events through the leaf texts of a trace.
 *
 * Beside them, for everyone, the positions feed: the same live mechanics, but each message says only that the
 * ledger moved (position, time recorded, stream category), so that a public dashboard knows when to read again.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { parseStreamId } from '../../domain/events';
import type { PersonDirectory } from '../../privacy/personDirectory';
import type { EventStore, RecordedEvent } from '../../store/eventStore';
import type { Logger } from '../../logger';
import { serve, type Operation } from '../operation';
import { problems } from '../problem';
import { parseQuery, wholeNumber } from '../queryParams';
import { addressOf } from '../rateLimit';
import { envelopeAnswer, positionMessage, streamAnswer } from '../schemas/feeds';

export interface FeedsRouterDeps {
  store: EventStore;
  people: PersonDirectory;
  /** Aborted when the server shuts down: live feeds end then, or they would hold the server open. */
  shutdown?: AbortSignal;
  logger?: Logger;
  /** Interval of the SSE comment that keeps proxies from closing an idle feed (default 15 s). */
  heartbeatMs?: number;
  /**
   * Live feeds open at once per holder and in all (config `liveFeeds`). A holder is a token, or for anonymous
   * callers an address: counted all together, one busy reader would shut every other out.
   */
  liveFeedCaps: { perToken: number; total: number };
}

/** Who a live feed is counted against: a token by its principal, an anonymous caller by its address. */
interface FeedHolder {
  key: string;
  kind: 'token' | 'address';
}

function holderOf(req: Request): FeedHolder {
  const caller = req.caller;
  if (caller === undefined || caller.role === 'anonymous') {
    return { key: `address ${addressOf(req)}`, kind: 'address' };
  }
  return { key: `token ${caller.principal}`, kind: 'token' };
}

/** A live feed's place among the open ones: given back when the feed ends; `end` is how shutdown ends it. */
interface LiveFeedSlot {
  end?: () => void;
  release(): void;
}

/**
 * The live feeds open now (of both kinds), counted per holder and in all against their caps. Shutdown ends them all through one
 * listener on the shutdown signal: one listener per feed would pile up on it.
 */
class OpenLiveFeeds {
  private readonly slots = new Set<LiveFeedSlot>();
  private readonly perHolder = new Map<string, number>();
  private anonymous = 0;

  constructor(
    private readonly caps: { perToken: number; total: number },
    private readonly shutdown?: AbortSignal,
  ) {
    shutdown?.addEventListener('abort', () => [...this.slots].forEach((slot) => slot.end?.()), {
      once: true,
    });
  }

  /** A slot for a new feed of the holder, or the problem that refuses it. */
  admit(holder: FeedHolder): LiveFeedSlot {
    if (this.shutdown?.aborted) throw problems.unavailable('The service is shutting down');
    const mine = this.perHolder.get(holder.key) ?? 0;
    if (mine >= this.caps.perToken) {
      throw problems.tooManyLiveFeeds(
        `This ${holder.kind} has ${mine} live feeds open, the most it may have at once; close one to open another`,
      );
    }
    if (this.slots.size >= this.caps.total) {
      throw problems.unavailable(
        `The server has ${this.slots.size} live feeds open, the most it serves at once; try again later`,
        30,
      );
    }
    // Anonymous feeds may take half the places at most, so a crowd of addresses cannot shut evaluators out.
    const anonymousCap = Math.max(1, Math.floor(this.caps.total / 2));
    if (holder.kind === 'address' && this.anonymous >= anonymousCap) {
      throw problems.unavailable(
        `The server has ${this.anonymous} live feeds open to readers without a token, the most it serves them at once; try again later`,
        30,
      );
    }
    this.perHolder.set(holder.key, mine + 1);
    if (holder.kind === 'address') this.anonymous += 1;
    const slot: LiveFeedSlot = {
      release: () => {
        if (!this.slots.delete(slot)) return;
        if (holder.kind === 'address') this.anonymous -= 1;
        const left = (this.perHolder.get(holder.key) ?? 1) - 1;
        if (left > 0) this.perHolder.set(holder.key, left);
        else this.perHolder.delete(holder.key);
      },
    };
    this.slots.add(slot);
    return slot;
  }
}

/** How far back an anonymous reader's positions feed resumes: enough for a reconnect, not for a replay. */
export const ANONYMOUS_REPLAY = 100;
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
/** NDJSON is written in chunks of about this many characters: one write per line would cost a syscall each. */
const CHUNK_CHARS = 64 * 1024;
const STREAM_ID = /^[\x21-\x7e]{1,200}$/;

const pageQuery = z.object({
  from: wholeNumber.optional().describe('the first global position (default 0)'),
  limit: wholeNumber
    .refine((n) => n >= 1 && n <= MAX_LIMIT, { message: `must be between 1 and ${MAX_LIMIT}` })
    .optional()
    .describe(`1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})`),
});
const liveQuery = z.object({
  from: wholeNumber
    .optional()
    .describe('the first global position to send; Last-Event-ID wins; default: the next'),
});

const sseStream = (what: string) =>
  `Server-Sent Events: \`retry: 3000\`, then one message per event (\`id\` its global position, ${what}), a \`: caught up at <position>\` comment once the replay is done, and a heartbeat comment every 15 s.`;

const readEvents: Operation = {
  method: 'get',
  path: '/events',
  operationId: 'readEvents',
  tag: 'Events',
  summary: 'The log in global order, a page at a time',
  description:
    'Evaluators get person ids pseudonymised, admins the envelopes as stored (each what its leaf hash is computed from).',
  access: ['evaluator'],
  query: pageQuery,
  answer: {
    status: 200,
    description: 'NDJSON: one envelope (DOMAIN.md) per line, in global order',
    contentType: 'application/x-ndjson',
    itemSchema: envelopeAnswer,
  },
};
const followEvents: Operation = {
  method: 'get',
  path: '/events/live',
  operationId: 'followEvents',
  tag: 'Events',
  summary: 'Live feed of new events, resumable with Last-Event-ID',
  description:
    'Capped per token (429 beyond) and in all (503 beyond). Evaluators get person ids pseudonymised, admins the envelopes as stored.',
  access: ['evaluator'],
  query: liveQuery,
  headers: ['Last-Event-ID'],
  answer: {
    status: 200,
    description: sseStream('`event` its type, `data` the envelope as one line of JSON'),
    contentType: 'text/event-stream',
    itemSchema: envelopeAnswer,
  },
  problems: [503],
};
const followPositions: Operation = {
  method: 'get',
  path: '/positions/live',
  operationId: 'followPositions',
  tag: 'Events',
  summary: 'Live feed that the ledger moved, for everyone: position, time recorded and stream category only',
  description: `No ids, event types or data. Resumable with Last-Event-ID; without a token it resumes at most ${ANONYMOUS_REPLAY} events back. Capped per token or, for anonymous callers, per address (429 beyond) and in all (503 beyond).`,
  access: 'anyone',
  query: liveQuery,
  headers: ['Last-Event-ID'],
  answer: {
    status: 200,
    description: sseStream('`event: position`, `data` `{globalPosition, recordedAt, category}`'),
    contentType: 'text/event-stream',
    itemSchema: positionMessage,
  },
  problems: [503],
};
const readStream: Operation = {
  method: 'get',
  path: '/streams/:streamId',
  operationId: 'readStream',
  tag: 'Events',
  summary: "One stream's events",
  description:
    'Evaluators get person ids pseudonymised (a person stream under its pseudonym), admins the envelopes as stored.',
  access: ['evaluator'],
  answer: { status: 200, description: 'The stream and its events in order', schema: streamAnswer },
  problems: [404],
};

export const feedOperations: Operation[] = [readEvents, followEvents, followPositions, readStream];

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

  serve(router, readEvents, async (req, res) => {
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

  /**
   * A live feed: from Last-Event-ID (resumes after it), else `from`, else the head; every event `render`s to one
   * SSE message. Refused (429/503 problem) before anything is written, so the caller gets a problem rather than an
   * empty stream; ends when the client leaves, the subscription ends, or the server shuts down.
   */
  async function serveLiveFeed(
    req: Request,
    res: Response,
    render: (event: RecordedEvent) => string,
    options: { anonymousReplay?: number } = {},
  ): Promise<void> {
    const query = parseQuery(liveQuery, req.query);
    const holder = holderOf(req);
    const head = await store.headPosition();
    let from = resumeFrom(req.header('last-event-id')) ?? query.from ?? head + 1;
    // A reader without a token resumes after a dropped connection, but does not replay the log: a replay dates
    // every event, and with as-of reads that places each support and ballot (docs/security.md).
    if (holder.kind === 'address' && options.anonymousReplay !== undefined)
      from = Math.max(from, head + 1 - options.anonymousReplay);
    const slot = liveFeeds.admit(holder);
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
      else await write(res, render(message.event));
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
      logger?.error({ err: error, path: req.path }, 'live event feed failed');
      end();
    });
  }

  serve(router, followEvents, async (req, res) => {
    const shown = shownTo(req);
    await serveLiveFeed(req, res, (event) => {
      const envelope = shown(event);
      return sseMessage(envelope.globalPosition, envelope.type, envelope);
    });
  });

  serve(router, followPositions, async (req, res) => {
    await serveLiveFeed(
      req,
      res,
      (event) =>
        sseMessage(event.globalPosition, 'position', {
          globalPosition: event.globalPosition,
          recordedAt: event.recordedAt,
          category: parseStreamId(event.streamId)?.category ?? null,
        }),
      { anonymousReplay: ANONYMOUS_REPLAY },
    );
  });

  serve(router, readStream, async (req, res) => {
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

/** One SSE message: `id` (a global position), the event name, and the data as one line of JSON. */
function sseMessage(id: number, name: string, data: unknown): string {
  // A line break would end the field early; event types have none, but the type comes from the store.
  const event = name.replace(/[\r\n]/g, ' ');
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
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
