/** Small pieces every page uses: counts that may be suppressed, loading and error states. */
import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api';
import { useWords } from '../i18n';
import type { MessageKey } from '../messages';

/** A count of people: null means suppressed (under 5), shown as "< 5", never as 0. */
export function Count({ n }: { n: number | null | undefined }) {
  const w = useWords();
  if (n === null || n === undefined) return <span class="suppressed">{w.t('common.suppressed')}</span>;
  return <>{w.num(n)}</>;
}

/** A citizens' initiative's deadline for the council, or that the threshold is not reached, and whether overdue. */
export function InitiativeDeadline({ p }: { p: { initiativeDeadline?: string | null; overdue?: boolean } }) {
  const w = useWords();
  return (
    <>
      {p.initiativeDeadline ? w.date(p.initiativeDeadline) : w.t('overview.notReached')}{' '}
      {p.overdue && <span class="badge bad">{w.t('overview.overdue')}</span>}
    </>
  );
}

/**
 * A rate as the API gives it: a number in 0…1 or an object with `value` and its parts. A rate whose parts are hidden
 * (a count under 5) reads "hidden" (not "< 5": it is a share, not a count); one with nothing counted reads "–".
 */
export function Rate({ rate }: { rate: unknown }) {
  const w = useWords();
  if (rate && typeof rate === 'object') {
    const parts = rate as { value?: unknown; numerator?: unknown; denominator?: unknown };
    if (parts.numerator === null || parts.denominator === null)
      return <span class="suppressed">{w.t('common.hiddenRate')}</span>;
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

/** What a failed read means to a reader, by its status; the API's own detail follows in small print. */
function problemLead(status: number): MessageKey {
  if (status === 0) return 'problem.network';
  if (status === 400 || status === 422) return 'problem.badQuestion';
  if (status === 401 || status === 403) return 'problem.notAllowed';
  if (status === 404) return 'problem.notFound';
  if (status === 429) return 'problem.tooMany';
  if (status >= 500) return 'problem.unavailable';
  return 'problem.other';
}

export function Problem({ problem, retry }: { problem: ApiProblem | null; retry?: () => void }) {
  const w = useWords();
  if (!problem) return null;
  // Trying again helps only when the service, not the question, failed.
  const transient = problem.status === 0 || problem.status === 429 || problem.status >= 500;
  return (
    <div class="problem" role="alert" data-status={problem.status}>
      <p>{w.t(problemLead(problem.status))}</p>
      {(problem.detail || problem.title) && (
        <p class="note" lang="en">
          {w.t('problem.serverSays')} {problem.detail || problem.title}
        </p>
      )}
      {retry && transient && (
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
