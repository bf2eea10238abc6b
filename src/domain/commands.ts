/**
 * The command registry, gathered from the declarations in each aggregate's folder (`<aggregate>/commands.ts`): the
 * contract the application layer calls generically. Handling a command is:
 *   parse `input` → load and fold the target (`evolveAny`) → load and fold each of `references()` (a missing one is
 *   UnknownReference(what, id, where)) → `decide()` → append to `targetStreamId()` (no stream yet when `creates`).
 */
import type { z } from 'zod';
import { arenaCommands } from './arena/commands';
import { committeeCommands } from './committee/commands';
import { meetingCommands } from './meeting/commands';
import { personCommands } from './person/commands';
import { politicalBodyCommands } from './politicalBody/commands';
import { processCommands } from './process/commands';
import { proposalCommands } from './proposal/commands';
import { voteCommands } from './vote/commands';

export type {
  AggregateName,
  AggregateState,
  CommandContext,
  Reference,
  References,
  StateOfAggregate,
} from './decider';
export type { AnyCommandSpec, CommandBody, CommandSpec } from './commandDeclaration';
export {
  aggregateNames,
  aggregateOfStream,
  aggregates,
  evolveAny,
  initialStateOf,
  streamCategoryOf,
} from './aggregates';
export type { GrantLedger } from './committee/grantLedger';
export { evolveGrantLedger, initialGrantLedger } from './committee/grantLedger';
export type { RegisterArenaInput } from './arena/inputs';
export type { RegisterPoliticalBodyInput } from './politicalBody/inputs';
export type { ErasePersonalDataInput, RegisterPersonInput } from './person/inputs';
export type {
  AllocateBudgetInput,
  AppointMemberInput,
  DissolveCommitteeInput,
  EstablishCommitteeInput,
  RecordMemberLeftInput,
} from './committee/inputs';
export type { CompleteProcessInput, StartProcessInput, StartProcessPhaseInput } from './process/inputs';
export type { RecordMeetingInput } from './meeting/inputs';
export type {
  AmendProposalInput,
  RecordCommitteeDecisionInput,
  RecordPoliticalDecisionInput,
  ReferProposalInput,
  ReportImplementationInput,
  SubmitProposalInput,
  SupportProposalInput,
  WithdrawProposalInput,
} from './proposal/inputs';
export type { CastBallotInput, CloseVoteInput, OpenVoteInput } from './vote/inputs';

/** Every command, in the order of API.md's sections (and of the API document). */
const declared = [
  ...arenaCommands,
  ...politicalBodyCommands,
  ...personCommands,
  ...committeeCommands,
  ...processCommands,
  ...meetingCommands,
  ...proposalCommands,
  ...voteCommands,
] as const;

type Declared = (typeof declared)[number];
export type CommandName = Declared['name'];
type SpecNamed<N extends CommandName> = Extract<Declared, { name: N }>;
export type CommandInput<N extends CommandName> = z.output<SpecNamed<N>['input']>;

/** A command with its input, typed by its name: `{ name: 'SupportProposal', input: { proposalId, … } }`. */
export type Command = { [N in CommandName]: { name: N; input: CommandInput<N> } }[CommandName];

export const commandSpecs = Object.fromEntries(declared.map((spec) => [spec.name, spec])) as {
  readonly [N in CommandName]: SpecNamed<N>;
};

export const commandNames: CommandName[] = declared.map((spec) => spec.name);

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandSpecs, name);
}
