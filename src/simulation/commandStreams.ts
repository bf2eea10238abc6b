/**
 * Which records a trial command reads and which it writes, so the loader can run commands that touch different
 * records at the same time while every command still sees exactly what it would see run one by one.
 *
 * Records are named by their ids (every id in a trial is a distinct UUID, whatever its stream category). A command
 * writes its target and may read any record whose id is in its input; reading them all is a little more than the
 * deciders load, and stays right when a decider starts loading another record named in the input. Two commands
 * read a record that is not in their input but in their target's state: a committee decision reads the proposal's
 * committee, a ballot or a close the vote's committee. Those are remembered from the SubmitProposal and OpenVote
 * seen earlier; when they are not known (the proposal was not in the same sequence) there is no answer, and the
 * loader runs the command alone. A unit test checks these reads cover every reference a decider declares.
 */
import type { CommandName } from '../domain/commands';
import { commandSpecs } from '../domain/commands';
import { recordIdOf } from '../domain/events';
import type { TrialCommand } from './timeline';

export interface StreamAccess {
  /** Ids of the records appended to (the target), and of the committee's grant ledger for decisions. */
  writes: string[];
  reads: string[];
}

/** A name for "the grants of a committee", which the budget rule folds from every committee decision in the log. */
export function grantLedgerKey(committeeId: string): string {
  return `grant-ledger-${committeeId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CommandStreams {
  private readonly committeeOfProposal = new Map<string, string>();
  private readonly committeeOfVote = new Map<string, string>();

  /** The records `c` touches; undefined when they cannot be told from the commands seen so far. */
  access(c: TrialCommand): StreamAccess | undefined {
    const target = recordIdOf(targetStreamIdOf(c.name, c.input));
    const committee = this.committeeReadThroughState(c);
    if (committee === null) return undefined;
    const reads = idsIn(c.input).filter((id) => id !== target);
    if (committee !== undefined) reads.push(committee);
    // Every committee decision may change the grant ledger ("the latest decision counts"), so it writes it.
    const grants =
      c.name === 'RecordCommitteeDecision' && committee !== undefined ? [grantLedgerKey(committee)] : [];
    return { writes: [target, ...grants], reads };
  }

  /** The committee a command reads through its target's state: undefined when none, null when unknown. */
  private committeeReadThroughState(c: TrialCommand): string | undefined | null {
    switch (c.name) {
      case 'SubmitProposal':
        this.committeeOfProposal.set(c.input.proposalId, c.input.committeeId);
        return undefined;
      case 'OpenVote': {
        const committeeId = this.committeeOfProposal.get(c.input.proposalId);
        if (committeeId !== undefined) this.committeeOfVote.set(c.input.voteId, committeeId);
        return undefined;
      }
      case 'RecordCommitteeDecision':
        return this.committeeOfProposal.get(c.input.proposalId) ?? null;
      case 'CastBallot':
        return this.committeeOfVote.get(c.input.voteId) ?? null;
      case 'CloseVote': {
        const committeeId = this.committeeOfVote.get(c.input.voteId) ?? null;
        // A closed vote takes no more commands, so it can be forgotten.
        this.committeeOfVote.delete(c.input.voteId);
        return committeeId;
      }
      default:
        return undefined;
    }
  }
}

function targetStreamIdOf(name: CommandName, input: unknown): string {
  return (commandSpecs[name] as { targetStreamId(input: unknown): string }).targetStreamId(input);
}

/** Every UUID in a command's input, at any depth. */
function idsIn(value: unknown, ids: string[] = []): string[] {
  if (typeof value === 'string') {
    if (UUID.test(value)) ids.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) idsIn(item, ids);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) idsIn(item, ids);
  }
  return ids;
}
