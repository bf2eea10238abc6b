import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { committeeEstablished, ids, processStarted, taskCommitteeEstablished } from './fixtures';
import { command, given } from './given';

const phaseStarted = (phase: 'knowledge_base' | 'co_creation', startedOn: string): DomainEvent => ({
  type: 'ProcessPhaseStarted',
  data: { phase, startedOn },
});

describe('process: StartProcess', () => {
  const start = (committeeIds = [ids.heggedal, ids.taskCommittee]) =>
    command('StartProcess', {
      processId: ids.process,
      title: 'Temaplan for Heggedal sentrum',
      committeeIds,
      coCreationForm: 'equal',
      startedOn: '2020-10-01',
    });
  const committees = {
    [`committee:${ids.heggedal}`]: [committeeEstablished()],
    [`committee:${ids.taskCommittee}`]: [taskCommitteeEstablished()],
  };

  it('starts a process run by committees', () => {
    given([])
      .when(start(), committees)
      .then([processStarted([ids.heggedal, ids.taskCommittee])]);
  });

  it('needs every committee to exist', () => {
    given([])
      .when(start(), { [`committee:${ids.heggedal}`]: [committeeEstablished()] })
      .thenThrows(UnknownReference, 'references-exist');
  });

  it('refuses a second start under the same id', () => {
    given([processStarted()]).when(start(), committees).thenThrows(StateConflict, 'already-exists');
  });

  it('does not record a start in the future', () => {
    given([])
      .when(start(), committees, { today: '2020-09-30' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('process: StartProcessPhase', () => {
  const phase = (startedOn: string) =>
    command('StartProcessPhase', { processId: ids.process, phase: 'co_creation', startedOn });

  it('starts a phase', () => {
    given([processStarted(), phaseStarted('knowledge_base', '2020-10-01')])
      .when(phase('2021-01-15'))
      .then([phaseStarted('co_creation', '2021-01-15')]);
  });

  it('is a 404 for an unknown process', () => {
    given([]).when(phase('2021-01-15')).thenThrows(UnknownReference, 'references-exist');
  });

  it('starts no phase before the process started', () => {
    given([processStarted()]).when(phase('2020-09-30')).thenThrows(RuleViolation, 'phase-date-in-order');
  });

  it('starts no phase before the previous phase', () => {
    given([processStarted(), phaseStarted('knowledge_base', '2021-02-01')])
      .when(phase('2021-01-15'))
      .thenThrows(RuleViolation, 'phase-date-in-order');
  });

  it('starts no phase in a completed process', () => {
    given([
      processStarted(),
      { type: 'ProcessCompleted', data: { completedOn: '2021-01-01', summary: 'done' } },
    ])
      .when(phase('2021-01-15'))
      .thenThrows(StateConflict, 'process-completed');
  });
});

describe('process: CompleteProcess', () => {
  const complete = (completedOn: string) =>
    command('CompleteProcess', { processId: ids.process, completedOn, summary: 'Temaplanen er vedtatt.' });

  it('completes the process', () => {
    given([processStarted(), phaseStarted('co_creation', '2021-01-15')])
      .when(complete('2022-06-01'))
      .then([
        { type: 'ProcessCompleted', data: { completedOn: '2022-06-01', summary: 'Temaplanen er vedtatt.' } },
      ]);
  });

  it('completes no process before its last phase started', () => {
    given([processStarted(), phaseStarted('co_creation', '2021-01-15')])
      .when(complete('2021-01-14'))
      .thenThrows(RuleViolation, 'completion-date-in-order');
  });

  it('completes once', () => {
    given([
      processStarted(),
      { type: 'ProcessCompleted', data: { completedOn: '2021-01-01', summary: 'done' } },
    ])
      .when(complete('2022-06-01'))
      .thenThrows(StateConflict, 'process-completed');
  });
});
