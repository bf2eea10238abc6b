/**
 * The command registry: the contract the application layer calls generically. For each command it gives the input
 * schema (the HTTP body of API.md plus the ids from the path or chosen by the server), the target stream, which
 * other streams to load, and the decider. Handling a command is:
 *   parse `input` → load and fold the target (`evolveAny`) → load and fold each of `references()` (a missing one is
 *   UnknownReference(what, id, where)) → `decide()` → append to `targetStreamId()` (no_stream when `creates`).
 */
import type { z } from 'zod';
import { decide as decideArena, references as arenaReferences } from './arena/decide';
import { initialState as arenaInitial, evolve as evolveArena } from './arena/arena';
import type { ArenaCommand } from './arena/commands';
import { registerArenaBody, registerArenaInput } from './arena/commands';
import { initialState as committeeInitial, evolve as evolveCommittee } from './committee/committee';
import type { CommitteeCommand } from './committee/commands';
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
} from './committee/commands';
import { decide as decideCommittee, references as committeeReferences } from './committee/decide';
import type {
  AggregateName,
  AggregateState,
  CommandContext,
  Reference,
  References,
  StateOfAggregate,
} from './decider';
import type { DomainEvent, StreamCategory } from './events';
import { parseStreamId, streamIdOf } from './events';
import { initialState as meetingInitial, evolve as evolveMeeting } from './meeting/meeting';
import type { MeetingCommand } from './meeting/commands';
import { recordMeetingBody, recordMeetingInput } from './meeting/commands';
import { decide as decideMeeting, references as meetingReferences } from './meeting/decide';
import { initialState as personInitial, evolve as evolvePerson } from './person/person';
import type { PersonCommand } from './person/commands';
import {
  erasePersonalDataBody,
  erasePersonalDataInput,
  registerPersonBody,
  registerPersonInput,
} from './person/commands';
import { decide as decidePerson, references as personReferences } from './person/decide';
import {
  initialState as politicalBodyInitial,
  evolve as evolvePoliticalBody,
} from './politicalBody/politicalBody';
import type { PoliticalBodyCommand } from './politicalBody/commands';
import { registerPoliticalBodyBody, registerPoliticalBodyInput } from './politicalBody/commands';
import { decide as decidePoliticalBody, references as politicalBodyReferences } from './politicalBody/decide';
import { initialState as processInitial, evolve as evolveProcess } from './process/process';
import type { ProcessCommand } from './process/commands';
import {
  completeProcessBody,
  completeProcessInput,
  startProcessBody,
  startProcessInput,
  startProcessPhaseBody,
  startProcessPhaseInput,
} from './process/commands';
import { decide as decideProcess, references as processReferences } from './process/decide';
import { initialState as proposalInitial, evolve as evolveProposal } from './proposal/proposal';
import type { ProposalCommand } from './proposal/commands';
import {
  amendProposalBody,
  amendProposalInput,
  recordCommitteeDecisionBody,
  recordCommitteeDecisionInput,
  recordPoliticalDecisionBody,
  recordPoliticalDecisionInput,
  referProposalBody,
  referProposalInput,
  reportImplementationBody,
  reportImplementationInput,
  submitProposalBody,
  submitProposalInput,
  supportProposalBody,
  supportProposalInput,
  withdrawProposalBody,
  withdrawProposalInput,
} from './proposal/commands';
import { decide as decideProposal, references as proposalReferences } from './proposal/decide';
import { initialState as voteInitial, evolve as evolveVote } from './vote/vote';
import type { VoteCommand } from './vote/commands';
import {
  castBallotBody,
  castBallotInput,
  closeVoteBody,
  closeVoteInput,
  openVoteBody,
  openVoteInput,
} from './vote/commands';
import { decide as decideVote, references as voteReferences } from './vote/decide';

export type {
  AggregateName,
  AggregateState,
  CommandContext,
  Reference,
  References,
  StateOfAggregate,
} from './decider';
export type { GrantLedger } from './committee/grantLedger';
export { evolveGrantLedger, initialGrantLedger } from './committee/grantLedger';
export type { RegisterArenaInput } from './arena/commands';
export type { RegisterPoliticalBodyInput } from './politicalBody/commands';
export type { ErasePersonalDataInput, RegisterPersonInput } from './person/commands';
export type {
  AllocateBudgetInput,
  AppointMemberInput,
  DissolveCommitteeInput,
  EstablishCommitteeInput,
  RecordMemberLeftInput,
} from './committee/commands';
export type { CompleteProcessInput, StartProcessInput, StartProcessPhaseInput } from './process/commands';
export type { RecordMeetingInput } from './meeting/commands';
export type {
  AmendProposalInput,
  RecordCommitteeDecisionInput,
  RecordPoliticalDecisionInput,
  ReferProposalInput,
  ReportImplementationInput,
  SubmitProposalInput,
  SupportProposalInput,
  WithdrawProposalInput,
} from './proposal/commands';
export type { CastBallotInput, CloseVoteInput, OpenVoteInput } from './vote/commands';

// ---------- aggregates ----------

interface AggregateDefinition<S> {
  streamCategory: StreamCategory;
  initialState: S;
  evolve(state: S, event: DomainEvent): S;
}

export const aggregates: { readonly [A in AggregateName]: AggregateDefinition<StateOfAggregate[A]> } = {
  arena: { streamCategory: 'arena', initialState: arenaInitial, evolve: evolveArena },
  politicalBody: {
    streamCategory: 'political-body',
    initialState: politicalBodyInitial,
    evolve: evolvePoliticalBody,
  },
  person: { streamCategory: 'person', initialState: personInitial, evolve: evolvePerson },
  committee: { streamCategory: 'committee', initialState: committeeInitial, evolve: evolveCommittee },
  process: { streamCategory: 'process', initialState: processInitial, evolve: evolveProcess },
  meeting: { streamCategory: 'meeting', initialState: meetingInitial, evolve: evolveMeeting },
  proposal: { streamCategory: 'proposal', initialState: proposalInitial, evolve: evolveProposal },
  vote: { streamCategory: 'vote', initialState: voteInitial, evolve: evolveVote },
};

export const aggregateNames = Object.keys(aggregates) as AggregateName[];

export function streamCategoryOf(aggregate: AggregateName): StreamCategory {
  return aggregates[aggregate].streamCategory;
}

/** The aggregate whose events a stream holds, from its id (`political-body-<uuid>` → politicalBody). */
export function aggregateOfStream(streamId: string): AggregateName | undefined {
  const category = parseStreamId(streamId)?.category;
  return aggregateNames.find((name) => aggregates[name].streamCategory === category);
}

export function initialStateOf<A extends AggregateName>(aggregate: A): StateOfAggregate[A] {
  return aggregates[aggregate].initialState;
}

export function evolveAny<A extends AggregateName>(
  aggregate: A,
  state: StateOfAggregate[A],
  event: DomainEvent,
): StateOfAggregate[A] {
  const definition: AggregateDefinition<StateOfAggregate[A]> = aggregates[aggregate];
  return definition.evolve(stateAs(aggregate, state), event);
}

/** Narrows a state the caller passes in to the aggregate it must be; a mismatch is a bug in the caller. */
function stateAs<A extends AggregateName>(aggregate: A, state: AggregateState): StateOfAggregate[A] {
  if (state.aggregate !== aggregate)
    throw new Error(`expected a ${aggregate} state, got a ${state.aggregate} state`);
  return state as StateOfAggregate[A];
}

// ---------- commands ----------

interface CommandsOf {
  arena: ArenaCommand;
  politicalBody: PoliticalBodyCommand;
  person: PersonCommand;
  committee: CommitteeCommand;
  process: ProcessCommand;
  meeting: MeetingCommand;
  proposal: ProposalCommand;
  vote: VoteCommand;
}

export type Command = CommandsOf[AggregateName];
export type CommandName = Command['name'];
export type CommandInput<N extends CommandName> = Extract<Command, { name: N }>['input'];

/** An HTTP body exactly as API.md gives it: a strict zod object (unknown fields are rejected). */
export type CommandBody = z.ZodObject<z.core.$ZodShape, z.core.$strict>;

export interface CommandSpec<I> {
  name: CommandName;
  /** Which decider's state is the target. */
  aggregate: AggregateName;
  /** Body fields plus path/id fields, strict (unknown fields rejected): `body.extend({ ids })`. */
  input: z.ZodType<I>;
  /** Exactly the HTTP body of API.md (strict), for validation and OpenAPI. */
  body: CommandBody;
  targetStreamId(input: I): string;
  /** 'create' commands need no_stream (a repeat is a 409); others need the stream to exist (404 when absent). */
  creates: boolean;
  /** Other streams to load from the event store (not views), folded and passed to `decide` under their keys. */
  references(input: I, target: AggregateState): Reference[];
  decide(input: I, target: AggregateState, refs: References, ctx: CommandContext): DomainEvent[];
}

/** Any spec, for generic handling (its methods take the input its own `input` schema parsed). */
export type AnyCommandSpec = CommandSpec<unknown>;

interface AggregateDecider<A extends AggregateName> {
  references(command: CommandsOf[A], state: StateOfAggregate[A]): Reference[];
  decide(
    command: CommandsOf[A],
    state: StateOfAggregate[A],
    refs: References,
    ctx: CommandContext,
  ): DomainEvent[];
}

interface SpecParts<I> {
  body: CommandBody;
  input: z.ZodType<I>;
  /** The id of the target record, within its stream category. */
  targetId(input: I): string;
  creates: boolean;
}

/** Builds the specs of one aggregate's commands around its decider's `references` and `decide` dispatch. */
function commandsOf<A extends AggregateName>(aggregate: A, decider: AggregateDecider<A>) {
  return function spec<N extends CommandsOf[A]['name'] & CommandName>(
    name: N,
    parts: SpecParts<CommandInput<N>>,
  ): CommandSpec<CommandInput<N>> {
    const command = (input: CommandInput<N>) => ({ name, input }) as unknown as CommandsOf[A];
    return {
      name,
      aggregate,
      input: parts.input,
      body: parts.body,
      creates: parts.creates,
      targetStreamId: (input) => streamIdOf(streamCategoryOf(aggregate), parts.targetId(input)),
      references: (input, target) => decider.references(command(input), stateAs(aggregate, target)),
      decide: (input, target, refs, ctx) =>
        decider.decide(command(input), stateAs(aggregate, target), refs, ctx),
    };
  };
}

const arenaSpec = commandsOf('arena', { references: arenaReferences, decide: decideArena });
const politicalBodySpec = commandsOf('politicalBody', {
  references: politicalBodyReferences,
  decide: decidePoliticalBody,
});
const personSpec = commandsOf('person', { references: personReferences, decide: decidePerson });
const committeeSpec = commandsOf('committee', { references: committeeReferences, decide: decideCommittee });
const processSpec = commandsOf('process', { references: processReferences, decide: decideProcess });
const meetingSpec = commandsOf('meeting', { references: meetingReferences, decide: decideMeeting });
const proposalSpec = commandsOf('proposal', { references: proposalReferences, decide: decideProposal });
const voteSpec = commandsOf('vote', { references: voteReferences, decide: decideVote });

export const commandSpecs: { readonly [N in CommandName]: CommandSpec<CommandInput<N>> } = {
  RegisterArena: arenaSpec('RegisterArena', {
    body: registerArenaBody,
    input: registerArenaInput,
    targetId: (i) => i.arenaId,
    creates: true,
  }),
  RegisterPoliticalBody: politicalBodySpec('RegisterPoliticalBody', {
    body: registerPoliticalBodyBody,
    input: registerPoliticalBodyInput,
    targetId: (i) => i.bodyId,
    creates: true,
  }),
  RegisterPerson: personSpec('RegisterPerson', {
    body: registerPersonBody,
    input: registerPersonInput,
    targetId: (i) => i.personId,
    creates: true,
  }),
  ErasePersonalData: personSpec('ErasePersonalData', {
    body: erasePersonalDataBody,
    input: erasePersonalDataInput,
    targetId: (i) => i.personId,
    creates: false,
  }),
  EstablishCommittee: committeeSpec('EstablishCommittee', {
    body: establishCommitteeBody,
    input: establishCommitteeInput,
    targetId: (i) => i.committeeId,
    creates: true,
  }),
  AppointMember: committeeSpec('AppointMember', {
    body: appointMemberBody,
    input: appointMemberInput,
    targetId: (i) => i.committeeId,
    creates: false,
  }),
  RecordMemberLeft: committeeSpec('RecordMemberLeft', {
    body: recordMemberLeftBody,
    input: recordMemberLeftInput,
    targetId: (i) => i.committeeId,
    creates: false,
  }),
  AllocateBudget: committeeSpec('AllocateBudget', {
    body: allocateBudgetBody,
    input: allocateBudgetInput,
    targetId: (i) => i.committeeId,
    creates: false,
  }),
  DissolveCommittee: committeeSpec('DissolveCommittee', {
    body: dissolveCommitteeBody,
    input: dissolveCommitteeInput,
    targetId: (i) => i.committeeId,
    creates: false,
  }),
  StartProcess: processSpec('StartProcess', {
    body: startProcessBody,
    input: startProcessInput,
    targetId: (i) => i.processId,
    creates: true,
  }),
  StartProcessPhase: processSpec('StartProcessPhase', {
    body: startProcessPhaseBody,
    input: startProcessPhaseInput,
    targetId: (i) => i.processId,
    creates: false,
  }),
  CompleteProcess: processSpec('CompleteProcess', {
    body: completeProcessBody,
    input: completeProcessInput,
    targetId: (i) => i.processId,
    creates: false,
  }),
  RecordMeeting: meetingSpec('RecordMeeting', {
    body: recordMeetingBody,
    input: recordMeetingInput,
    targetId: (i) => i.meetingId,
    creates: true,
  }),
  SubmitProposal: proposalSpec('SubmitProposal', {
    body: submitProposalBody,
    input: submitProposalInput,
    targetId: (i) => i.proposalId,
    creates: true,
  }),
  AmendProposal: proposalSpec('AmendProposal', {
    body: amendProposalBody,
    input: amendProposalInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  SupportProposal: proposalSpec('SupportProposal', {
    body: supportProposalBody,
    input: supportProposalInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  WithdrawProposal: proposalSpec('WithdrawProposal', {
    body: withdrawProposalBody,
    input: withdrawProposalInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  RecordCommitteeDecision: proposalSpec('RecordCommitteeDecision', {
    body: recordCommitteeDecisionBody,
    input: recordCommitteeDecisionInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  ReferProposal: proposalSpec('ReferProposal', {
    body: referProposalBody,
    input: referProposalInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  RecordPoliticalDecision: proposalSpec('RecordPoliticalDecision', {
    body: recordPoliticalDecisionBody,
    input: recordPoliticalDecisionInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  ReportImplementation: proposalSpec('ReportImplementation', {
    body: reportImplementationBody,
    input: reportImplementationInput,
    targetId: (i) => i.proposalId,
    creates: false,
  }),
  OpenVote: voteSpec('OpenVote', {
    body: openVoteBody,
    input: openVoteInput,
    targetId: (i) => i.voteId,
    creates: true,
  }),
  CastBallot: voteSpec('CastBallot', {
    body: castBallotBody,
    input: castBallotInput,
    targetId: (i) => i.voteId,
    creates: false,
  }),
  CloseVote: voteSpec('CloseVote', {
    body: closeVoteBody,
    input: closeVoteInput,
    targetId: (i) => i.voteId,
    creates: false,
  }),
};

export const commandNames = Object.keys(commandSpecs) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandSpecs, name);
}
