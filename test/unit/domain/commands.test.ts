import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyCommandSpec, CommandName } from '../../../src/domain/commands';
import {
  aggregateNames,
  aggregateOfStream,
  aggregates,
  commandNames,
  commandSpecs,
  evolveAny,
  initialStateOf,
  isCommandName,
  streamCategoryOf,
} from '../../../src/domain/commands';
import type { DomainEvent } from '../../../src/domain/events';
import { categoryOfEvent, eventTypes, streamIdOf } from '../../../src/domain/events';
import {
  arenaRegistered,
  ballotCast,
  budgetAllocated,
  committeeDecided,
  committeeDissolved,
  committeeEstablished,
  councilRegistered,
  ids,
  memberAppointed,
  memberLeft,
  personRegistered,
  politicallyDecided,
  processStarted,
  proposalSubmitted,
  referred,
  supported,
  voteClosed,
  voteOpened,
} from './fixtures';

/** The HTTP bodies of API.md, field by field (CompleteProcess: our own route, POST /processes/:id/completion). */
const apiBodies: Record<CommandName, string[]> = {
  RegisterArena: ['name', 'areas'],
  RegisterPoliticalBody: ['name', 'kind', 'seats'],
  RegisterPerson: ['name', 'email', 'phone', 'birthYear', 'area'],
  ErasePersonalData: ['erasedOn', 'reason'],
  EstablishCommittee: [
    'name',
    'kind',
    'arenaId',
    'areas',
    'theme',
    'mandate',
    'coCreationForm',
    'period',
    'establishedBy',
  ],
  AppointMember: ['personId', 'role', 'actorGroup', 'representationBasis', 'represents', 'appointedOn'],
  RecordMemberLeft: ['leftOn', 'reason'],
  AllocateBudget: ['year', 'amountNok'],
  DissolveCommittee: ['dissolvedOn', 'reason'],
  StartProcess: ['title', 'committeeIds', 'coCreationForm', 'startedOn'],
  StartProcessPhase: ['phase', 'startedOn'],
  CompleteProcess: ['completedOn', 'summary'],
  RecordMeeting: [
    'committeeId',
    'arenaId',
    'kind',
    'heldOn',
    'attendeeCount',
    'attendeePersonIds',
    'agendaProposalIds',
  ],
  SubmitProposal: [
    'committeeId',
    'processId',
    'title',
    'description',
    'origin',
    'submittedBy',
    'theme',
    'area',
    'submittedOn',
  ],
  AmendProposal: ['title', 'description', 'amendedOn', 'reason'],
  SupportProposal: ['personId', 'supportedOn'],
  WithdrawProposal: ['withdrawnOn', 'reason'],
  RecordCommitteeDecision: ['outcome', 'kind', 'text', 'voteId', 'grantNok', 'decidedOn'],
  ReferProposal: ['toBodyId', 'kind', 'caseNumber', 'referredOn'],
  RecordPoliticalDecision: ['outcome', 'caseNumber', 'summary', 'decidedOn', 'votesFor', 'votesAgainst'],
  ReportImplementation: ['status', 'progressPct', 'note', 'reportedOn'],
  OpenVote: ['proposalId', 'meetingId', 'question', 'rule', 'openedOn'],
  CastBallot: ['personId', 'choice', 'castOn'],
  CloseVote: ['closedOn'],
};

/** The ids each input adds to its body (from the path, or chosen by the server). */
const idFields: Record<CommandName, string[]> = {
  RegisterArena: ['arenaId'],
  RegisterPoliticalBody: ['bodyId'],
  RegisterPerson: ['personId'],
  ErasePersonalData: ['personId'],
  EstablishCommittee: ['committeeId'],
  AppointMember: ['committeeId'],
  RecordMemberLeft: ['committeeId', 'personId'],
  AllocateBudget: ['committeeId'],
  DissolveCommittee: ['committeeId'],
  StartProcess: ['processId'],
  StartProcessPhase: ['processId'],
  CompleteProcess: ['processId'],
  RecordMeeting: ['meetingId'],
  SubmitProposal: ['proposalId'],
  AmendProposal: ['proposalId'],
  SupportProposal: ['proposalId'],
  WithdrawProposal: ['proposalId'],
  RecordCommitteeDecision: ['proposalId', 'decisionId'],
  ReferProposal: ['proposalId', 'referralId'],
  RecordPoliticalDecision: ['proposalId', 'referralId'],
  ReportImplementation: ['proposalId'],
  OpenVote: ['voteId'],
  CastBallot: ['voteId'],
  CloseVote: ['voteId'],
};

const creating = [
  'RegisterArena',
  'RegisterPoliticalBody',
  'RegisterPerson',
  'EstablishCommittee',
  'StartProcess',
];
const creates = new Set([...creating, 'RecordMeeting', 'SubmitProposal', 'OpenVote']);

const specs: AnyCommandSpec[] = Object.values(commandSpecs);

describe('command registry', () => {
  it('has one spec per command, under its own name', () => {
    expect(commandNames.sort()).toEqual(Object.keys(apiBodies).sort());
    for (const name of commandNames) expect(commandSpecs[name].name).toBe(name);
    expect(isCommandName('SubmitProposal')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
  });

  it.each(commandNames)('%s: the body is exactly the one of API.md', (name) => {
    expect(Object.keys(commandSpecs[name].body.shape).sort()).toEqual([...apiBodies[name]].sort());
  });

  it.each(commandNames)('%s: the input is the body plus its ids, and is strict', (name) => {
    const spec: AnyCommandSpec = commandSpecs[name];
    const inputShape = (spec.input as unknown as { shape: Record<string, unknown> }).shape;
    expect(Object.keys(inputShape).sort()).toEqual([...apiBodies[name], ...idFields[name]].sort());
    expect(spec.body.safeParse({ unexpected: true }).success).toBe(false);
    const result = spec.input.safeParse({ unexpected: true });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('unexpected');
  });

  it.each(commandNames)('%s: creates a stream only when it registers a new record', (name) => {
    expect(commandSpecs[name].creates).toBe(creates.has(name));
  });

  it('targets the stream of the record the command is about', () => {
    const id = ids.council;
    expect(
      commandSpecs.RegisterPoliticalBody.targetStreamId({ bodyId: id, name: 'K', kind: 'council' }),
    ).toBe(`political-body-${id}`);
    expect(
      commandSpecs.RecordMemberLeft.targetStreamId({
        committeeId: ids.heggedal,
        personId: ids.anne,
        leftOn: '2021-01-01',
      }),
    ).toBe(streamIdOf('committee', ids.heggedal));
    for (const spec of specs) expect(spec.targetStreamId).toBeInstanceOf(Function);
  });

  it('names the references a command loads, with where the id came from', () => {
    const target = initialStateOf('proposal');
    const input = commandSpecs.SubmitProposal.input.parse({
      proposalId: ids.proposal,
      committeeId: ids.heggedal,
      processId: ids.process,
      title: 'T',
      description: '',
      origin: 'resident',
      submittedOn: '2021-01-10',
    });
    expect(commandSpecs.SubmitProposal.references(input, target)).toEqual([
      { key: 'committee', streamId: streamIdOf('committee', ids.heggedal), what: 'committee', where: 'body' },
      { key: 'process', streamId: streamIdOf('process', ids.process), what: 'process', where: 'body' },
    ]);
  });

  it('asks for the grant ledger, folded from the log, only for a decision that grants money', () => {
    const proposal = evolveAny('proposal', initialStateOf('proposal'), proposalSubmitted());
    const base = {
      proposalId: ids.proposal,
      decisionId: ids.decision1,
      outcome: 'adopted' as const,
      kind: 'own_decision' as const,
      text: '',
      decidedOn: '2021-02-01',
    };
    const refs = (grantNok?: number) =>
      commandSpecs.RecordCommitteeDecision.references({ ...base, ...(grantNok && { grantNok }) }, proposal);
    expect(refs(1000)).toContainEqual({
      key: 'grants',
      streamId: streamIdOf('committee', ids.heggedal),
      what: 'committee',
      where: 'body',
      fold: 'grant-ledger',
    });
    expect(refs().map((r) => r.key)).toEqual(['committee']);
  });

  it('refuses a target of another aggregate (a bug in the caller, not a client error)', () => {
    expect(() =>
      commandSpecs.AmendProposal.decide(
        { proposalId: ids.proposal, title: 'x', amendedOn: '2021-01-15', reason: 'y' },
        initialStateOf('vote'),
        {},
        { citizenInitiativeThreshold: 300, today: '2024-01-01' },
      ),
    ).toThrow('expected a proposal state');
  });
});

describe('command declarations', () => {
  /** Everything the modules of an aggregate's folder export, by name. */
  function exportsOfFolder(aggregate: string): Map<string, unknown> {
    const dir = join(__dirname, '../../../src/domain', aggregate);
    const found = new Map<string, unknown>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const module = jest.requireActual<Record<string, unknown>>(join(dir, file));
      for (const [name, value] of Object.entries(module)) found.set(name, value);
    }
    return found;
  }

  it.each(commandNames)(
    '%s: the route names its decide function, which its aggregate folder exports under that name',
    (name) => {
      const spec: AnyCommandSpec = commandSpecs[name];
      expect(spec.route.operationId).toBe(name.charAt(0).toLowerCase() + name.slice(1));
      const exported = exportsOfFolder(spec.aggregate).get(spec.route.operationId);
      expect(exported).toBeInstanceOf(Function);
      expect(spec.decides).toBe(exported);
    },
  );

  it.each(commandNames)(
    '%s: the path parameters and the server fill exactly the ids the input adds to the body',
    (name) => {
      const spec: AnyCommandSpec = commandSpecs[name];
      const { path, params, fills, answers } = spec.route;
      expect([...path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort()).toEqual(Object.keys(params).sort());
      const filled = [...Object.values(params), ...(fills !== undefined ? [fills] : [])];
      expect(filled.sort()).toEqual([...idFields[name]].sort());
      expect(new Set(filled).size).toBe(filled.length);
      // A creating command fills its own target; every command answers with one of its ids.
      if (spec.creates) expect(fills).toBe(spec.target);
      expect(idFields[name]).toContain(spec.target);
      expect(idFields[name]).toContain(answers);
    },
  );

  it('declares each command once, under one route and one operationId', () => {
    const routes = commandNames.map((name) => `POST ${commandSpecs[name].route.path}`);
    expect(new Set(routes).size).toBe(commandNames.length);
    const operationIds = commandNames.map((name) => commandSpecs[name].route.operationId);
    expect(new Set(operationIds).size).toBe(commandNames.length);
  });
});

describe('aggregate registry', () => {
  it('maps aggregates to their stream categories and back', () => {
    expect(streamCategoryOf('politicalBody')).toBe('political-body');
    for (const name of aggregateNames) {
      expect(aggregateOfStream(streamIdOf(streamCategoryOf(name), ids.unknown))).toBe(name);
    }
    expect(aggregateOfStream('political-body-nope')).toBeUndefined();
  });

  it('starts every aggregate absent', () => {
    for (const name of aggregateNames)
      expect(initialStateOf(name)).toEqual({ aggregate: name, status: 'absent' });
  });

  const oneOfEach: DomainEvent[] = [
    arenaRegistered(),
    councilRegistered(),
    personRegistered(ids.frida),
    { type: 'PersonalDataErased', data: { erasedOn: '2023-01-01', reason: 'x' } },
    committeeEstablished(),
    memberAppointed(ids.anne),
    memberLeft(ids.anne, '2021-06-01'),
    budgetAllocated(2021, 1),
    committeeDissolved('2022-06-30'),
    processStarted(),
    { type: 'ProcessPhaseStarted', data: { phase: 'co_creation', startedOn: '2021-01-01' } },
    { type: 'ProcessCompleted', data: { completedOn: '2022-01-01', summary: 'x' } },
    {
      type: 'MeetingHeld',
      data: {
        meetingId: ids.meeting,
        kind: 'workshop',
        heldOn: '2021-01-01',
        attendeeCount: 1,
        agendaProposalIds: [],
      },
    },
    proposalSubmitted(),
    { type: 'ProposalAmended', data: { title: 'x', amendedOn: '2021-01-11', reason: 'y' } },
    supported(ids.anne),
    { type: 'ProposalWithdrawn', data: { withdrawnOn: '2021-05-01', reason: 'x' } },
    committeeDecided(),
    referred(),
    politicallyDecided(),
    {
      type: 'ImplementationReported',
      data: { status: 'planned', progressPct: 0, note: '', reportedOn: '2021-04-01' },
    },
    voteOpened(),
    ballotCast(ids.anne, 'yes'),
    voteClosed('passed'),
  ];

  it('the sample covers every event type', () => {
    expect(new Set(oneOfEach.map((e) => e.type))).toEqual(new Set(eventTypes));
  });

  it.each(aggregateNames)('%s: evolve is total and ignores the events of other aggregates', (name) => {
    const category = streamCategoryOf(name);
    let state = initialStateOf(name);
    for (const event of oneOfEach) {
      const next = evolveAny(name, state, event);
      if (categoryOfEvent[event.type] !== category) expect(next).toBe(state);
      state = next;
    }
    expect(state).toMatchObject({ aggregate: name });
    expect(state.status).not.toBe('absent');
  });

  it('ignores events that come before the record exists', () => {
    for (const name of aggregateNames) {
      const later = oneOfEach.filter((e) => categoryOfEvent[e.type] === streamCategoryOf(name)).slice(1);
      const state = later.reduce((s, e) => evolveAny(name, s, e), initialStateOf(name));
      expect(state).toEqual(initialStateOf(name));
    }
  });

  it('checks the state it evolves belongs to the aggregate', () => {
    expect(() => evolveAny('vote', initialStateOf('proposal') as never, voteOpened())).toThrow(
      'expected a vote state',
    );
    expect(Object.keys(aggregates)).toEqual(aggregateNames);
  });
});
