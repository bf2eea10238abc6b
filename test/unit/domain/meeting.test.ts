import type { RecordMeetingInput } from '../../../src/domain/commands';
import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { arenaRegistered, committeeEstablished, ids, personRegistered, proposalSubmitted } from './fixtures';
import { command, given } from './given';

const meeting: RecordMeetingInput = {
  meetingId: ids.meeting,
  committeeId: ids.heggedal,
  arenaId: ids.torg,
  kind: 'public_meeting',
  heldOn: '2021-02-01',
  attendeeCount: 40,
  attendeePersonIds: [ids.anne, ids.frida],
  agendaProposalIds: [ids.proposal],
};

const refs = {
  committee: [committeeEstablished()],
  arena: [arenaRegistered()],
  [`proposal:${ids.proposal}`]: [proposalSubmitted()],
  [`person:${ids.anne}`]: [personRegistered(ids.anne)],
  [`person:${ids.frida}`]: [personRegistered(ids.frida)],
};

const held: DomainEvent = { type: 'MeetingHeld', data: meeting };

describe('meeting: RecordMeeting', () => {
  const record = (over: Partial<RecordMeetingInput> = {}) =>
    command('RecordMeeting', { ...meeting, ...over });

  it('records a public meeting at the citizen square', () => {
    given([]).when(record(), refs).then([held]);
  });

  it('records a workshop of no committee, with no named attendees', () => {
    const workshop = {
      meetingId: ids.meeting,
      kind: 'workshop',
      heldOn: '2021-02-01',
      attendeeCount: 12,
    } as const;
    given([])
      .when(command('RecordMeeting', { ...workshop, agendaProposalIds: [] }))
      .then([{ type: 'MeetingHeld', data: { ...workshop, agendaProposalIds: [] } }]);
  });

  it.each(['committee', 'arena', `proposal:${ids.proposal}`, `person:${ids.frida}`])(
    'needs the %s it names to exist',
    (missing) => {
      const { [missing]: _missing, ...others } = refs;
      const error = given([]).when(record(), others).thenThrows(UnknownReference, 'references-exist');
      expect(error.where).toBe('body');
    },
  );

  it('counts at least the attendees it names', () => {
    given([])
      .when(record({ attendeeCount: 1 }), refs)
      .thenThrows(RuleViolation, 'attendees-counted');
  });

  it('has on its agenda only proposals submitted by the day of the meeting', () => {
    given([])
      .when(record({ heldOn: '2021-01-09' }), refs)
      .thenThrows(RuleViolation, 'meeting-after-agenda-submission');
  });

  it('does not record a meeting in the future', () => {
    given([]).when(record(), refs, { today: '2021-01-31' }).thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('records a meeting once', () => {
    given([held]).when(record(), refs).thenThrows(StateConflict, 'already-exists');
  });
});
