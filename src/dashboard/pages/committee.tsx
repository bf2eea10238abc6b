/**
 * One committee (issue 10 §3): what it is (kind, co-creation form, mandate, citizen square, areas, period, the
 * decision that established it), its membership (counts for everyone, suppressed under 5 for anonymous readers; the
 * member list for readers with a token), budget per year, meetings and proposals.
 */
import { useEffect, useState } from 'preact/hooks';
import { useView } from '../api';
import { useLookup } from '../names';
import { Breakdown, MEMBER_BREAKDOWNS } from '../components/breakdown';
import { BarChart } from '../components/chart';
import { Count, Loading, Problem, SuppressionNote, TableFrame } from '../components/common';
import { useWords, type Words } from '../i18n';
import { codesOf } from '../messages';
import { hrefTo, usePageTitle } from '../state';
import type { CommitteeDetail, MemberRow, ProposalList } from '../views';
import { MandateFlags, PeriodText } from './committees';

const PAGE_SIZE = 25;

function Facts({ c }: { c: CommitteeDetail }) {
  const w = useWords();
  const arenas = useLookup('/arenas', 'arenaId', 'arena');
  const bodies = useLookup('/political-bodies', 'bodyId', 'political-body');
  return (
    <section aria-labelledby="facts-heading">
      <h2 id="facts-heading">{w.t('committee.facts')}</h2>
      <dl class="facts" data-testid="committee-facts">
        <dt>{w.t('committees.kind')}</dt>
        <dd data-field="kind">{w.code('committeeKind', c.kind)}</dd>
        <dt>{w.t('committees.coCreationForm')}</dt>
        <dd data-field="coCreationForm">{w.code('coCreationForm', c.coCreationForm)}</dd>
        <dt>{w.t('committees.mandate')}</dt>
        <dd data-field="mandate">
          <MandateFlags mandate={c.mandate} />
        </dd>
        <dt>{w.t('committees.arena')}</dt>
        <dd data-field="arena">{c.arenaId ? (arenas.get(c.arenaId) ?? c.arenaId) : '–'}</dd>
        <dt>{w.t('committees.areas')}</dt>
        <dd data-field="areas">{c.areas.join(', ') || '–'}</dd>
        {c.theme !== null && (
          <>
            <dt>{w.t('committees.theme')}</dt>
            <dd data-field="theme">{c.theme}</dd>
          </>
        )}
        <dt>{w.t('committees.period')}</dt>
        <dd data-field="period">
          <PeriodText period={c.period} dissolvedOn={null} />
        </dd>
        <dt>{w.t('committee.establishedByTerm')}</dt>
        <dd data-field="establishedBy">
          {c.establishedBy
            ? w.t('committee.establishedBy', {
                body: bodies.get(c.establishedBy.bodyId) ?? c.establishedBy.bodyId,
                caseNumber: c.establishedBy.caseNumber,
              })
            : w.t('common.unknown')}
        </dd>
        <dt>{w.t('committee.dissolvedOn')}</dt>
        <dd data-field="dissolvedOn" data-value={c.dissolvedOn ?? ''}>
          {c.dissolvedOn ? w.date(c.dissolvedOn) : w.t('committee.notDissolved')}
        </dd>
      </dl>
    </section>
  );
}

function personOf(w: Words, m: MemberRow): string {
  if (m.name) return m.name;
  if (m.pseudonym) return m.pseudonym;
  return m.erased ? w.t('committee.erased') : w.t('common.unknown');
}

function MemberList({ active, former }: { active: MemberRow[]; former: MemberRow[] }) {
  const w = useWords();
  const rows = [...active.map((m) => ({ m, active: true })), ...former.map((m) => ({ m, active: false }))];
  return (
    <TableFrame label={w.t('committee.memberList')}>
      <table data-testid="committee-members">
        <caption>{w.t('committee.memberList')}</caption>
        <thead>
          <tr>
            <th scope="col">{w.t('committee.person')}</th>
            <th scope="col">{w.t('committee.status')}</th>
            <th scope="col">{w.t('committee.role')}</th>
            <th scope="col">{w.t('committee.actorGroup')}</th>
            <th scope="col">{w.t('committee.representationBasis')}</th>
            <th scope="col">{w.t('committee.represents')}</th>
            <th scope="col">{w.t('committee.appointedOn')}</th>
            <th scope="col">{w.t('committee.leftOn')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ m, active: isActive }, i) => (
            <tr key={i} data-active={String(isActive)}>
              <th scope="row">{personOf(w, m)}</th>
              <td>{isActive ? w.t('committee.activeOne') : w.t('committee.formerOne')}</td>
              <td>{w.code('role', m.role)}</td>
              <td>{w.code('actorGroup', m.actorGroup)}</td>
              <td>{w.code('representationBasis', m.representationBasis)}</td>
              <td>{m.represents ?? '–'}</td>
              <td>{w.date(m.appointedOn)}</td>
              <td>{w.date(m.leftOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function Membership({ c }: { c: CommitteeDetail }) {
  const w = useWords();
  const { members } = c;
  const withRows = Array.isArray(members.active);
  return (
    <section aria-labelledby="membership-heading">
      <h2 id="membership-heading">{w.t('committee.membership')}</h2>
      <ul class="cards" data-testid="committee-membership">
        <li data-testid="committee-active-count">
          <span class="value" data-value={members.activeCount ?? ''}>
            <Count n={members.activeCount} />
          </span>
          {c.dissolvedOn ? w.t('committee.activeAtDissolution') : w.t('committee.active')}
        </li>
        <li data-testid="committee-former-count">
          <span class="value" data-value={members.formerCount ?? ''}>
            <Count n={members.formerCount} />
          </span>
          {w.t('committee.former')}
        </li>
      </ul>
      <p class="note">{w.t('committee.membershipLead')}</p>
      {MEMBER_BREAKDOWNS.map((b) => (
        <Breakdown
          key={b.field}
          id={`committee-${b.field}`}
          caption={w.t('committee.membersBy', { what: w.t(b.what) })}
          categoryLabel={w.t(b.column)}
          counts={members[b.field]}
          keys={codesOf(b.list)}
          label={(key) => w.code(b.list, key)}
        />
      ))}
      {withRows ? (
        <MemberList active={members.active ?? []} former={members.former ?? []} />
      ) : (
        <p class="note">{w.t('committee.membersHidden')}</p>
      )}
    </section>
  );
}

function Budget({ c }: { c: CommitteeDetail }) {
  const w = useWords();
  const caption = w.t('committee.budgetCaption');
  return (
    <section aria-labelledby="budget-heading">
      <h2 id="budget-heading">{w.t('committee.budget')}</h2>
      {c.budget.length === 0 ? (
        <p>{w.t('committee.noBudget')}</p>
      ) : (
        <div class="breakdown">
          <TableFrame label={caption}>
            <table data-testid="committee-budget">
              <caption>{caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.t('committee.year')}</th>
                  <th scope="col" class="num">
                    {w.t('committee.allocated')}
                  </th>
                  <th scope="col" class="num">
                    {w.t('committee.granted')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.budget.map((b) => (
                  <tr key={b.year} data-year={b.year}>
                    <th scope="row">{b.year}</th>
                    <td class="num" data-field="allocatedNok" data-value={b.allocatedNok}>
                      {w.num(b.allocatedNok)}
                    </td>
                    <td class="num" data-field="grantedNok" data-value={b.grantedNok}>
                      {w.num(b.grantedNok)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
          <BarChart
            id="committee-budget-chart"
            caption={caption}
            categoryLabel={w.t('committee.year')}
            categories={c.budget.map((b) => String(b.year))}
            series={[
              { label: w.t('committee.allocated'), values: c.budget.map((b) => b.allocatedNok) },
              { label: w.t('committee.granted'), values: c.budget.map((b) => b.grantedNok) },
            ]}
          />
        </div>
      )}
    </section>
  );
}

function Meetings({ c }: { c: CommitteeDetail }) {
  const w = useWords();
  return (
    <section aria-labelledby="meetings-heading">
      <h2 id="meetings-heading">{w.t('committee.meetings')}</h2>
      {c.meetings.length === 0 ? (
        <p>{w.t('committee.noMeetings')}</p>
      ) : (
        <TableFrame label={w.t('committee.meetingsCaption')}>
          <table data-testid="committee-meetings">
            <caption>{w.t('committee.meetingsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{w.t('committee.heldOn')}</th>
                <th scope="col">{w.t('committee.meetingKind')}</th>
                <th scope="col" class="num">
                  {w.t('committee.attendees')}
                </th>
              </tr>
            </thead>
            <tbody>
              {c.meetings.map((m) => (
                <tr key={m.meetingId} data-meeting={m.meetingId}>
                  <th scope="row">{w.date(m.heldOn)}</th>
                  <td>{w.code('meetingKind', m.kind)}</td>
                  <td class="num" data-field="attendeeCount" data-value={m.attendeeCount ?? ''}>
                    <Count n={m.attendeeCount} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </section>
  );
}

/** One page of the committee's proposals, as rows; tells the list its `nextCursor` and how many rows it has. */
function ProposalRows({
  committeeId,
  cursor,
  onAnswer,
}: {
  committeeId: string;
  cursor: string | null;
  onAnswer(nextCursor: string | null, rows: number): void;
}) {
  const w = useWords();
  const answer = useView<ProposalList>('/proposals', { committeeId, limit: PAGE_SIZE, cursor }, ['proposal']);
  useEffect(() => {
    if (answer.data) onAnswer(answer.data.nextCursor, answer.data.items.length);
  }, [answer.data]);
  if (answer.error)
    return (
      <tbody>
        <tr>
          <td colSpan={4}>
            <Problem problem={answer.error} retry={answer.reload} />
          </td>
        </tr>
      </tbody>
    );
  return (
    <tbody>
      {(answer.data?.items ?? []).map((p) => (
        <tr key={p.proposalId} data-proposal={p.proposalId}>
          <th scope="row">
            <a href={hrefTo(`/proposals/${p.proposalId}`)}>{p.title}</a>
          </th>
          <td data-field="stage" data-value={p.stage}>
            {w.code('stage', p.stage)}
          </td>
          <td data-field="submittedOn" data-value={p.submittedOn}>
            {w.date(p.submittedOn)}
          </td>
          <td data-field="influence" data-value={p.influence}>
            {w.influence(p)}
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function Proposals({ c }: { c: CommitteeDetail }) {
  const w = useWords();
  // One view per page of the API's cursors, each following live on its own; "show more" adds the next.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [pages, setPages] = useState<Array<{ next: string | null; rows: number }>>([]);
  const last = pages[cursors.length - 1];
  const shown = pages.slice(0, cursors.length).reduce((n, p) => n + p.rows, 0);
  return (
    <section aria-labelledby="proposals-heading">
      <h2 id="proposals-heading">{w.t('committee.proposals')}</h2>
      <Breakdown
        id="committee-stages"
        caption={w.t('committee.stagesCaption')}
        categoryLabel={w.t('proposals.stage')}
        counts={c.proposals.byStage}
        keys={codesOf('stage')}
        label={(key) => w.code('stage', key)}
      />
      {c.proposals.total === 0 ? (
        <p>{w.t('committee.noProposals')}</p>
      ) : (
        <>
          <TableFrame label={w.t('committee.proposalsCaption')}>
            <table data-testid="committee-proposals">
              <caption>{w.t('committee.proposalsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.t('proposals.title')}</th>
                  <th scope="col">{w.t('proposals.stage')}</th>
                  <th scope="col">{w.t('proposals.submittedOn')}</th>
                  <th scope="col">{w.t('proposals.influence')}</th>
                </tr>
              </thead>
              {cursors.map((cursor, i) => (
                <ProposalRows
                  key={cursor ?? ''}
                  committeeId={c.committeeId}
                  cursor={cursor}
                  onAnswer={(next, rows) =>
                    setPages((before) => {
                      const after = [...before];
                      after[i] = { next, rows };
                      return after;
                    })
                  }
                />
              ))}
            </table>
          </TableFrame>
          <p role="status" data-testid="committee-proposals-shown">
            {w.t('committee.proposalsShown', { shown: w.num(shown), total: w.num(c.proposals.total) })}
          </p>
          {last?.next && (
            <button type="button" onClick={() => setCursors([...cursors, last.next])}>
              {w.t('committee.showMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

export function CommitteePage({ id }: { id: string }) {
  const w = useWords();
  const answer = useView<CommitteeDetail>(`/committees/${id}`, {}, ['committee', 'meeting', 'proposal']);
  const c = answer.data?.committeeId === id ? answer.data : null;
  usePageTitle(c?.name);
  return (
    <>
      <p>
        <a href={hrefTo('/committees')}>{w.t('committees.heading')}</a>
      </p>
      <h1 tabIndex={-1} data-id={id}>
        {c ? c.name : w.t('committees.heading')}
      </h1>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !c}>
        {c && (
          <>
            <Facts c={c} />
            <SuppressionNote suppressed={c.suppressed} />
            <Membership c={c} />
            <Budget c={c} />
            <Meetings c={c} />
            <Proposals key={c.committeeId} c={c} />
          </>
        )}
      </Loading>
    </>
  );
}
