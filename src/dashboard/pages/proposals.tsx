/**
 * Proposals (issue 10 §5): every proposal, filtered by committee, stage, origin and theme, searched by title, and
 * paged with the API's cursors. The filters and the cursor live in the URL, so a filtered list can be linked.
 */
import { useEffect, useState } from 'preact/hooks';
import { useView } from '../api';
import { Count, Loading, Problem, SuppressionNote, TableFrame } from '../components/common';
import { useWords } from '../i18n';
import { codesOf } from '../messages';
import { useNames } from '../names';
import { hrefTo, navigate, place, useObservable } from '../state';
import type { InfluenceAnswer, ProposalList } from '../views';

const FILTERS = ['committeeId', 'stage', 'origin', 'theme', 'q'] as const;
const PAGE_SIZE = 25;

export function ProposalsPage() {
  const w = useWords();
  const here = useObservable(place);
  const names = useNames();
  const filter = Object.fromEntries(FILTERS.map((f) => [f, here.params.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const cursor = here.params.get('cursor');
  // The page number travels with the cursor only to say "page 3 of 12": the cursor alone decides what is shown.
  const pageNumber = cursor ? Math.max(2, Number(here.params.get('page')) || 2) : 1;
  const [search, setSearch] = useState(filter.q);
  useEffect(() => setSearch(filter.q), [filter.q]);
  // The themes in use are the keys of the influence view grouped by theme.
  const themes = useView<InfluenceAnswer>('/influence', { groupBy: 'theme' }, ['proposal']);
  const answer = useView<ProposalList>('/proposals', { ...filter, limit: PAGE_SIZE, cursor }, [
    'proposal',
    'vote',
  ]);

  const go = (changes: Record<string, string>) => {
    const params: Record<string, string> = { ...filter, ...changes };
    navigate(hrefTo('/proposals', params), true);
  };
  const items = answer.data?.items ?? [];
  const select = (name: 'committeeId' | 'stage' | 'origin' | 'theme', options: Array<[string, string]>) => (
    <label>
      <span>{w.t(`proposals.${name === 'committeeId' ? 'committee' : name}`)}</span>
      <select
        name={name}
        value={filter[name]}
        onChange={(e) => go({ [name]: (e.target as HTMLSelectElement).value })}
      >
        <option value="">{w.t('proposals.any')}</option>
        {options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <>
      <h1 tabIndex={-1}>{w.t('proposals.heading')}</h1>
      <p class="lead">{w.t('proposals.lead')}</p>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: search.trim() });
        }}
      >
        <label>
          <span>{w.t('proposals.search')}</span>
          <input
            type="search"
            name="q"
            maxLength={200}
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">{w.t('common.filter')}</button>
        {select(
          'committeeId',
          names.committees.map((c) => [c.id, c.name]),
        )}
        {select(
          'stage',
          codesOf('stage').map((s) => [s, w.code('stage', s)]),
        )}
        {select(
          'origin',
          codesOf('origin').map((o) => [o, w.code('origin', o)]),
        )}
        {select(
          'theme',
          (themes.data?.groups ?? []).flatMap((g) =>
            g.key === null ? [] : [[g.key, g.keyLabel ?? g.key] as [string, string]],
          ),
        )}
        {FILTERS.some((f) => filter[f]) && (
          <button type="button" onClick={() => navigate(hrefTo('/proposals'), true)}>
            {w.t('common.clear')}
          </button>
        )}
      </form>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        {answer.data?.total !== undefined && (
          <p role="status" data-testid="proposals-total" data-value={answer.data.total}>
            {w.t('proposals.count', { n: w.num(answer.data.total) })}
          </p>
        )}
        {items.length === 0 ? (
          <p>{w.t('proposals.none')}</p>
        ) : (
          <TableFrame label={w.t('proposals.heading')}>
            <table data-testid="proposals-table">
              <caption class="sr-only">{w.t('proposals.heading')}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.t('proposals.title')}</th>
                  <th scope="col">{w.t('proposals.committee')}</th>
                  <th scope="col">{w.t('proposals.stage')}</th>
                  <th scope="col">{w.t('proposals.origin')}</th>
                  <th scope="col">{w.t('proposals.submittedOn')}</th>
                  <th scope="col" class="num">
                    {w.t('proposals.supports')}
                  </th>
                  <th scope="col">{w.t('proposals.influence')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.proposalId} data-proposal={p.proposalId}>
                    <th scope="row">
                      <a href={hrefTo(`/proposals/${p.proposalId}`)}>{p.title}</a>
                    </th>
                    <td>{names.committee(p.committeeId)}</td>
                    <td data-value={p.stage}>{w.code('stage', p.stage)}</td>
                    <td>{w.code('origin', p.origin)}</td>
                    <td>{w.date(p.submittedOn)}</td>
                    <td class="num" data-value={p.supports ?? ''}>
                      <Count n={p.supports} />
                    </td>
                    <td>{w.influence(p)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        )}
        <SuppressionNote suppressed={answer.data?.suppressed} />
        <nav class="pager" aria-label={w.t('proposals.pages')}>
          {answer.data?.total !== undefined && answer.data.total > PAGE_SIZE && (
            <span data-testid="proposals-page">
              {w.t('proposals.pageOf', {
                page: pageNumber,
                pages: Math.ceil(answer.data.total / PAGE_SIZE),
              })}{' '}
            </span>
          )}
          {cursor && (
            <a href={hrefTo('/proposals', { ...filter })} rel="first">
              {w.t('proposals.first')}
            </a>
          )}{' '}
          {answer.data?.nextCursor && (
            <a
              href={hrefTo('/proposals', {
                ...filter,
                cursor: answer.data.nextCursor,
                page: String(pageNumber + 1),
              })}
              rel="next"
            >
              {w.t('proposals.next')}
            </a>
          )}
        </nav>
      </Loading>
    </>
  );
}
