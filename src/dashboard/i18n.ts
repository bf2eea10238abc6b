/** The language of the page as hooks: `t` for messages, `code` for code labels, numbers and dates. */
import {
  codeLabel,
  formatDate,
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
}

export function wordsFor(l: Lang): Words {
  return {
    lang: l,
    t: (key, vars) => message(l, key, vars),
    has: (key): key is MessageKey => hasMessage(key),
    code: (list, value) => codeLabel(l, list, value),
    num: (n, digits) => formatNumber(l, n, digits),
    date: (d) => (d ? formatDate(l, d) : '–'),
  };
}

export function useWords(): Words {
  return wordsFor(useObservable(lang));
}
