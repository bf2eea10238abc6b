/**
 * "Hvem deltar?" (issue 10 §4): distinct participants, memberships by actor group, representation basis, role and
 * area, vote turnout, public-meeting attendance and supports, for one committee or all and a period of business
 * dates, the choice kept in the URL. Counts of people under 5 are suppressed for anonymous readers: "< 5", never 0.
 */
import { useState } from 'preact/hooks';
import { useView } from '../api';
import { Breakdown, MEMBER_BREAKDOWNS } from '../components/breakdown';
import { Count, Loading, Problem, Rate, SuppressionNote, TableFrame } from '../components/common';
import { useNames, type Names } from '../names';
import { useWords } from '../i18n';
import { codesOf } from '../messages';
import { hrefTo, navigate, place, useObservable } from '../state';
import type { ParticipationAnswer } from '../views';

/** The page's parameters in the URL, '' when not chosen. */
type Filters = Record<'committeeId' | 'from' | 'to', string>;

const BREAKDOWNS = [
  ...MEMBER_BREAKDOWNS,
  { field: 'byArea', list: null, what: 'breakdown.area', column: 'participation.area' },
] as const;

/** The area key of members whose person record names no area (projections/participation.ts). */
const UNKNOWN_AREA = 'unknown';

function FilterForm({ filters, names }: { filters: Filters; names: Names }) {
  const w = useWords();
  const items = names.committees;
  const [invalid, setInvalid] = useState(false);
  const set = (name: keyof Filters, value: string) => {
    const next = { ...filters, [name]: value };
    // A period that ends before it starts is the reader's slip: said here, not sent to the API as a 400.
    const backwards = next.from !== '' && next.to !== '' && next.from > next.to;
    setInvalid(backwards);
    if (!backwards) navigate(hrefTo('/participation', next), true);
  };
  const known = filters.committeeId === '' || items.some((c) => c.id === filters.committeeId);
  return (
    <form class="filters" aria-label={w.t('participation.filters')} onSubmit={(e) => e.preventDefault()}>
      <label>
        <span>{w.t('participation.committee')}</span>
        <select
          name="committeeId"
          value={filters.committeeId}
          onChange={(e) => set('committeeId', (e.target as HTMLSelectElement).value)}
        >
          <option value="">{w.t('participation.allCommittees')}</option>
          {items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {!known && <option value={filters.committeeId}>{filters.committeeId}</option>}
        </select>
      </label>
      <label>
        <span>{w.t('common.from')}</span>
        <input
          type="date"
          name="from"
          value={filters.from}
          onChange={(e) => set('from', (e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        <span>{w.t('common.to')}</span>
        <input
          type="date"
          name="to"
          value={filters.to}
          onChange={(e) => set('to', (e.target as HTMLInputElement).value)}
        />
      </label>
      {(filters.committeeId || filters.from || filters.to) && (
        <button type="button" onClick={() => navigate(hrefTo('/participation'), true)}>
          {w.t('common.clear')}
        </button>
      )}
      {invalid && (
        <p class="problem" role="alert">
          {w.t('common.periodBackwards')}
        </p>
      )}
    </form>
  );
}

function Cards({ p }: { p: ParticipationAnswer }) {
  const w = useWords();
  const { turnout } = p;
  return (
    <ul class="cards">
      <li data-testid="participation-participants">
        <span class="value" data-value={p.participants ?? ''}>
          <Count n={p.participants} />
        </span>
        {w.t('participation.participants')}
      </li>
      <li data-testid="participation-members">
        <span class="value" data-value={p.members.total ?? ''}>
          <Count n={p.members.total} />
        </span>
        {w.t('participation.members')}
      </li>
      <li data-testid="participation-turnout">
        <span class="value" data-value={turnout.rate.value ?? ''}>
          <Rate rate={turnout.rate} />
        </span>
        {w.t('participation.turnout')}
        <dl class="parts">
          <dt>{w.t('participation.ballots')}</dt>
          <dd data-field="ballotsCast" data-value={turnout.ballotsCast ?? ''}>
            <Count n={turnout.ballotsCast} />
          </dd>
          <dt>{w.t('participation.eligible')}</dt>
          <dd data-field="eligible" data-value={turnout.eligible ?? ''}>
            <Count n={turnout.eligible} />
          </dd>
          <dt>{w.t('participation.closedVotes')}</dt>
          <dd data-field="closedVotes" data-value={turnout.closedVotes}>
            {w.num(turnout.closedVotes)}
          </dd>
        </dl>
      </li>
      <li data-testid="participation-public-meetings">
        <span class="value" data-value={p.publicMeetings.attendees ?? ''}>
          <Count n={p.publicMeetings.attendees} />
        </span>
        {w.t('participation.attendees')}
        <dl class="parts">
          <dt>{w.t('participation.publicMeetings')}</dt>
          <dd data-field="meetings" data-value={p.publicMeetings.meetings}>
            {w.num(p.publicMeetings.meetings)}
          </dd>
        </dl>
      </li>
      <li data-testid="participation-supports">
        <span class="value" data-value={p.supports ?? ''}>
          <Count n={p.supports} />
        </span>
        {w.t('participation.supports')}
      </li>
    </ul>
  );
}

function PerVote({ p }: { p: ParticipationAnswer }) {
  const w = useWords();
  const votes = p.turnout.perVote;
  return (
    <section aria-labelledby="per-vote-heading">
      <h2 id="per-vote-heading">{w.t('participation.perVote')}</h2>
      {votes.length === 0 ? (
        <p>{w.t('participation.noVotes')}</p>
      ) : (
        // Hundreds of votes at the trial's scale: folded away until the reader opens them.
        <details class="per-vote">
          <summary data-testid="participation-per-vote-toggle">
            {w.t('participation.showPerVote', { n: w.num(votes.length) })}
          </summary>
          <TableFrame label={w.t('participation.perVote')}>
            <table data-testid="participation-per-vote">
              <caption>{w.t('participation.perVote')}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.t('participation.closedOn')}</th>
                  <th scope="col" class="num">
                    {w.t('participation.ballots')}
                  </th>
                  <th scope="col" class="num">
                    {w.t('participation.eligible')}
                  </th>
                  <th scope="col" class="num">
                    {w.t('common.rate')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {votes.map((v) => (
                  <tr key={v.voteId} data-vote={v.voteId}>
                    <th scope="row">{w.date(v.closedOn)}</th>
                    <td class="num" data-field="ballotsCast" data-value={v.ballotsCast ?? ''}>
                      <Count n={v.ballotsCast} />
                    </td>
                    <td class="num" data-field="eligible" data-value={v.eligible ?? ''}>
                      <Count n={v.eligible} />
                    </td>
                    <td class="num" data-field="rate" data-value={v.rate.value ?? ''}>
                      <Rate rate={v.rate} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        </details>
      )}
    </section>
  );
}

export function ParticipationPage() {
  const w = useWords();
  const here = useObservable(place);
  const filters: Filters = {
    committeeId: here.params.get('committeeId') ?? '',
    from: here.params.get('from') ?? '',
    to: here.params.get('to') ?? '',
  };
  const answer = useView<ParticipationAnswer>('/participation', filters, [
    'person',
    'committee',
    'meeting',
    'proposal',
    'vote',
  ]);
  const p = answer.data;
  const names = useNames();
  return (
    <>
      <h1 tabIndex={-1}>{w.t('participation.heading')}</h1>
      <p class="lead">{w.t('participation.lead')}</p>
      <FilterForm filters={filters} names={names} />
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !p}>
        {p && (
          <>
            <section aria-labelledby="summary-heading">
              <h2 id="summary-heading">
                {p.committeeId ? names.committee(p.committeeId) : w.t('participation.allCommittees')}
                {', '}
                {p.from || p.to
                  ? w.t('participation.period', { from: w.date(p.from), to: w.date(p.to) })
                  : w.t('participation.allTime')}
              </h2>
              <Cards p={p} />
              <SuppressionNote suppressed={p.suppressed} />
            </section>
            <section aria-labelledby="members-heading">
              <h2 id="members-heading">{w.t('participation.members')}</h2>
              {BREAKDOWNS.map((b) => (
                <Breakdown
                  key={b.field}
                  id={`participation-${b.field}`}
                  caption={w.t('participation.membersBy', { what: w.t(b.what) })}
                  categoryLabel={w.t(b.column)}
                  counts={p.members[b.field]}
                  keys={b.list ? codesOf(b.list) : undefined}
                  label={(key) =>
                    b.list ? w.code(b.list, key) : key === UNKNOWN_AREA ? w.t('common.unknown') : key
                  }
                />
              ))}
            </section>
            <PerVote p={p} />
          </>
        )}
      </Loading>
    </>
  );
}
