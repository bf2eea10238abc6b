/** The co-creation process's commands, each declared once: body, input, target, route, references, decide. */
import { command } from '../commandDeclaration';
import { completeProcess, startProcess, startProcessPhase, startProcessReferences } from './decide';
import {
  completeProcessBody,
  completeProcessInput,
  startProcessBody,
  startProcessInput,
  startProcessPhaseBody,
  startProcessPhaseInput,
} from './inputs';

export const StartProcess = command('process', {
  name: 'StartProcess',
  body: startProcessBody,
  input: startProcessInput,
  target: 'processId',
  creates: true,
  route: { path: '/processes', operationId: 'startProcess', summary: 'Start a co-creation process' },
  references: startProcessReferences,
  decide: startProcess,
});

export const StartProcessPhase = command('process', {
  name: 'StartProcessPhase',
  body: startProcessPhaseBody,
  input: startProcessPhaseInput,
  target: 'processId',
  creates: false,
  route: {
    path: '/processes/:id/phases',
    params: { id: 'processId' },
    operationId: 'startProcessPhase',
    summary: 'Start a process phase',
  },
  decide: startProcessPhase,
});

/** API.md names no route for ProcessCompleted; this one is ours. */
export const CompleteProcess = command('process', {
  name: 'CompleteProcess',
  body: completeProcessBody,
  input: completeProcessInput,
  target: 'processId',
  creates: false,
  route: {
    path: '/processes/:id/completion',
    params: { id: 'processId' },
    operationId: 'completeProcess',
    summary: 'Complete a process',
  },
  decide: completeProcess,
});

export const processCommands = [StartProcess, StartProcessPhase, CompleteProcess] as const;
