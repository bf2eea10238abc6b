/**
 * "Gir det mer demokrati?" (issue 10 §2): the influence funnel with counts, rates and median days between stages,
 * the same split by a grouping the reader picks, and the citizens' initiatives with their deadlines.
 */
import { useView } from '../api';
import { BarChart } from '../components/chart';
import { Count, InitiativeDeadline, Loading, Problem, Rate, TableFrame } from '../components/common';
import { useWords, type Words } from '../i18n';
import { hrefTo, navigate, place, useObservable } from '../state';
import { FUNNEL, type InfluenceAnswer, type InfluenceGroup, type ProposalList } from '../views';

const GROUPINGS = [
  'committee',
  'committeeKind',
  'origin',
  'coCreationForm',
  'theme',
  'politicalBody',
  'year',
] as const;
type Grouping = (typeof GROUPINGS)[number];

function groupName(w: Words, groupBy: Grouping, g: InfluenceGroup): string {
  if (g.key === null) return w.t('common.none');
  switch (groupBy) {
    case 'committeeKind':
      return w.code('committeeKind', g.key);
    case 'origin':
      return w.code('origin', g.key);
    case 'coCreationForm':
      return w.code('coCreationForm', g.key);
    default:
      return g.keyLabel ?? g.key;
  }
}

function Funnel({ group }: { group: InfluenceGroup }) {
  const w = useWords();
  const share = (n: number) => (group.submitted === 0 ? '–' : `${w.num((n / group.submitted) * 100, 1)} %`);
  return (
    <>
      <BarChart
        id="funnel"
        caption={w.t('overview.funnel')}
        captionHidden
        categoryLabel={w.t('overview.stage')}
        categories={FUNNEL.map((s) => w.t(`funnel.${s.count}`))}
        series={[{ label: w.t('common.count'), values: FUNNEL.map((s) => group[s.count]) }]}
        horizontal
      />
      <TableFrame label={w.t('overview.funnelCaption')}>
        <table data-testid="funnel-table">
          <caption>{w.t('overview.funnelCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{w.t('overview.stage')}</th>
              <th scope="col" class="num">
                {w.t('common.count')}
              </th>
              <th scope="col" class="num">
                {w.t('overview.share')}
              </th>
              <th scope="col">{w.t('overview.medianDays')}</th>
            </tr>
          </thead>
          <tbody>
            {FUNNEL.map((s) => {
              const median = s.median === null ? null : group.medianDays[s.median];
              // Adopted fully and partly are two outcomes of the political decision, not steps after each other.
              const branch = s.count === 'adoptedFull' || s.count === 'adoptedPartial';
              return (
                <tr key={s.count} data-stage={s.count} class={branch ? 'branch' : undefined}>
                  <th scope="row">
                    {branch && <span aria-hidden="true">↳ </span>}
                    {w.t(`funnel.${s.count}`)}
                  </th>
                  <td class="num" data-value={group[s.count]}>
                    {w.num(group[s.count])}
                  </td>
                  <td class="num">{share(group[s.count])}</td>
                  <td>
                    {median === null || s.median === null ? (
                      '–'
                    ) : (
                      <>
                        <span class="num">{w.num(median, 1)}</span>{' '}
                        <span class="note">({w.t(`median.${s.median}`)})</span>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableFrame>
      <p class="note">{w.t('overview.funnelNote')}</p>
      <ul class="cards">
        <li>
          <span class="value" data-testid="adoption-rate">
            <Rate rate={group.adoptionRate} />
          </span>
          {w.t('overview.adoptionRate')}
        </li>
        <li>
          <span class="value" data-testid="median-to-decision">
            {group.medianDaysToPoliticalDecision === null
              ? '–'
              : w.num(group.medianDaysToPoliticalDecision, 1)}
          </span>
          {w.t('overview.medianToDecision')}
        </li>
      </ul>
    </>
  );
}

function Split() {
  const w = useWords();
  const here = useObservable(place);
  const asked = here.params.get('groupBy');
  const groupBy: Grouping = (GROUPINGS as readonly string[]).includes(asked ?? '')
    ? (asked as Grouping)
    : 'committee';
  const answer = useView<InfluenceAnswer>('/influence', { groupBy }, [
    'proposal',
    'committee',
    'political-body',
  ]);
  const groups = answer.data?.groups ?? [];
  const names = groups.map((g) => groupName(w, groupBy, g));
  const caption = w.t('overview.splitCaption', { groupBy: w.t(`groupBy.${groupBy}`) });
  return (
    <section aria-labelledby="split-heading">
      <h2 id="split-heading">{caption}</h2>
      <label class="filters">
        <span>{w.t('overview.split')}</span>
        <select
          name="groupBy"
          value={groupBy}
          onChange={(e) => navigate(hrefTo('/', { groupBy: (e.target as HTMLSelectElement).value }), true)}
        >
          {GROUPINGS.map((g) => (
            <option key={g} value={g}>
              {w.t(`groupBy.${g}`)}
            </option>
          ))}
        </select>
      </label>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        <BarChart
          id="split"
          caption={caption}
          captionHidden
          categoryLabel={w.t('overview.group')}
          categories={names}
          series={FUNNEL.map((s) => ({
            label: w.t(`funnel.${s.count}`),
            values: groups.map((g) => g[s.count]),
          }))}
          horizontal
        />
        <TableFrame label={caption}>
          <table data-testid="split-table">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{w.t('overview.group')}</th>
                {FUNNEL.map((s) => (
                  <th scope="col" class="num" key={s.count}>
                    {w.t(`funnel.${s.count}`)}
                  </th>
                ))}
                <th scope="col" class="num">
                  <abbr title={w.t('overview.adoptionRate')}>{w.t('overview.adoptionRateShort')}</abbr>
                </th>
                <th scope="col" class="num">
                  <abbr title={w.t('overview.medianToDecision')}>
                    {w.t('overview.medianToDecisionShort')}
                  </abbr>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g, i) => (
                <tr key={g.key ?? 'none'} data-key={g.key ?? ''}>
                  <th scope="row">{names[i]}</th>
                  {FUNNEL.map((s) => (
                    <td class="num" key={s.count} data-field={s.count}>
                      {w.num(g[s.count])}
                    </td>
                  ))}
                  <td class="num">
                    <Rate rate={g.adoptionRate} />
                  </td>
                  <td class="num">
                    {g.medianDaysToPoliticalDecision === null
                      ? '–'
                      : w.num(g.medianDaysToPoliticalDecision, 1)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      </Loading>
    </section>
  );
}

function Initiatives() {
  const w = useWords();
  const answer = useView<ProposalList>('/proposals', { origin: 'citizen_initiative', limit: 100 }, [
    'proposal',
  ]);
  const items = answer.data?.items ?? [];
  return (
    <section aria-labelledby="initiatives-heading">
      <h2 id="initiatives-heading">{w.t('overview.initiatives')}</h2>
      <p class="lead">{w.t('overview.initiativesLead')}</p>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        {items.length === 0 ? (
          <p>{w.t('overview.noInitiatives')}</p>
        ) : (
          <TableFrame label={w.t('overview.initiatives')}>
            <table data-testid="initiatives-table">
              <thead>
                <tr>
                  <th scope="col">{w.t('proposals.title')}</th>
                  <th scope="col">{w.t('proposals.stage')}</th>
                  <th scope="col" class="num">
                    {w.t('overview.signatures')}
                  </th>
                  <th scope="col">{w.t('overview.deadline')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.proposalId} data-proposal={p.proposalId}>
                    <th scope="row">
                      <a href={hrefTo(`/proposals/${p.proposalId}`)}>{p.title}</a>
                    </th>
                    <td>{w.code('stage', p.stage)}</td>
                    <td class="num">
                      <Count n={p.supports} />
                    </td>
                    <td>
                      <InitiativeDeadline p={p} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        )}
      </Loading>
    </section>
  );
}

export function OverviewPage() {
  const w = useWords();
  const answer = useView<InfluenceAnswer>('/influence', { groupBy: 'all' }, ['proposal']);
  const all = answer.data?.groups[0];
  return (
    <>
      <h1 tabIndex={-1}>{w.t('overview.heading')}</h1>
      <p class="lead">{w.t('overview.lead')}</p>
      <section aria-labelledby="funnel-heading">
        <h2 id="funnel-heading">{w.t('overview.funnel')}</h2>
        <Problem problem={answer.error} retry={answer.reload} />
        <Loading when={answer.loading && !answer.data}>
          {all ? <Funnel group={all} /> : <p>{w.t('common.none')}</p>}
        </Loading>
      </section>
      <Split />
      <Initiatives />
    </>
  );
}
