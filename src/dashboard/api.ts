/**
 * Reading the ledger's HTTP API (API.md) from the page: every view at the reader's ledger point, with the tab's
 * token when there is one, refreshed when the live feed announces events of the kinds the view is made of.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { live, Observable, place, token, useObservable, type LedgerPoint } from './state';

/** An RFC 9457 problem the API answered, or a network failure (status 0). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail || title);
  }
}

export type Query = Record<string, string | number | null | undefined>;

export function apiUrl(path: string, query: Query = {}, point: LedgerPoint | null = null): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== null && value !== undefined && value !== '') q.set(name, String(value));
  if (point && point.kind !== 'now') q.set(point.kind, point.value);
  const s = q.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

export function authHeaders(): Record<string, string> {
  const t = token.value;
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Set when the server refused the tab's token: the token is dropped and the reader told (tokenPanel.tsx). */
export const tokenRejected = new Observable<boolean>(false);

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json', ...authHeaders() }, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiProblem(0, 'Network error', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 401 && token.value !== null) {
    // The server no longer knows the token (revoked, or the server restarted with other tokens): read on without it.
    tokenRejected.set(true);
    token.set(null);
  }
  if (!response.ok) {
    let title = response.statusText;
    let detail = '';
    try {
      const problem = (await response.json()) as { title?: unknown; detail?: unknown };
      if (typeof problem.title === 'string') title = problem.title;
      if (typeof problem.detail === 'string') detail = problem.detail;
    } catch {
      // not a problem document: the status says enough
    }
    throw new ApiProblem(response.status, title, detail);
  }
  return (await response.json()) as T;
}

// ---------- how far behind the views on screen are ----------

interface ShownView {
  /** The position the view's answer reflects. */
  position: number;
  /** The last announced position of an event of a kind the view is made of. */
  wanted: number;
}

const shown = new Map<number, ShownView>();
let nextViewId = 0;

/** Events the views on screen have not taken in yet (0 when they are current). */
export const behindBy = new Observable<number>(0);
/** The position the page's views reflect (the latest answer's), shown beside the ledger point. */
export const reflected = new Observable<number | null>(null);

function updateBehind(): void {
  let most = 0;
  for (const view of shown.values()) most = Math.max(most, view.wanted - view.position);
  behindBy.set(most);
}

export interface ViewAnswer<T> {
  data: T | null;
  error: ApiProblem | null;
  loading: boolean;
  reload(): void;
}

/** Stream kinds (the part of a stream id before its id) every view depends on: the live feed's `category`. */
export type Category =
  'arena' | 'political-body' | 'person' | 'committee' | 'process' | 'meeting' | 'proposal' | 'vote';

/**
 * One view of the API at the reader's ledger point. Reloads when the path, query, point or token change; while the
 * point is "now", also when the live feed announces an event of one of `categories`, asking with `minPosition` so
 * the answer includes it. The previous answer stays on screen while the next loads.
 */
export function useView<T extends { position: number }>(
  path: string | null,
  query: Query,
  categories: readonly Category[],
): ViewAnswer<T> {
  const { point } = useObservable(place);
  const tab = useObservable(token);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const idRef = useRef(nextViewId++);
  const minPosition = useRef<number | null>(null);
  const lastKey = useRef<string | null>(null);
  const key = path === null ? null : apiUrl(path, query, point);

  useEffect(() => {
    if (key === null) return;
    // A live refresh asks for the announced position; a new question starts afresh.
    if (lastKey.current !== key) {
      lastKey.current = key;
      minPosition.current = null;
    }
    const controller = new AbortController();
    const url =
      minPosition.current === null
        ? key
        : `${key}${key.includes('?') ? '&' : '?'}minPosition=${minPosition.current}`;
    setLoading(true);
    getJson<T>(url, controller.signal).then(
      (answer) => {
        setData(answer);
        setError(null);
        setLoading(false);
        const view = shown.get(idRef.current);
        shown.set(idRef.current, {
          position: Math.max(answer.position, view?.position ?? -1),
          wanted: view?.wanted ?? -1,
        });
        reflected.set(answer.position);
        updateBehind();
      },
      (problem: unknown) => {
        if (controller.signal.aborted) return;
        setError(problem instanceof ApiProblem ? problem : new ApiProblem(0, 'Error', String(problem)));
        // The previous answer was to another question: keeping it beside the error would mislead.
        setData(null);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, tab, tick]);

  // Live refresh: only at "now"; bursts of events (a meeting with many ballots) become one reload.
  const categoriesKey = categories.join(',');
  useEffect(() => {
    if (key === null || point.kind !== 'now') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.subscribe((state) => {
      const relevant = categories.some((c) => state.changed.categories.has(c));
      if (!relevant) return;
      const view = shown.get(idRef.current) ?? { position: -1, wanted: -1 };
      if (state.changed.position <= view.position) return;
      shown.set(idRef.current, { ...view, wanted: state.changed.position });
      updateBehind();
      clearTimeout(timer);
      timer = setTimeout(() => {
        minPosition.current = state.changed.position;
        setTick((n) => n + 1);
      }, 150);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [key, point.kind, categoriesKey]);

  // A view that leaves the page no longer holds the indicator back.
  useEffect(() => {
    const id = idRef.current;
    return () => {
      shown.delete(id);
      updateBehind();
    };
  }, []);

  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}
