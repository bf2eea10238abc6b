/**
 * What the whole page shares: where the reader is (the URL, which carries the page and the ledger point so a view
 * can be linked and cited), the language, the tab's token, and the ledger's live head. A small observable per
 * piece; components read them through `useObservable`.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from './messages';

export class Observable<T> {
  private readonly listeners = new Set<(value: T) => void>();
  constructor(private current: T) {}
  get value(): T {
    return this.current;
  }
  set(value: T): void {
    if (Object.is(value, this.current)) return;
    this.current = value;
    for (const listener of [...this.listeners]) listener(value);
  }
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Names the window after what the page shows while it shows it. */
export function usePageTitle(title: string | null | undefined): void {
  useEffect(() => {
    pageTitle.set(title ?? null);
    return () => pageTitle.set(null);
  }, [title]);
}

export function useObservable<T>(observable: Observable<T>): T {
  const [value, setValue] = useState(observable.value);
  useEffect(() => {
    setValue(observable.value);
    return observable.subscribe(setValue);
  }, [observable]);
  return value;
}

// ---------- the location ----------

export type Page =
  | { name: 'overview' }
  | { name: 'committees' }
  | { name: 'committee'; id: string }
  | { name: 'participation' }
  | { name: 'proposals' }
  | { name: 'proposal'; id: string }
  | { name: 'notFound' };

/**
 * The ledger point every view is read at: now (following live), a global position or a recorded time (`asOf`), or a
 * business date (`validAt`, once the service offers it).
 */
export type LedgerPoint =
  { kind: 'now' } | { kind: 'asOf'; value: string } | { kind: 'validAt'; value: string };

export interface Place {
  page: Page;
  point: LedgerPoint;
  /** The page's own parameters (filters, cursor, grouping). */
  params: URLSearchParams;
}

const ID = '[0-9A-Za-z-]{1,64}';
const routes: Array<[RegExp, (m: RegExpExecArray) => Page]> = [
  [/^\/$/, () => ({ name: 'overview' })],
  [/^\/committees\/?$/, () => ({ name: 'committees' })],
  [new RegExp(`^/committees/(${ID})$`), (m) => ({ name: 'committee', id: m[1] as string })],
  [/^\/participation\/?$/, () => ({ name: 'participation' })],
  [/^\/proposals\/?$/, () => ({ name: 'proposals' })],
  [new RegExp(`^/proposals/(${ID})$`), (m) => ({ name: 'proposal', id: m[1] as string })],
];

/** Parameters that belong to the ledger point or the language rather than to one page. */
const SHARED = ['asOf', 'validAt', 'lang'];

export function placeOf(url: URL): Place {
  let page: Page = { name: 'notFound' };
  for (const [pattern, make] of routes) {
    const m = pattern.exec(url.pathname);
    if (m) {
      page = make(m);
      break;
    }
  }
  const q = url.searchParams;
  const validAt = q.get('validAt');
  const asOf = q.get('asOf');
  const point: LedgerPoint = validAt
    ? { kind: 'validAt', value: validAt }
    : asOf
      ? { kind: 'asOf', value: asOf }
      : { kind: 'now' };
  const params = new URLSearchParams(q);
  for (const name of SHARED) params.delete(name);
  return { page, point, params };
}

export const place = new Observable<Place>(placeOf(new URL(window.location.href)));

/**
 * A link within the dashboard: the path and its own parameters, keeping the ledger point and language of the
 * current URL unless told otherwise.
 */
export function hrefTo(
  path: string,
  params: Record<string, string | null | undefined> = {},
  point: LedgerPoint = place.value.point,
): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) q.set(name, value);
  if (point.kind !== 'now') q.set(point.kind, point.value);
  const lang = new URL(window.location.href).searchParams.get('lang');
  if (lang) q.set('lang', lang);
  const query = q.toString();
  return query ? `${path}?${query}` : path;
}

export function navigate(href: string, replace = false): void {
  const url = new URL(href, window.location.href);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  place.set(placeOf(url));
  if (!replace) window.scrollTo(0, 0);
}

/** Same-page links are followed without a reload; modified clicks (new tab …) are left to the browser. */
export function followLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    // A link to a place on this page (the skip link) is the browser's to follow: it moves focus there.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search)
      return;
    event.preventDefault();
    navigate(url.href);
  });
  window.addEventListener('popstate', () => place.set(placeOf(new URL(window.location.href))));
}

/** The name of what the page shows (a proposal's title, a committee's name), for the window title; null: none. */
export const pageTitle = new Observable<string | null>(null);

// ---------- language and token ----------

function initialLang(): Lang {
  const fromUrl = new URL(window.location.href).searchParams.get('lang');
  if (fromUrl === 'nb' || fromUrl === 'en') return fromUrl;
  const saved = window.localStorage.getItem('ledger.lang');
  return saved === 'en' ? 'en' : 'nb';
}

export const lang = new Observable<Lang>(initialLang());
lang.subscribe((value) => {
  window.localStorage.setItem('ledger.lang', value);
  document.documentElement.lang = value;
  const url = new URL(window.location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', value);
    window.history.replaceState(null, '', url);
  }
});

/** The token lives in sessionStorage: this tab only, gone when it closes (issue 10 §6). */
export const token = new Observable<string | null>(window.sessionStorage.getItem('ledger.token'));
token.subscribe((value) => {
  if (value) window.sessionStorage.setItem('ledger.token', value);
  else window.sessionStorage.removeItem('ledger.token');
});

// ---------- the live head ----------

export interface LiveState {
  status: 'connecting' | 'live' | 'reconnecting' | 'off';
  /** The last position the live feed announced (−1: none yet). */
  head: number;
  /** Categories (stream kinds) of the events announced since the views last loaded, with their last position. */
  changed: { position: number; categories: Set<string> };
}

export const live = new Observable<LiveState>({
  status: 'connecting',
  head: -1,
  changed: { position: -1, categories: new Set() },
});
