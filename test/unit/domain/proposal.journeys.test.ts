/** Happy paths: a proposal through every stage DOMAIN.md names, command by command. */
import type { DomainEvent } from '../../../src/domain/events';
import {
  amend,
  councilRegistered,
  decide,
  decidePolitically,
  executiveRegistered,
  heggedal,
  ids,
  members,
  personRegistered,
  proposalSubmitted,
  refer,
  report,
  submit,
  support,
  withdraw,
} from './fixtures';
import { command, journey } from './given';

const committee = { committee: heggedal() };
const council = { body: [councilRegistered()] };
const submission = { command: submit(), refs: { ...committee, submittedBy: [personRegistered(ids.frida)] } };

const typesOf = (events: readonly DomainEvent[]) => events.map((e) => e.type);
const last = (events: readonly DomainEvent[]) => events.at(-1)?.data;

describe('proposal journeys', () => {
  it('adopted: supported, voted, recommended, referred, adopted by the council, implemented', () => {
    const vote = journey(
      [],
      [
        {
          command: command('OpenVote', {
            voteId: ids.vote,
            proposalId: ids.proposal,
            question: 'Anbefale?',
            rule: 'simple_majority',
            openedOn: '2021-02-01',
          }),
          refs: { proposal: [proposalSubmitted()] },
        },
        ...members.map((personId, i) => ({
          command: command('CastBallot', {
            voteId: ids.vote,
            personId,
            choice: i < 3 ? 'yes' : 'no',
            castOn: '2021-02-01',
          }),
          refs: committee,
        })),
        { command: command('CloseVote', { voteId: ids.vote, closedOn: '2021-02-01' }), refs: committee },
      ],
    );
    expect(last(vote)).toEqual({
      closedOn: '2021-02-01',
      eligible: 4,
      tally: { yes: 3, no: 1, abstain: 0 },
      result: 'passed',
    });

    const proposal = journey(
      [],
      [
        submission,
        { command: support(ids.anne), refs: { person: [personRegistered(ids.anne)] } },
        { command: decide({ voteId: ids.vote }), refs: { ...committee, vote } },
        { command: refer(), refs: council },
        { command: decidePolitically() },
        { command: report() },
        { command: report({ status: 'completed', progressPct: 100, reportedOn: '2021-09-01' }) },
      ],
    );
    expect(typesOf(proposal)).toEqual([
      'ProposalSubmitted',
      'ProposalSupported',
      'CommitteeDecisionRecorded',
      'ProposalReferred',
      'PoliticalDecisionRecorded',
      'ImplementationReported',
      'ImplementationReported',
    ]);
  });

  it('rejected by the committee', () => {
    const proposal = journey([], [submission, { command: decide({ outcome: 'rejected' }), refs: committee }]);
    expect(last(proposal)).toMatchObject({ outcome: 'rejected', committeeId: ids.heggedal });
  });

  it('noted by the committee', () => {
    const proposal = journey(
      [],
      [submission, { command: decide({ outcome: 'noted', kind: 'consultation_response' }), refs: committee }],
    );
    expect(last(proposal)).toMatchObject({ outcome: 'noted' });
  });

  it('deferred, then adopted as an own decision with a grant, then implemented', () => {
    const proposal = journey(
      [],
      [
        submission,
        { command: decide({ outcome: 'deferred', decidedOn: '2021-02-01' }), refs: committee },
        {
          command: decide({
            decisionId: ids.decision2,
            kind: 'own_decision',
            grantNok: 25_000,
            decidedOn: '2021-03-01',
          }),
          refs: { ...committee, grants: { aggregate: 'grantLedger', committeeId: ids.heggedal, grants: {} } },
        },
        { command: report({ status: 'completed', progressPct: 100, reportedOn: '2021-06-01' }) },
      ],
    );
    expect(typesOf(proposal)).toEqual([
      'ProposalSubmitted',
      'CommitteeDecisionRecorded',
      'CommitteeDecisionRecorded',
      'ImplementationReported',
    ]);
  });

  it('amended, supported and withdrawn', () => {
    const proposal = journey(
      [],
      [
        submission,
        { command: amend() },
        { command: support(ids.anne), refs: { person: [personRegistered(ids.anne)] } },
        { command: withdraw() },
      ],
    );
    expect(typesOf(proposal)).toEqual([
      'ProposalSubmitted',
      'ProposalAmended',
      'ProposalSupported',
      'ProposalWithdrawn',
    ]);
  });

  it('referred, returned, decided again, referred again and adopted with amendments', () => {
    const proposal = journey(
      [],
      [
        submission,
        { command: decide(), refs: committee },
        { command: refer(), refs: council },
        {
          command: decidePolitically({
            outcome: 'returned',
            summary: 'Sendt tilbake for nærmere utredning.',
          }),
        },
        { command: decide({ decisionId: ids.decision2, decidedOn: '2021-04-15' }), refs: committee },
        { command: refer({ referralId: ids.referral2, referredOn: '2021-05-01' }), refs: council },
        {
          command: decidePolitically({
            referralId: ids.referral2,
            caseNumber: '21/2345',
            outcome: 'adopted_with_amendments',
            decidedOn: '2021-06-10',
          }),
        },
        { command: report({ reportedOn: '2021-08-01' }) },
      ],
    );
    expect(last(proposal)).toMatchObject({ status: 'in_progress' });
    expect(proposal.filter((e) => e.type === 'ProposalReferred')).toHaveLength(2);
  });

  it('postponed, then adopted by the executive committee', () => {
    const proposal = journey(
      [],
      [
        submission,
        { command: decide(), refs: committee },
        { command: refer({ toBodyId: ids.executive }), refs: { body: [executiveRegistered()] } },
        { command: decidePolitically({ outcome: 'postponed', decidedOn: '2021-03-01' }) },
        { command: decidePolitically({ decidedOn: '2021-04-01' }) },
      ],
    );
    expect(last(proposal)).toMatchObject({ bodyId: ids.executive, outcome: 'adopted' });
  });

  it("a citizens' initiative reaching the threshold, decided by the council", () => {
    const supporters = [ids.anne, ids.bjorn, ids.cecilie];
    const proposal = journey(
      [],
      [
        { ...submission, command: submit({ origin: 'citizen_initiative' }) },
        ...supporters.map((personId) => ({
          command: support(personId),
          refs: { person: [personRegistered(personId)] },
        })),
        {
          command: refer({ kind: 'citizen_initiative', referredOn: '2021-01-25' }),
          refs: council,
          ctx: { citizenInitiativeThreshold: 3 },
        },
        { command: decidePolitically({ decidedOn: '2021-06-01' }) },
        { command: report({ status: 'planned', progressPct: 0, reportedOn: '2021-06-15' }) },
      ],
    );
    expect(proposal.find((e) => e.type === 'ProposalReferred')?.data).toMatchObject({
      kind: 'citizen_initiative',
    });
  });
});
