/**
 * The research exports (API.md /exports): flat, documented datasets for evaluators. Person ids are pseudonyms
 * (HMAC under a server secret: stable across exports, not reversible); names never appear.
 */
import {
  committeeOf,
  committeeProjection,
  listCommittees,
  listProposals,
  participationOf,
  participationProjection,
  proposalStatusProjection,
  votesProjection,
} from '../../projections';
import { idInStream } from '../domain/events';
import { pseudonymisedEvent, type Pseudonyms } from '../privacy/pseudonyms';
import type { EventStore, RecordedEvent } from '../store/eventStore';
import type { ProjectionRunner } from '../views/projectionRunner';
import type { Cell } from './csv';

export interface Column {
  name: string;
  description: string;
}

export interface Dataset {
  name: string;
  description: string;
  columns: Column[];
  /** Rows as of `position`; `date` is the as-of date deadlines are judged at. */
  rows(ctx: ExportContext): AsyncIterable<Record<string, Cell>>;
}

export interface ExportContext {
  runner: ProjectionRunner;
  store: EventStore;
  pseudonyms: Pseudonyms;
  position: number;
  date: string;
}

const col = (name: string, description: string): Column => ({ name, description });

const proposals: Dataset = {
  name: 'proposals',
  description: 'One row per proposal: its path from submission to political decision and implementation.',
  columns: [
    col('proposalId', 'proposal id (UUID)'),
    col('committeeId', 'the committee it was submitted to'),
    col('processId', 'the co-creation process it belongs to, if any'),
    col('title', 'latest title (after amendments)'),
    col('origin', 'resident | member | committee | administration | political_body | citizen_initiative'),
    col('theme', 'theme, if given'),
    col('area', 'area, if given'),
    col('submittedOn', 'business date of submission (YYYY-MM-DD)'),
    col('stage', 'current stage (docs/views.md)'),
    col('supports', 'number of supports'),
    col('committeeOutcome', 'latest committee decision outcome'),
    col('committeeDecisionKind', 'recommendation | own_decision | consultation_response'),
    col('committeeDecidedOn', 'date of the latest committee decision'),
    col('referrals', 'number of referrals to political bodies'),
    col('firstReferredOn', 'date of the first referral'),
    col('politicalOutcome', 'outcome of the latest political decision'),
    col('politicalBodyId', 'the body of the latest referral'),
    col('politicalDecisionOn', 'date of the first political decision that closed a referral'),
    col('daysToPoliticalDecision', 'calendar days from submission to that decision'),
    col('influence', 'full | partial | none | noted | returned | pending | not_referred'),
    col('implementationStatus', 'planned | in_progress | completed | abandoned'),
    col('implementationProgressPct', 'latest reported progress, 0–100'),
    col('initiativeDeadline', "citizens' initiatives: the date the council must decide by"),
    col('overdue', "citizens' initiatives: past the deadline without a decision, as of the export's date"),
  ],
  async *rows(ctx) {
    const { state } = await ctx.runner.asOf(proposalStatusProjection, ctx.position);
    for (const p of listProposals(state, {}, ctx.date).items) {
      const lastReferral = p.referrals[p.referrals.length - 1];
      yield {
        proposalId: p.proposalId,
        committeeId: p.committeeId,
        processId: p.processId,
        title: p.title,
        origin: p.origin,
        theme: p.theme,
        area: p.area,
        submittedOn: p.submittedOn,
        stage: p.stage,
        supports: p.supports,
        committeeOutcome: p.latestCommitteeDecision?.outcome,
        committeeDecisionKind: p.latestCommitteeDecision?.kind,
        committeeDecidedOn: p.latestCommitteeDecision?.decidedOn,
        referrals: p.referrals.length,
        firstReferredOn: p.dates.firstReferredOn,
        politicalOutcome: lastReferral?.politicalDecision?.outcome,
        politicalBodyId: lastReferral?.toBodyId,
        politicalDecisionOn: p.dates.politicalDecisionOn,
        daysToPoliticalDecision: p.daysToPoliticalDecision,
        influence: p.influence,
        implementationStatus: p.implementation?.status,
        implementationProgressPct: p.implementation?.progressPct,
        initiativeDeadline: p.initiativeDeadline ?? null,
        overdue: p.overdue ?? null,
      };
    }
  },
};

/** The events up to the export's position, only of `types` when given (filtered by the store, not decoded first). */
async function* eventsUpTo(ctx: ExportContext, types?: readonly string[]): AsyncGenerator<RecordedEvent> {
  if (ctx.position < 0) return;
  for await (const page of ctx.store.readAllBatches(0, { toPosition: ctx.position, types })) yield* page;
}

const decisions: Dataset = {
  name: 'decisions',
  description: 'One row per committee decision and per political decision, in ledger order.',
  columns: [
    col('globalPosition', 'position of the event in the ledger'),
    col('level', 'committee | political'),
    col('proposalId', 'the proposal decided on'),
    col('decisionId', 'committee decisions: the decision id; political decisions: the referral id'),
    col('decidedBy', 'committee id or political body id'),
    col(
      'outcome',
      'committee: adopted | rejected | deferred | noted; political: adopted | adopted_with_amendments | rejected | returned | noted | postponed',
    ),
    col('kind', 'committee decision kind (recommendation | own_decision | consultation_response)'),
    col('caseNumber', 'political case number'),
    col('decidedOn', 'business date of the decision'),
    col('voteId', 'the committee vote it rests on, if any'),
    col('grantNok', 'grant in whole NOK (own decisions)'),
    col('votesFor', 'political vote: for'),
    col('votesAgainst', 'political vote: against'),
  ],
  async *rows(ctx) {
    for await (const e of eventsUpTo(ctx, ['CommitteeDecisionRecorded', 'PoliticalDecisionRecorded'])) {
      const d = e.data as Record<string, unknown>;
      const proposalId = idInStream(e.streamId, 'proposal');
      if (e.type === 'CommitteeDecisionRecorded') {
        yield {
          globalPosition: e.globalPosition,
          level: 'committee',
          proposalId,
          decisionId: d.decisionId as string,
          decidedBy: d.committeeId as string,
          outcome: d.outcome as string,
          kind: d.kind as string,
          caseNumber: null,
          decidedOn: d.decidedOn as string,
          voteId: (d.voteId as string | undefined) ?? null,
          grantNok: (d.grantNok as number | undefined) ?? null,
          votesFor: null,
          votesAgainst: null,
        };
      } else {
        yield {
          globalPosition: e.globalPosition,
          level: 'political',
          proposalId,
          decisionId: d.referralId as string,
          decidedBy: d.bodyId as string,
          outcome: d.outcome as string,
          kind: null,
          caseNumber: d.caseNumber as string,
          decidedOn: d.decidedOn as string,
          voteId: null,
          grantNok: null,
          votesFor: (d.votesFor as number | undefined) ?? null,
          votesAgainst: (d.votesAgainst as number | undefined) ?? null,
        };
      }
    }
  },
};

const votes: Dataset = {
  name: 'votes',
  description: 'One row per ballot (voter pseudonymised), with its vote; a vote without ballots has one row.',
  columns: [
    col('voteId', 'vote id'),
    col('proposalId', 'the proposal voted on'),
    col('committeeId', 'the voting committee'),
    col('rule', 'simple_majority | two_thirds'),
    col('openedOn', 'date opened'),
    col('closedOn', 'date closed (empty while open)'),
    col('eligible', 'eligible members at opening'),
    col('yes', 'tally: yes'),
    col('no', 'tally: no'),
    col('abstain', 'tally: abstain'),
    col('result', 'passed | failed | no_quorum'),
    col('voter', 'pseudonym of the member who cast the ballot'),
    col('choice', 'yes | no | abstain'),
    col('castOn', 'date of the ballot'),
  ],
  async *rows(ctx) {
    const { state } = await ctx.runner.asOf(votesProjection, ctx.position);
    const sorted = Object.values(state.votes).sort((a, b) => (a.positions[0] ?? 0) - (b.positions[0] ?? 0));
    for (const v of sorted) {
      const base = {
        voteId: v.voteId,
        proposalId: v.proposalId,
        committeeId: v.committeeId,
        rule: v.rule,
        openedOn: v.openedOn,
        closedOn: v.closed?.closedOn,
        eligible: v.closed?.eligible,
        yes: v.closed?.tally.yes,
        no: v.closed?.tally.no,
        abstain: v.closed?.tally.abstain,
        result: v.closed?.result,
      };
      if (v.ballots.length === 0) yield { ...base, voter: null, choice: null, castOn: null };
      for (const b of v.ballots)
        yield { ...base, voter: ctx.pseudonyms.of(b.personId), choice: b.choice, castOn: b.castOn };
    }
  },
};

const participation: Dataset = {
  name: 'participation',
  description:
    'One row per committee (and one for all): participants, members by actor group, turnout, attendance, supports. Not suppressed: evaluators only.',
  columns: [
    col('committeeId', 'committee id; empty for the whole ledger'),
    col('committeeName', 'committee name'),
    col('participants', 'distinct persons who took part in any way'),
    col('members', 'memberships'),
    col('membersResident', 'members: residents'),
    col('membersPrivateActor', 'members: private actors'),
    col('membersVoluntaryOrg', 'members: voluntary organisations'),
    col('membersMunicipality', 'members: municipality and staff'),
    col('membersPolitician', 'members: politicians'),
    col('closedVotes', 'votes closed'),
    col('ballotsCast', 'ballots cast in closed votes'),
    col('eligible', 'eligible members in closed votes'),
    col('publicMeetings', 'public meetings held'),
    col('publicMeetingAttendees', 'total attendance at public meetings'),
    col('supports', 'supports given'),
  ],
  async *rows(ctx) {
    const { state } = await ctx.runner.asOf(participationProjection, ctx.position);
    const { state: committees } = await ctx.runner.asOf(committeeProjection, ctx.position);
    const targets: Array<{ id?: string; name: string }> = [
      { name: 'all' },
      ...listCommittees(committees).map((c) => ({ id: c.committeeId, name: c.name })),
    ];
    for (const target of targets) {
      const v = participationOf(state, target.id ? { committeeId: target.id } : {});
      yield {
        committeeId: target.id ?? null,
        committeeName: target.id ? (committeeOf(committees, target.id)?.name ?? null) : 'all',
        participants: v.participants,
        members: v.members.total,
        membersResident: v.members.byActorGroup.resident,
        membersPrivateActor: v.members.byActorGroup.private_actor,
        membersVoluntaryOrg: v.members.byActorGroup.voluntary_org,
        membersMunicipality: v.members.byActorGroup.municipality,
        membersPolitician: v.members.byActorGroup.politician,
        closedVotes: v.turnout.closedVotes,
        ballotsCast: v.turnout.ballotsCast,
        eligible: v.turnout.eligible,
        publicMeetings: v.publicMeetings.meetings,
        publicMeetingAttendees: v.publicMeetings.attendees,
        supports: v.supports,
      };
    }
  },
};

const events: Dataset = {
  name: 'events',
  description:
    'The log in ledger order, person ids pseudonymised and personal data left out (data as JSON text).',
  columns: [
    col('globalPosition', 'position in the ledger'),
    col('eventId', 'event id'),
    col('streamId', 'stream (person streams pseudonymised)'),
    col('streamRevision', 'revision within the stream'),
    col('type', 'event type (DOMAIN.md)'),
    col('schemaVersion', 'schema version of the event type'),
    col('recordedAt', 'server time of recording'),
    col('occurredAt', 'business date the event names'),
    col('actorRole', 'role of whoever recorded it'),
    col('data', 'event data as JSON'),
  ],
  async *rows(ctx) {
    for await (const stored of eventsUpTo(ctx)) {
      const e = pseudonymisedEvent(stored, ctx.pseudonyms);
      // Personal data is left out even in its sealed form: a research file has no use for ciphertexts.
      const { personal: _personal, ...data } = e.data as Record<string, unknown>;
      yield {
        globalPosition: e.globalPosition,
        eventId: e.eventId,
        streamId: e.streamId,
        streamRevision: e.streamRevision,
        type: e.type,
        schemaVersion: e.schemaVersion,
        recordedAt: e.recordedAt,
        occurredAt: e.occurredAt,
        actorRole: e.actor.role,
        data: JSON.stringify(data),
      };
    }
  },
};

export const datasets: Record<string, Dataset> = { proposals, decisions, votes, participation, events };

export function dataDictionary(): Array<{
  name: string;
  description: string;
  formats: string[];
  columns: Column[];
}> {
  return Object.values(datasets).map((d) => ({
    name: d.name,
    description: d.description,
    formats: ['csv', 'ndjson'],
    columns: d.columns,
  }));
}
