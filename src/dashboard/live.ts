/**
 * Following the ledger while the page is open (issue 10 §8). Readers with an evaluator token follow
 * `/events/live`; everyone else the public `/positions/live`, which says only that the ledger moved and in which
 * kind of stream. Both are Server-Sent Events read through fetch (EventSource cannot send a token), resumed after
 * the last position seen with `Last-Event-ID` when the connection drops.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { authHeaders } from './api';
import { live, token } from './state';

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

function categoryOf(message: EventSourceMessage): string | null {
  try {
    const data = JSON.parse(message.data) as { category?: unknown; streamId?: unknown };
    if (typeof data.category === 'string') return data.category;
    if (typeof data.streamId === 'string') {
      // "political-body-<uuid>" → "political-body": the id is the last five dash-separated groups.
      const parts = data.streamId.split('-');
      return parts.length > 5 ? parts.slice(0, -5).join('-') : null;
    }
  } catch {
    // an unreadable message is skipped: the next one moves the head on
  }
  return null;
}

export function followLedger(): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let attempt = 0;
  let lastId: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let switching = false;

  /** Each event is announced on its own: a view decides from its kind whether to reload. */
  const announce = (position: number, category: string | null): void => {
    live.set({
      status: 'live',
      head: Math.max(position, live.value.head),
      changed: { position, categories: new Set(category ? [category] : []) },
    });
  };

  async function connect(): Promise<void> {
    controller = new AbortController();
    const withToken = token.value !== null;
    const path = withToken ? '/api/v1/events/live' : '/api/v1/positions/live';
    const headers: Record<string, string> = {
      Accept: 'text/event-stream',
      ...(withToken ? authHeaders() : {}),
    };
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    const response = await fetch(path, { headers, signal: controller.signal });
    if (withToken && (response.status === 401 || response.status === 403)) {
      // A token that may not read the event feed still reads the public one.
      await response.body?.cancel();
      const fallback = await fetch('/api/v1/positions/live', {
        headers: { Accept: 'text/event-stream', ...(lastId !== null ? { 'Last-Event-ID': lastId } : {}) },
        signal: controller.signal,
      });
      return read(fallback);
    }
    return read(response);
  }

  /** Every kind of stream: after a lost connection, whatever the feed no longer replays may have changed. */
  const EVERY_CATEGORY = [
    'arena',
    'political-body',
    'person',
    'committee',
    'process',
    'meeting',
    'proposal',
    'vote',
  ];

  async function read(response: Response): Promise<void> {
    const resumed = lastId !== null;
    if (!response.ok || !response.body) throw new Error(`live feed answered ${response.status}`);
    const parser = createParser({
      onEvent(message) {
        if (message.id === undefined) return;
        const position = Number(message.id);
        if (!Number.isInteger(position)) return;
        lastId = message.id;
        attempt = 0;
        announce(position, categoryOf(message));
      },
      onComment(comment) {
        const caughtUp = /caught up at (-?\d+)/.exec(comment);
        if (caughtUp) {
          attempt = 0;
          const head = Math.max(live.value.head, Number(caughtUp[1]));
          // A feed without a token resumes only a short way back (feeds.ts): after a drop, every view reloads.
          const changed = resumed
            ? { position: head, categories: new Set(EVERY_CATEGORY) }
            : live.value.changed;
          live.set({ status: 'live', head, changed });
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  }

  function run(): void {
    if (stopped) return;
    connect().then(
      () => retry(),
      () => retry(),
    );
  }

  function retry(): void {
    if (stopped) return;
    if (switching) {
      // Not a lost connection: the reader changed token, so the feed to follow changed.
      switching = false;
      live.set({ ...live.value, status: 'connecting' });
      run();
      return;
    }
    live.set({ ...live.value, status: 'reconnecting' });
    const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 15000;
    attempt += 1;
    timer = setTimeout(run, wait);
  }

  // A new token changes which feed the tab may follow.
  const unsubscribe = token.subscribe(() => {
    switching = true;
    controller?.abort();
  });
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
    controller?.abort();
  };
}
