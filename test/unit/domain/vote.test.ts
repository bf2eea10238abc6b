import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent, EventData } from '../../../src/domain/events';
import { resultOf } from '../../../src/domain/vote/vote';
import {
  ballotCast,
  heggedal,
  ids,
  memberAppointed,
  memberLeft,
  proposalSubmitted,
  voteOpened,
} from './fixtures';
import { command, given } from './given';

const committee = { committee: heggedal() };

describe('vote: OpenVote', () => {
  const open = (over: { openedOn?: string; meetingId?: string } = {}) =>
    command('OpenVote', {
      voteId: ids.vote,
      proposalId: ids.proposal,
      question: 'Skal utvalget anbefale forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-02-01',
      ...over,
    });
  const proposal = { proposal: [proposalSubmitted()] };

  it("opens a vote on a proposal, for the proposal's committee", () => {
    given([]).when(open(), proposal).then([voteOpened()]);
  });

  it('opens a vote at a meeting', () => {
    const meeting: DomainEvent = {
      type: 'MeetingHeld',
      data: {
        meetingId: ids.meeting,
        committeeId: ids.heggedal,
        kind: 'committee_meeting',
        heldOn: '2021-02-01',
        attendeeCount: 5,
        agendaProposalIds: [ids.proposal],
      },
    };
    given([])
      .when(open({ meetingId: ids.meeting }), { ...proposal, meeting: [meeting] })
      .then([voteOpened({ meetingId: ids.meeting })]);
  });

  it('needs the proposal to exist', () => {
    given([]).when(open()).thenThrows(UnknownReference, 'references-exist');
  });

  it('needs the meeting to exist', () => {
    given([])
      .when(open({ meetingId: ids.meeting }), proposal)
      .thenThrows(UnknownReference, 'references-exist');
  });

  it('opens no vote on a withdrawn proposal', () => {
    const withdrawn: DomainEvent = {
      type: 'ProposalWithdrawn',
      data: { withdrawnOn: '2021-01-20', reason: 'x' },
    };
    given([])
      .when(open(), { proposal: [proposalSubmitted(), withdrawn] })
      .thenThrows(StateConflict, 'withdrawn-proposal-is-closed');
  });

  it('opens no vote before the proposal was submitted', () => {
    given([])
      .when(open({ openedOn: '2021-01-09' }), proposal)
      .thenThrows(RuleViolation, 'vote-after-submission');
  });

  it('opens no vote dated in the future', () => {
    given([]).when(open(), proposal, { today: '2021-01-31' }).thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('opens a vote once', () => {
    given([voteOpened()]).when(open(), proposal).thenThrows(StateConflict, 'already-exists');
  });
});

describe('vote: CastBallot', () => {
  const cast = (personId: string, castOn = '2021-02-01') =>
    command('CastBallot', { voteId: ids.vote, personId, choice: 'yes', castOn });

  it('records the ballot of an eligible member', () => {
    given([voteOpened()])
      .when(cast(ids.anne), committee)
      .then([ballotCast(ids.anne, 'yes')]);
  });

  it('is a 404 for an unknown vote', () => {
    given([]).when(cast(ids.anne)).thenThrows(UnknownReference, 'references-exist');
  });

  it('takes one ballot per member', () => {
    given([voteOpened(), ballotCast(ids.anne, 'no')])
      .when(cast(ids.anne), committee)
      .thenThrows(StateConflict, 'one-ballot-per-member');
  });

  it('takes no ballot after the close', () => {
    given([voteOpened(), closed(4, { yes: 0, no: 0, abstain: 0 }, 'no_quorum')])
      .when(cast(ids.anne), committee)
      .thenThrows(StateConflict, 'vote-closed');
  });

  it.each([
    ['someone who is not a member', ids.frida, heggedal()],
    ['a deputy', ids.erik, heggedal()],
    [
      'a member appointed after the vote opened',
      ids.frida,
      [...heggedal(), memberAppointed(ids.frida, 'member', '2021-02-02')],
    ],
    [
      'a member who left on the day the vote opened',
      ids.anne,
      [...heggedal(), memberLeft(ids.anne, '2021-02-01')],
    ],
  ])('refuses a ballot by %s', (_who, personId, committeeEvents) => {
    given([voteOpened()])
      .when(cast(personId, '2021-02-03'), { committee: committeeEvents })
      .thenThrows(RuleViolation, 'ballot-by-eligible-member');
  });

  it('counts a member who left after the vote opened as eligible', () => {
    given([voteOpened()])
      .when(cast(ids.anne, '2021-02-03'), { committee: [...heggedal(), memberLeft(ids.anne, '2021-02-02')] })
      .then([ballotCast(ids.anne, 'yes', '2021-02-03')]);
  });

  it('takes no ballot dated before the vote opened', () => {
    given([voteOpened()])
      .when(cast(ids.anne, '2021-01-31'), committee)
      .thenThrows(RuleViolation, 'ballot-after-opening');
  });

  it('takes no ballot dated in the future', () => {
    given([voteOpened()])
      .when(cast(ids.anne, '2021-02-02'), committee, { today: '2021-02-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

type Tally = EventData<'VoteClosed'>['tally'];

function closed(
  eligible: number,
  tally: Tally,
  result: EventData<'VoteClosed'>['result'],
  closedOn = '2021-02-01',
): DomainEvent {
  return { type: 'VoteClosed', data: { closedOn, eligible, tally, result } };
}

describe('vote: CloseVote (the server computes eligible, tally and result)', () => {
  const close = (closedOn = '2021-02-01') => command('CloseVote', { voteId: ids.vote, closedOn });
  const ballots = (...choices: Array<'yes' | 'no' | 'abstain'>) =>
    choices.map((choice, i) =>
      ballotCast([ids.anne, ids.bjorn, ids.cecilie, ids.dag][i] ?? ids.frida, choice),
    );

  it('passes by simple majority when yes > no', () => {
    given([voteOpened(), ...ballots('yes', 'yes', 'yes', 'no')])
      .when(close(), committee)
      .then([closed(4, { yes: 3, no: 1, abstain: 0 }, 'passed')]);
  });

  it('fails by simple majority on a tie', () => {
    given([voteOpened(), ...ballots('yes', 'yes', 'no', 'no')])
      .when(close(), committee)
      .then([closed(4, { yes: 2, no: 2, abstain: 0 }, 'failed')]);
  });

  it('has quorum when exactly half of the eligible voted, abstentions included (kommuneloven § 11-9)', () => {
    given([voteOpened(), ...ballots('yes', 'abstain')])
      .when(close(), committee)
      .then([closed(4, { yes: 1, no: 0, abstain: 1 }, 'passed')]);
  });

  it('has no quorum when fewer than half of the eligible voted', () => {
    given([voteOpened(), ...ballots('yes')])
      .when(close(), committee)
      .then([closed(4, { yes: 1, no: 0, abstain: 0 }, 'no_quorum')]);
  });

  it('fails when everyone abstains', () => {
    given([voteOpened(), ...ballots('abstain', 'abstain', 'abstain')])
      .when(close(), committee)
      .then([closed(4, { yes: 0, no: 0, abstain: 3 }, 'failed')]);
  });

  it('passes by two thirds when yes is exactly two thirds of yes + no', () => {
    given([voteOpened({ rule: 'two_thirds' }), ...ballots('yes', 'yes', 'no', 'abstain')])
      .when(close(), committee)
      .then([closed(4, { yes: 2, no: 1, abstain: 1 }, 'passed')]);
  });

  it('fails by two thirds when yes is a simple majority only', () => {
    const five = [...heggedal(), memberAppointed(ids.frida)];
    given([voteOpened({ rule: 'two_thirds' }), ...ballots('yes', 'yes', 'yes', 'no', 'no')])
      .when(close(), { committee: five })
      .then([closed(5, { yes: 3, no: 2, abstain: 0 }, 'failed')]);
  });

  it('counts as eligible the voting members on the day the vote opened', () => {
    const later = [
      ...heggedal(),
      memberAppointed(ids.frida, 'member', '2021-02-02'),
      memberLeft(ids.dag, '2021-01-15'),
    ];
    given([voteOpened(), ...ballots('yes', 'yes')])
      .when(close('2021-02-03'), { committee: later })
      .then([closed(3, { yes: 2, no: 0, abstain: 0 }, 'passed', '2021-02-03')]);
  });

  it('closes once', () => {
    given([voteOpened(), closed(4, { yes: 0, no: 0, abstain: 0 }, 'no_quorum')])
      .when(close(), committee)
      .thenThrows(StateConflict, 'vote-closed');
  });

  it('closes no vote before it opened', () => {
    given([voteOpened()])
      .when(close('2021-01-31'), committee)
      .thenThrows(RuleViolation, 'vote-close-date-in-order');
  });

  it('closes no vote before its last ballot', () => {
    given([voteOpened(), ballotCast(ids.anne, 'yes', '2021-02-05')])
      .when(close('2021-02-04'), committee)
      .thenThrows(RuleViolation, 'vote-close-date-in-order');
  });

  it('closes no vote dated in the future', () => {
    given([voteOpened()])
      .when(close('2021-02-02'), committee, { today: '2021-02-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('vote result', () => {
  it.each([
    ['simple_majority', 10, { yes: 3, no: 2, abstain: 0 }, 'passed'],
    ['simple_majority', 10, { yes: 2, no: 2, abstain: 0 }, 'no_quorum'],
    ['simple_majority', 0, { yes: 0, no: 0, abstain: 0 }, 'failed'],
    ['two_thirds', 9, { yes: 4, no: 2, abstain: 0 }, 'passed'],
    ['two_thirds', 9, { yes: 4, no: 3, abstain: 0 }, 'failed'],
    ['two_thirds', 9, { yes: 0, no: 0, abstain: 5 }, 'failed'],
  ] as const)('%s with %i eligible and %j is %s', (rule, eligible, tally, expected) => {
    expect(resultOf(rule, eligible, tally)).toBe(expected);
  });
});
