/** Small pieces every page uses: counts that may be suppressed, loading and error states. */
import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api';
import { useWords } from '../i18n';

/** A count of people: null means suppressed (under 5), shown as "< 5", never as 0. */
export function Count({ n }: { n: number | null | undefined }) {
  const w = useWords();
  if (n === null || n === undefined) return <span class="suppressed">{w.t('common.suppressed')}</span>;
  return <>{w.num(n)}</>;
}

/**
 * A rate as the API gives it: a number in 0…1 or an object with `value` and its parts. A rate whose parts are hidden
 * (a count under 5) reads "< 5" like the counts; one with nothing counted reads "–".
 */
export function Rate({ rate }: { rate: unknown }) {
  const w = useWords();
  if (rate && typeof rate === 'object') {
    const parts = rate as { value?: unknown; numerator?: unknown; denominator?: unknown };
    if (parts.numerator === null || parts.denominator === null)
      return <span class="suppressed">{w.t('common.suppressed')}</span>;
    rate = parts.value;
  }
  if (typeof rate !== 'number') return <>–</>;
  return <>{`${w.num(rate * 100, 1)} %`}</>;
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  const w = useWords();
  return when ? (
    <p class="loading" role="status">
      {w.t('common.loading')}
    </p>
  ) : (
    <>{children}</>
  );
}

export function Problem({ problem, retry }: { problem: ApiProblem | null; retry?: () => void }) {
  const w = useWords();
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <p>{w.t('common.error', { detail: problem.detail || problem.title })}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {w.t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function SuppressionNote({ suppressed }: { suppressed: readonly string[] | undefined }) {
  const w = useWords();
  if (!suppressed || suppressed.length === 0) return null;
  return <p class="note">{w.t('common.suppressedNote')}</p>;
}

/**
 * A wide table's frame: it scrolls sideways on a phone, so it takes keyboard focus and has a name (WCAG 2.1.1; axe
 * "scrollable-region-focusable").
 */
export function TableFrame({
  label,
  class: extra,
  children,
}: {
  label: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={extra ? `table-wrap ${extra}` : 'table-wrap'} tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
