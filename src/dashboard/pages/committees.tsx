/**
 * The committees (issue 10 §3): every committee with its kind, citizen square, areas, period, mandate, co-creation
 * form, proposals by stage, budget per year and active members, and a chart of the proposals by stage.
 */
import { useView } from '../api';
import { useLookup } from '../names';
import { BarChart } from '../components/chart';
import { Count, Loading, Problem, SuppressionNote, TableFrame } from '../components/common';
import { useWords, type Words } from '../i18n';
import { codesOf } from '../messages';
import { hrefTo } from '../state';
import type { CommitteeList, CommitteeSummary, Mandate, Period } from '../views';

export function PeriodText({ period, dissolvedOn }: { period: Period; dissolvedOn: string | null }) {
  const w = useWords();
  return (
    <>
      <span class="nowrap">{`${w.date(period.from)} –`}</span> <span class="nowrap">{w.date(period.to)}</span>
      {dissolvedOn && (
        <>
          <br />
          <span class="note">{w.t('committees.dissolved', { date: w.date(dissolvedOn) })}</span>
        </>
      )}
    </>
  );
}

/** The five mandate flags, each with a tick or a cross and its name, and "yes"/"no" for screen readers. */
export function MandateFlags({ mandate }: { mandate: Mandate }) {
  const w = useWords();
  return (
    <ul class="flags">
      {codesOf('mandate').map((flag) => {
        const set = mandate[flag as keyof Mandate] === true;
        return (
          <li key={flag} class={set ? 'on' : 'off'} data-flag={flag} data-value={String(set)}>
            <span aria-hidden="true">{set ? '✓' : '✗'}</span> {w.code('mandate', flag)}
            <span class="sr-only">{`: ${set ? w.t('common.yes') : w.t('common.no')}`}</span>
          </li>
        );
      })}
    </ul>
  );
}

function StageCell({ total, byStage }: { total: number; byStage: Record<string, number> }) {
  const w = useWords();
  const stages = codesOf('stage').filter((s) => (byStage[s] ?? 0) > 0);
  return (
    <details class="stages">
      <summary>
        <span data-field="proposals" data-value={total}>
          {w.num(total)}
        </span>
        <span class="sr-only">{` ${w.t('committees.byStageToggle')}`}</span>
      </summary>
      <ul>
        {stages.map((s) => (
          <li key={s} data-stage={s}>
            {w.code('stage', s)}:{' '}
            <span data-field="stage" data-value={byStage[s]}>
              {w.num(byStage[s] ?? 0)}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function BudgetCell({ budget }: { budget: CommitteeSummary['budget'] }) {
  const w = useWords();
  if (budget.length === 0) return <>–</>;
  return (
    <ul class="plain">
      {budget.map((b) => (
        <li key={b.year} data-year={b.year}>
          {`${b.year}: `}
          <span data-field="allocatedNok" data-value={b.allocatedNok}>
            {w.num(b.allocatedNok)}
          </span>
          {' / '}
          <span data-field="grantedNok" data-value={b.grantedNok}>
            {w.num(b.grantedNok)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Row({ item, arenas }: { item: CommitteeSummary; arenas: Map<string, string> }) {
  const w = useWords();
  const row = item;
  return (
    <tr data-committee={item.committeeId}>
      <th scope="row">
        <a href={hrefTo(`/committees/${item.committeeId}`)}>{item.name}</a>
      </th>
      <td>
        <span data-field="kind" data-value={item.kind}>
          {w.code('committeeKind', item.kind)}
        </span>
        <br />
        <span class="note" data-field="period">
          <PeriodText period={item.period} dissolvedOn={item.dissolvedOn} />
        </span>
      </td>
      <td>
        <span data-field="arena" data-value={row.arenaId ?? ''}>
          {row.arenaId ? (arenas.get(row.arenaId) ?? row.arenaId) : '–'}
        </span>
        <br />
        <span class="note" data-field="areas">
          {row.areas.join(', ') || '–'}
        </span>
        {row.theme && (
          <>
            <br />
            <span class="note" data-field="theme">
              {w.t('committees.themeIs', { theme: row.theme })}
            </span>
          </>
        )}
      </td>
      <td>
        <MandateFlags mandate={row.mandate} />
      </td>
      <td data-field="coCreationForm" data-value={item.coCreationForm}>
        {w.code('coCreationForm', item.coCreationForm)}
      </td>
      <td class="num">
        <StageCell total={item.proposals} byStage={row.proposalsByStage} />
      </td>
      <td class="num">
        <BudgetCell budget={row.budget} />
      </td>
      <td class="num" data-field="activeMembers" data-value={item.activeMembers ?? ''}>
        <Count n={item.activeMembers} />
        {item.dissolvedOn && <span class="note"> {w.t('committees.atDissolution')}</span>}
      </td>
    </tr>
  );
}

function StagesChart({ rows, w }: { rows: CommitteeSummary[]; w: Words }) {
  const stages = codesOf('stage').filter((s) => rows.some((r) => (r.proposalsByStage[s] ?? 0) > 0));
  if (stages.length === 0) return null;
  return (
    <BarChart
      id="committee-stages"
      caption={w.t('committees.stagesChart')}
      categoryLabel={w.t('proposals.stage')}
      categories={stages.map((s) => w.code('stage', s))}
      series={rows.map((r) => ({ label: r.name, values: stages.map((s) => r.proposalsByStage[s] ?? 0) }))}
      horizontal
    />
  );
}

export function CommitteesPage() {
  const w = useWords();
  const answer = useView<CommitteeList>('/committees', {}, ['committee', 'proposal']);
  const arenas = useLookup('/arenas', 'arenaId', 'arena');
  const items = answer.data?.items ?? [];
  return (
    <>
      <h1 tabIndex={-1}>{w.t('committees.heading')}</h1>
      <p class="lead">{w.t('committees.lead')}</p>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        {items.length === 0 ? (
          <p>{w.t('committees.none')}</p>
        ) : (
          <>
            <TableFrame label={w.t('committees.caption')} class="wide">
              <table data-testid="committees-table" class="committees">
                <caption>{w.t('committees.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{w.t('committees.name')}</th>
                    <th scope="col">{w.t('committees.kindAndPeriod')}</th>
                    <th scope="col">{w.t('committees.arenaAndAreas')}</th>
                    <th scope="col">{w.t('committees.mandate')}</th>
                    <th scope="col">{w.t('committees.coCreationForm')}</th>
                    <th scope="col" class="num">
                      {w.t('committees.proposalsByStage')}
                    </th>
                    <th scope="col" class="num">
                      {w.t('committees.budget')}
                    </th>
                    <th scope="col" class="num">
                      {w.t('committees.members')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <Row key={item.committeeId} item={item} arenas={arenas} />
                  ))}
                </tbody>
              </table>
            </TableFrame>
            <SuppressionNote suppressed={answer.data?.suppressed} />
            <section aria-labelledby="stages-heading">
              <h2 id="stages-heading">{w.t('committees.stagesChart')}</h2>
              <StagesChart rows={items} w={w} />
            </section>
          </>
        )}
      </Loading>
    </>
  );
}
