/** The language of the page as hooks: `t` for messages, `code` for code labels, numbers and dates. */
import {
  codeLabel,
  formatDate,
  formatInstant,
  formatMonth,
  formatNumber,
  hasMessage,
  message,
  type CodeList,
  type Lang,
  type MessageKey,
} from './messages';
import { lang, useObservable } from './state';

export interface Words {
  lang: Lang;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** Whether the catalogue has the key (for keys made from data, such as an event type). */
  has(key: string): key is MessageKey;
  code(list: CodeList, value: string | null | undefined): string;
  num(n: number, digits?: number): string;
  date(isoDate: string | null | undefined): string;
  /** A recorded instant, to the minute. */
  instant(iso: string): string;
  /** A month, YYYY-MM. */
  month(month: string): string;
  /** A ledger point as a reader reads it: "position 5 000" or a recorded time. */
  point(value: string): string;
  /** A proposal's influence class in words; a proposal withdrawn while referred awaits nothing any more. */
  influence(p: { influence: string; stage: string }): string;
}

export function wordsFor(l: Lang): Words {
  return {
    lang: l,
    t: (key, vars) => message(l, key, vars),
    has: (key): key is MessageKey => hasMessage(key),
    code: (list, value) => codeLabel(l, list, value),
    num: (n, digits) => formatNumber(l, n, digits),
    date: (d) => (d ? formatDate(l, d) : '–'),
    instant: (iso) => formatInstant(l, iso),
    month: (m) => formatMonth(l, m),
    point: (value) =>
      /^-?\d+$/.test(value)
        ? message(l, 'common.position', { n: formatNumber(l, Number(value)) })
        : /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? formatDate(l, value)
          : formatInstant(l, value),
    influence: (p) =>
      p.stage === 'withdrawn' && p.influence === 'pending'
        ? message(l, 'influence.withdrawnPending')
        : codeLabel(l, 'influence', p.influence),
  };
}

export function useWords(): Words {
  return wordsFor(useObservable(lang));
}
