/**
 * The directory view's lookups: processes with their phases and completion, meetings with their attendees and
 * filters, persons with their erasure; the first registration of an id stands, events of unknown ids change nothing.
 */
import {
  directoryProjection,
  listMeetings,
  listPersons,
  listProcesses,
  meetingOf,
  personOf,
  processOf,
} from '../../../projections';
import { fold, LedgerBuilder, throughJson, uuid } from './support/ledgerBuilder';

const [committee, other, process, m1, m2, m3, p1, p2, nobody] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(uuid) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

function trial(): LedgerBuilder {
  const l = new LedgerBuilder();
  l.append('person', p1, {
    type: 'PersonRegistered',
    data: { personId: p1, personal: { name: 'Astrid' }, birthYear: 1980, area: 'Heggedal' },
  });
  l.append('person', p2, { type: 'PersonRegistered', data: { personId: p2, personal: { name: 'Bjørn' } } });
  l.append('person', p2, {
    type: 'PersonalDataErased',
    data: { erasedOn: '2022-01-10', reason: 'Sletting' },
  });
  l.append('person', nobody, {
    type: 'PersonalDataErased',
    data: { erasedOn: '2022-01-10', reason: 'Sletting' },
  });
  l.append('process', process, {
    type: 'ProcessStarted',
    data: {
      processId: process,
      title: 'Veikart',
      committeeIds: [committee],
      coCreationForm: 'equal',
      startedOn: '2021-01-10',
    },
  });
  l.append('process', process, {
    type: 'ProcessPhaseStarted',
    data: { phase: 'co_creation', startedOn: '2021-02-01' },
  });
  l.append('process', nobody, {
    type: 'ProcessPhaseStarted',
    data: { phase: 'co_creation', startedOn: '2021-02-01' },
  });
  l.append('process', process, {
    type: 'ProcessCompleted',
    data: { completedOn: '2021-12-01', summary: 'Ferdig' },
  });
  const meeting = (meetingId: string, committeeId: string, heldOn: string, attendeePersonIds?: string[]) =>
    l.append('meeting', meetingId, {
      type: 'MeetingHeld',
      data: {
        meetingId,
        committeeId,
        kind: 'committee_meeting',
        heldOn,
        attendeeCount: 4,
        ...(attendeePersonIds ? { attendeePersonIds } : {}),
        agendaProposalIds: [],
      },
    });
  meeting(m2, committee, '2021-05-01', [p1, p2]);
  meeting(m1, committee, '2021-03-01');
  meeting(m3, other, '2021-05-01');
  // A second registration of an id already held does not replace the first.
  meeting(m1, other, '2099-01-01');
  return l;
}

describe('the directory view', () => {
  const state = fold(directoryProjection, trial().events);

  test('a process with its phases in order and its completion; by committee', () => {
    expect(processOf(state, process)).toEqual({
      processId: process,
      title: 'Veikart',
      committeeIds: [committee],
      coCreationForm: 'equal',
      startedOn: '2021-01-10',
      phases: [{ phase: 'co_creation', startedOn: '2021-02-01' }],
      completedOn: '2021-12-01',
      summary: 'Ferdig',
    });
    expect(processOf(state, nobody)).toBeUndefined();
    expect(listProcesses(state, { committeeId: committee }).map((p) => p.processId)).toEqual([process]);
    expect(listProcesses(state, { committeeId: other })).toEqual([]);
  });

  test('meetings by date held then id, filtered by committee and inclusive dates; the first registration stands', () => {
    expect(listMeetings(state).map((m) => m.meetingId)).toEqual([m1, m2, m3]);
    expect(listMeetings(state, { committeeId: committee }).map((m) => m.meetingId)).toEqual([m1, m2]);
    expect(listMeetings(state, { from: '2021-05-01', to: '2021-05-01' }).map((m) => m.meetingId)).toEqual([
      m2,
      m3,
    ]);
    expect(listMeetings(state, { to: '2021-04-30' }).map((m) => m.meetingId)).toEqual([m1]);
    expect(meetingOf(state, m1)).toMatchObject({
      committeeId: committee,
      heldOn: '2021-03-01',
      attendeePersonIds: [],
    });
    expect(meetingOf(state, m2)?.attendeePersonIds).toEqual([p1, p2]);
  });

  test('persons with the unsealed facts of their registration and the date of an erasure', () => {
    expect(listPersons(state)).toEqual([
      { personId: p1, birthYear: 1980, area: 'Heggedal', erasedOn: null },
      { personId: p2, birthYear: null, area: null, erasedOn: '2022-01-10' },
    ]);
    expect(personOf(state, nobody)).toBeUndefined();
    expect(JSON.stringify(state)).not.toContain('Astrid');
  });

  test('answers are copies: changing one leaves the view as it was', () => {
    const meeting = meetingOf(state, m2);
    meeting?.attendeePersonIds.push(nobody);
    listProcesses(state)[0]?.phases.push({ phase: 'implementation', startedOn: '2022-01-01' });
    expect(meetingOf(state, m2)?.attendeePersonIds).toEqual([p1, p2]);
    expect(processOf(state, process)?.phases).toHaveLength(1);
  });

  test('a snapshot (through JSON) folds on to the same state', () => {
    const events = trial().events;
    const half = throughJson(fold(directoryProjection, events.slice(0, 6)));
    expect(fold(directoryProjection, events.slice(6), half)).toEqual(state);
  });
});
