import type { DomainEventOf, EventData } from '../../../src/domain/events';
import { categoryOfEvent, eventTypes } from '../../../src/domain/events';
import type { ProposalEvent, Stage } from '../../../projections/proposalPath';
import {
  influenceOf,
  proposalEventTypes,
  stageAfter,
  stageEventTypes,
  stages,
} from '../../../projections/proposalPath';

const committeeDecision = (outcome: EventData<'CommitteeDecisionRecorded'>['outcome']): ProposalEvent => ({
  type: 'CommitteeDecisionRecorded',
  data: {
    decisionId: 'd',
    committeeId: 'c',
    outcome,
    kind: 'recommendation',
    text: '',
    decidedOn: '2021-01-01',
  },
});
const politicalDecision = (outcome: EventData<'PoliticalDecisionRecorded'>['outcome']): ProposalEvent => ({
  type: 'PoliticalDecisionRecorded',
  data: { referralId: 'r', bodyId: 'b', caseNumber: '21/1', outcome, summary: '', decidedOn: '2021-01-01' },
});
const implementation = (status: EventData<'ImplementationReported'>['status']): ProposalEvent => ({
  type: 'ImplementationReported',
  data: { status, progressPct: 0, note: '', reportedOn: '2021-01-01' },
});
const referred: DomainEventOf<'ProposalReferred'> = {
  type: 'ProposalReferred',
  data: { referralId: 'r', toBodyId: 'b', kind: 'recommendation', referredOn: '2021-01-01' },
};
const withdrawn: ProposalEvent = {
  type: 'ProposalWithdrawn',
  data: { withdrawnOn: '2021-01-01', reason: '' },
};
const supported: ProposalEvent = {
  type: 'ProposalSupported',
  data: { personId: 'p', supportedOn: '2021-01-01' },
};

describe('stage after an event', () => {
  it.each<[string, Stage, ProposalEvent, Stage]>([
    ['committee adopted', 'submitted', committeeDecision('adopted'), 'committee_adopted'],
    ['committee rejected', 'submitted', committeeDecision('rejected'), 'committee_rejected'],
    ['committee deferred', 'submitted', committeeDecision('deferred'), 'committee_deferred'],
    ['committee noted', 'committee_deferred', committeeDecision('noted'), 'committee_noted'],
    ['referred', 'committee_adopted', referred, 'referred'],
    ['postponed: still referred', 'referred', politicalDecision('postponed'), 'referred'],
    ['returned', 'referred', politicalDecision('returned'), 'returned'],
    ['decided again after a return', 'returned', committeeDecision('adopted'), 'committee_adopted'],
    ['adopted', 'referred', politicalDecision('adopted'), 'politically_decided'],
    [
      'adopted with amendments',
      'referred',
      politicalDecision('adopted_with_amendments'),
      'politically_decided',
    ],
    ['rejected', 'referred', politicalDecision('rejected'), 'politically_decided'],
    ['noted', 'referred', politicalDecision('noted'), 'politically_decided'],
    ['planned', 'politically_decided', implementation('planned'), 'implementing'],
    ['in progress', 'implementing', implementation('in_progress'), 'implementing'],
    ['completed', 'implementing', implementation('completed'), 'completed'],
    ['abandoned', 'implementing', implementation('abandoned'), 'abandoned'],
    ['own decision implemented', 'committee_adopted', implementation('in_progress'), 'implementing'],
    ['a support changes nothing', 'referred', supported, 'referred'],
    ['withdrawn', 'committee_deferred', withdrawn, 'withdrawn'],
    ['withdrawal is final', 'withdrawn', committeeDecision('adopted'), 'withdrawn'],
  ])('%s', (_what, before, event, after) => {
    expect(stageAfter(before, event)).toBe(after);
  });

  it('knows every stage DOMAIN.md names', () => {
    expect(stages).toHaveLength(12);
  });
});

describe('influence class', () => {
  it.each([
    [false, null, 'not_referred'],
    [true, null, 'pending'],
    [true, 'postponed', 'pending'],
    [true, 'adopted', 'full'],
    [true, 'adopted_with_amendments', 'partial'],
    [true, 'rejected', 'none'],
    [true, 'noted', 'noted'],
    [true, 'returned', 'returned'],
  ] as const)('referred %s, latest outcome %s → %s', (isReferred, outcome, expected) => {
    expect(influenceOf(isReferred, outcome)).toBe(expected);
  });
});

describe('event type lists', () => {
  it('names exactly the events of a proposal stream', () => {
    expect([...proposalEventTypes].sort()).toEqual(
      eventTypes.filter((t) => categoryOfEvent[t] === 'proposal').sort(),
    );
    for (const t of stageEventTypes) expect(proposalEventTypes).toContain(t);
  });
});
