/**
 * One proposal (issue 10 §5 and §6): its status, its path as a timeline, supports over time, and — for a reader with
 * an evaluator token — the proof that every event of it is in the signed ledger, checked in this page.
 */
import type { ComponentChildren } from 'preact';
import { useView } from '../api';
import { BarChart } from '../components/chart';
import {
  Count,
  InitiativeDeadline,
  Loading,
  Problem,
  SuppressionNote,
  TableFrame,
} from '../components/common';
import { useState } from 'preact/hooks';
import { ProofPanel } from '../components/proofPanel';
import type { TraceVerdict } from '../proof/verdict';
import { useWords, type Words } from '../i18n';
import type { MessageKey } from '../messages';
import { useNames, type Names } from '../names';
import { hrefTo, usePageTitle } from '../state';
import type { ProposalStatus, TimelineAnswer, TimelineEntry } from '../views';

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function Detail({ children }: { children: ComponentChildren }) {
  return <p class="detail">{children}</p>;
}

/** What one step says, in words; every field as the API gave it. */
function entryDetails(w: Words, names: Names, e: TimelineEntry) {
  switch (e.type) {
    case 'ProposalSubmitted':
      return (
        <>
          <Detail>
            {w.code('origin', text(e.origin))}
            {text(e.theme) && ` · ${text(e.theme)}`}
            {text(e.area) && ` · ${text(e.area)}`}
          </Detail>
          {text(e.description) && <Detail>{text(e.description)}</Detail>}
        </>
      );
    case 'ProposalAmended':
      return (
        <>
          {text(e.title) && <Detail>{text(e.title)}</Detail>}
          {text(e.reason) && <Detail>{text(e.reason)}</Detail>}
        </>
      );
    case 'ProposalWithdrawn':
      return <Detail>{text(e.reason)}</Detail>;
    case 'CommitteeDecisionRecorded':
      return (
        <>
          <Detail>
            <strong>{w.code('committeeOutcome', text(e.outcome))}</strong> (
            {w.code('decisionKind', text(e.kind))})
            {num(e.grantNok) !== null &&
              ` · ${w.t('proposal.grant', { amount: w.t('common.nok', { n: w.num(num(e.grantNok) ?? 0) }) })}`}
          </Detail>
          {text(e.text) && <Detail>{text(e.text)}</Detail>}
        </>
      );
    case 'ProposalReferred':
      return (
        <Detail>
          {w.code('referralKind', text(e.kind))} {w.t('proposal.to', { body: names.body(text(e.toBodyId)) })}
          {text(e.caseNumber) && `, ${w.t('proposal.caseNumber', { caseNumber: text(e.caseNumber) ?? '' })}`}
        </Detail>
      );
    case 'PoliticalDecisionRecorded':
      return (
        <>
          <Detail>
            <strong>{w.code('politicalOutcome', text(e.outcome))}</strong> · {names.body(text(e.bodyId))},{' '}
            {w.t('proposal.caseNumber', { caseNumber: text(e.caseNumber) ?? '' })}
            {num(e.votesFor) !== null &&
              ` · ${w.t('proposal.votes', { for: num(e.votesFor) ?? 0, against: num(e.votesAgainst) ?? 0 })}`}
          </Detail>
          {text(e.summary) && <Detail>{text(e.summary)}</Detail>}
        </>
      );
    case 'ImplementationReported':
      return (
        <>
          <Detail>
            <strong>{w.code('implementationStatus', text(e.status))}</strong> ·{' '}
            {w.t('proposal.progress', { pct: num(e.progressPct) ?? 0 })}
          </Detail>
          {text(e.note) && <Detail>{text(e.note)}</Detail>}
        </>
      );
    case 'VoteOpened':
      return (
        <Detail>
          {text(e.question)} ({w.code('voteRule', text(e.rule))})
        </Detail>
      );
    case 'VoteClosed': {
      const tally = (e.tally ?? {}) as { yes?: number; no?: number; abstain?: number };
      return (
        <Detail>
          <strong>{w.code('voteResult', text(e.result))}</strong> ·{' '}
          {w.t('proposal.tally', {
            yes: tally.yes ?? 0,
            no: tally.no ?? 0,
            abstain: tally.abstain ?? 0,
            eligible: num(e.eligible) ?? 0,
          })}
        </Detail>
      );
    }
    case 'MeetingHeld':
      return (
        <Detail>
          {w.code('meetingKind', text(e.kind))} · {w.t('committee.attendees')}:{' '}
          <Count n={num(e.attendeeCount)} />
        </Detail>
      );
    default:
      return null;
  }
}

function Status({ p, names }: { p: ProposalStatus; names: Names }) {
  const w = useWords();
  /** Label, what is shown, and for the fields tests compare with the API: the field and its raw value. */
  const rows: Array<[string, ComponentChildren, string?]> = [
    [
      w.t('proposals.committee'),
      <a href={hrefTo(`/committees/${p.committeeId}`)}>{names.committee(p.committeeId)}</a>,
    ],
    [w.t('proposals.stage'), w.code('stage', p.stage), 'stage'],
    [w.t('proposals.influence'), w.influence(p), 'influence'],
    [w.t('proposals.origin'), w.code('origin', p.origin)],
    [w.t('proposals.theme'), p.theme ?? '–'],
    [w.t('proposals.submittedOn'), w.date(p.submittedOn)],
    [w.t('proposals.supports'), <Count n={p.supports} />, 'supports'],
    [
      w.t('proposal.latestDecision'),
      p.latestCommitteeDecision
        ? `${w.code('committeeOutcome', p.latestCommitteeDecision.outcome)} (${w.code('decisionKind', p.latestCommitteeDecision.kind)}), ${w.date(p.latestCommitteeDecision.decidedOn)}`
        : '–',
    ],
    [
      w.t('proposal.implementation'),
      p.implementation
        ? `${w.code('implementationStatus', p.implementation.status)}, ${w.t('proposal.progress', { pct: p.implementation.progressPct })}`
        : '–',
    ],
    [
      w.t('proposal.daysToDecision'),
      p.daysToPoliticalDecision === null ? '–' : w.num(p.daysToPoliticalDecision),
      'daysToPoliticalDecision',
    ],
  ];
  if (p.origin === 'citizen_initiative') rows.push([w.t('overview.deadline'), <InitiativeDeadline p={p} />]);
  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">{w.t('proposal.status')}</h2>
      <table data-testid="proposal-status">
        <tbody>
          {rows.map(([label, value, field]) => (
            <tr
              key={label}
              data-field={field}
              data-value={field ? String((p as unknown as Record<string, unknown>)[field] ?? '') : undefined}
            >
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.referrals.length > 0 && (
        <TableFrame label={w.t('proposal.referrals')}>
          <table data-testid="proposal-referrals">
            <caption>{w.t('proposal.referrals')}</caption>
            <thead>
              <tr>
                <th scope="col">{w.t('proposal.referredOn')}</th>
                <th scope="col">{w.t('proposal.referredTo')}</th>
                <th scope="col">{w.t('proposal.politicalOutcome')}</th>
              </tr>
            </thead>
            <tbody>
              {p.referrals.map((r) => (
                <tr key={r.referralId}>
                  <td>{w.date(r.referredOn)}</td>
                  <td>
                    {w.code('referralKind', r.kind)} {w.t('proposal.to', { body: names.body(r.toBodyId) })}
                    {r.caseNumber && `, ${w.t('proposal.caseNumber', { caseNumber: r.caseNumber })}`}
                  </td>
                  <td>
                    {r.politicalDecision
                      ? `${w.code('politicalOutcome', r.politicalDecision.outcome)}, ${w.date(r.politicalDecision.decidedOn)} (${w.t('proposal.caseNumber', { caseNumber: r.politicalDecision.caseNumber })})`
                      : '–'}
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

/**
 * Whether a step of the path is in the verified trace: the timeline comes from the server's views, the trace from the
 * signed log, so a step the trace does not prove (left out, or failing) is said to be unproven.
 */
/** Fields of an entry that are not the event's data: where and when it is, and what kind. */
const ENVELOPE = new Set(['globalPosition', 'recordedAt', 'occurredAt', 'type']);

/**
 * Whether the step shown is the event the trace proves: the same type and business date, and each field shown equal
 * to the signed leaf's data (a vote's close names its vote through its stream). A hidden count (null) is not compared.
 */
function sameAsProven(entry: TimelineEntry, leaf: TraceVerdict['leaves'][number]): boolean {
  if (leaf.type !== entry.type || leaf.occurredAt !== entry.occurredAt) return false;
  const data = (leaf.data ?? {}) as Record<string, unknown>;
  return Object.entries(entry).every(([field, shown]) => {
    if (ENVELOPE.has(field) || shown === null || shown === undefined) return true;
    const stored =
      field === 'voteId' && leaf.type === 'VoteClosed'
        ? String(leaf.streamId).slice('vote-'.length)
        : data[field];
    return sameValue(shown, stored);
  });
}

/** Equal as data: the same values, objects compared key by key whatever the order of their keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

type Mark = 'proven' | 'differs' | 'failed' | 'missing';

function markOf(verdict: TraceVerdict, entry: TimelineEntry): Mark {
  const leaf = verdict.leaves.find((l) => l.globalPosition === entry.globalPosition);
  if (leaf) return sameAsProven(entry, leaf) ? 'proven' : 'differs';
  return verdict.events.some((e) => e.globalPosition === entry.globalPosition) ? 'failed' : 'missing';
}

function ProofMark({ verdict, entry }: { verdict: TraceVerdict | null; entry: TimelineEntry }) {
  const w = useWords();
  if (!verdict) return null;
  const mark = markOf(verdict, entry);
  const text: Record<Mark, string> = {
    proven: `✔ ${w.t('proof.stepProven')}`,
    differs: `✘ ${w.t('proof.stepDiffers')}`,
    failed: `✘ ${w.t('proof.failed')}`,
    missing: `✘ ${w.t('proof.stepMissing')}`,
  };
  return (
    <span class={`badge ${mark === 'proven' ? 'ok' : 'bad'}`} data-proof={mark}>
      {text[mark]}
    </span>
  );
}

/** Says how many steps the verified trace does not prove, so a reader does not take the path on trust. */
function Unproven({ verdict, entries }: { verdict: TraceVerdict | null; entries: TimelineEntry[] }) {
  const w = useWords();
  if (!verdict) return null;
  const unproven = entries.filter((e) => markOf(verdict, e) !== 'proven').length;
  if (unproven === 0) return null;
  return (
    <p class="problem" role="alert" data-testid="timeline-unproven" data-value={unproven}>
      {w.t('proof.stepsUnproven', { n: unproven, total: entries.length })}
    </p>
  );
}

function Timeline({ id, names, verdict }: { id: string; names: Names; verdict: TraceVerdict | null }) {
  const w = useWords();
  const answer = useView<TimelineAnswer>(`/proposals/${id}/timeline`, {}, ['proposal', 'vote', 'meeting']);
  const months = answer.data?.supports ?? [];
  return (
    <section aria-labelledby="path-heading">
      <h2 id="path-heading">{w.t('proposal.path')}</h2>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        <Unproven verdict={verdict} entries={answer.data?.entries ?? []} />
        <ol class="timeline" data-testid="proposal-timeline">
          {(answer.data?.entries ?? []).map((e) => (
            <li key={e.globalPosition} data-position={e.globalPosition} data-type={e.type}>
              <p class="when">
                <strong>{w.has(`event.${e.type}`) ? w.t(`event.${e.type}` as MessageKey) : e.type}</strong> ·{' '}
                {w.date(e.occurredAt)}{' '}
                <span class="note">({w.t('common.position', { n: w.num(e.globalPosition) })})</span>{' '}
                <ProofMark verdict={verdict} entry={e} />
              </p>
              {entryDetails(w, names, e)}
            </li>
          ))}
        </ol>
        {months.length > 0 && (
          <BarChart
            id="supports"
            caption={w.t('proposal.supportsOverTime')}
            categoryLabel={w.t('proposal.month')}
            categories={months.map((m) => w.month(m.month))}
            series={[
              { label: w.t('proposal.added'), values: months.map((m) => m.added) },
              { label: w.t('proposal.cumulative'), values: months.map((m) => m.cumulative) },
            ]}
            nullAs={w.t('common.suppressed')}
          />
        )}
        <SuppressionNote suppressed={answer.data?.suppressed} />
      </Loading>
    </section>
  );
}

export function ProposalPage({ id }: { id: string }) {
  const w = useWords();
  const names = useNames();
  const [verdict, setVerdict] = useState<TraceVerdict | null>(null);
  const answer = useView<ProposalStatus & { position: number; suppressed?: string[] }>(
    `/proposals/${id}`,
    {},
    ['proposal'],
  );
  usePageTitle(answer.data?.title);
  const back = (
    <p>
      <a href={hrefTo('/proposals')}>← {w.t('nav.proposals')}</a>
    </p>
  );
  if (answer.error?.status === 404)
    // No such proposal (at this point of the ledger): one message, not one per section.
    return (
      <>
        {back}
        <h1 tabIndex={-1}>{w.t('proposal.notFound')}</h1>
        <Problem problem={answer.error} />
      </>
    );
  return (
    <>
      {back}
      <h1 tabIndex={-1}>{answer.data?.title ?? w.t('proposal.status')}</h1>
      <Problem problem={answer.error} retry={answer.reload} />
      <Loading when={answer.loading && !answer.data}>
        {answer.data && <Status p={answer.data} names={names} />}
        <SuppressionNote suppressed={answer.data?.suppressed} />
      </Loading>
      <Timeline id={id} names={names} verdict={verdict} />
      <ProofPanel proposalId={id} onVerdict={setVerdict} />
    </>
  );
}
