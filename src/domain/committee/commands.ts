/** The committee's commands, each declared once: body, input, target, route, references, decide function. */
import { command } from '../commandDeclaration';
import { reference } from '../decider';
import {
  allocateBudget,
  appointMember,
  dissolveCommittee,
  establishCommittee,
  recordMemberLeft,
} from './decide';
import {
  allocateBudgetBody,
  allocateBudgetInput,
  appointMemberBody,
  appointMemberInput,
  dissolveCommitteeBody,
  dissolveCommitteeInput,
  establishCommitteeBody,
  establishCommitteeInput,
  recordMemberLeftBody,
  recordMemberLeftInput,
} from './inputs';

export const EstablishCommittee = command('committee', {
  name: 'EstablishCommittee',
  body: establishCommitteeBody,
  input: establishCommitteeInput,
  target: 'committeeId',
  creates: true,
  route: { path: '/committees', operationId: 'establishCommittee', summary: 'Establish a committee' },
  references: ({ arenaId, establishedBy }) => [
    ...(arenaId !== undefined ? [reference('arena', 'arena', arenaId)] : []),
    ...(establishedBy !== undefined
      ? [reference('establishedBy', 'political-body', establishedBy.bodyId)]
      : []),
  ],
  decide: establishCommittee,
});

export const AppointMember = command('committee', {
  name: 'AppointMember',
  body: appointMemberBody,
  input: appointMemberInput,
  target: 'committeeId',
  creates: false,
  route: {
    path: '/committees/:id/members',
    params: { id: 'committeeId' },
    operationId: 'appointMember',
    summary: 'Appoint a member',
  },
  references: (input) => [reference('person', 'person', input.personId)],
  decide: appointMember,
});

export const RecordMemberLeft = command('committee', {
  name: 'RecordMemberLeft',
  body: recordMemberLeftBody,
  input: recordMemberLeftInput,
  target: 'committeeId',
  creates: false,
  route: {
    path: '/committees/:id/members/:personId/leave',
    params: { id: 'committeeId', personId: 'personId' },
    operationId: 'recordMemberLeft',
    summary: 'Record that a member left',
  },
  // The person is named in the path: an unknown one is not found, not "not an active member".
  references: (input) => [reference('person', 'person', input.personId, 'path')],
  decide: recordMemberLeft,
});

export const AllocateBudget = command('committee', {
  name: 'AllocateBudget',
  body: allocateBudgetBody,
  input: allocateBudgetInput,
  target: 'committeeId',
  creates: false,
  route: {
    path: '/committees/:id/budget',
    params: { id: 'committeeId' },
    operationId: 'allocateBudget',
    summary: "Allocate a year's budget",
  },
  decide: allocateBudget,
});

export const DissolveCommittee = command('committee', {
  name: 'DissolveCommittee',
  body: dissolveCommitteeBody,
  input: dissolveCommitteeInput,
  target: 'committeeId',
  creates: false,
  route: {
    path: '/committees/:id/dissolution',
    params: { id: 'committeeId' },
    operationId: 'dissolveCommittee',
    summary: 'Dissolve a committee',
  },
  decide: dissolveCommittee,
});

export const committeeCommands = [
  EstablishCommittee,
  AppointMember,
  RecordMemberLeft,
  AllocateBudget,
  DissolveCommittee,
] as const;
