/**
 * The decide functions of a co-creation process's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { CommandContext, Present, Reference, References } from '../decider';
import { reference, referenced } from '../decider';
import type { DatedStep } from '../dates';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { CompleteProcessInput, StartProcessInput, StartProcessPhaseInput } from './inputs';
import type { ProcessState } from './process';

type ProcessRecord = Present<ProcessState>;

const committeeKey = (committeeId: string): string => `committee:${committeeId}`;

/** Every committee the process includes, each loaded once. */
export function startProcessReferences(input: StartProcessInput): Reference[] {
  return [...new Set(input.committeeIds)].map((id) => reference(committeeKey(id), 'committee', id));
}

export function startProcess(input: StartProcessInput, refs: References, ctx: CommandContext): DomainEvent[] {
  for (const committeeId of input.committeeIds) referenced(refs, committeeKey(committeeId), 'committee');
  assertNotInFuture(input.startedOn, ctx.today, 'the start of the process');
  return [{ type: 'ProcessStarted', data: input }];
}

export function startProcessPhase(
  input: StartProcessPhaseInput,
  process: ProcessRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertRunning(process);
  assertNotBefore(
    input.startedOn,
    stepsOf(process),
    'phase-date-in-order',
    `the start of the phase ${input.phase}`,
  );
  assertNotInFuture(input.startedOn, ctx.today, 'the start of the phase');
  return [{ type: 'ProcessPhaseStarted', data: { phase: input.phase, startedOn: input.startedOn } }];
}

export function completeProcess(
  input: CompleteProcessInput,
  process: ProcessRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertRunning(process);
  assertNotBefore(input.completedOn, stepsOf(process), 'completion-date-in-order', 'the completion');
  assertNotInFuture(input.completedOn, ctx.today, 'the completion');
  return [{ type: 'ProcessCompleted', data: { completedOn: input.completedOn, summary: input.summary } }];
}

function assertRunning(process: ProcessRecord): void {
  if (process.status === 'completed') {
    throw broken('process-completed', `the process was completed on ${process.completedOn ?? '?'}`);
  }
}

function stepsOf(process: ProcessRecord): DatedStep[] {
  return [
    { date: process.startedOn, what: 'the start of the process' },
    ...process.phases.map((p) => ({ date: p.startedOn, what: `the start of the phase ${p.phase}` })),
  ];
}
