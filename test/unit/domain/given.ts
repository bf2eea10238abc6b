/**
 * Specification-style tests for the deciders, after Emmett:
 *   given(pastEvents).when(command, refs?, ctx?).then(expectedEvents) / .thenThrows(ErrorClass, rule)
 * `when` runs the command the way the application will: it parses the input with the spec's schema, folds the target,
 * asks the spec which references to load, turns a missing one into UnknownReference, and decides. References are
 * given as the events of their stream (or as a state, e.g. a grant ledger); giving one the spec does not declare
 * fails the test, so `references()` is checked too.
 */
import type {
  AggregateName,
  AggregateState,
  AnyCommandSpec,
  Command,
  CommandContext,
  CommandInput,
  CommandName,
  Reference,
  StateOfAggregate,
} from '../../../src/domain/commands';
import { aggregateOfStream, commandSpecs, evolveAny, initialStateOf } from '../../../src/domain/commands';
import type { DomainError } from '../../../src/domain/errors';
import { UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { eventDataSchemas, parseStreamId } from '../../../src/domain/events';

export const defaultContext: CommandContext = { citizenInitiativeThreshold: 300, today: '2024-06-01' };

export type GivenReference = readonly DomainEvent[] | AggregateState;
export type GivenReferences = Readonly<Record<string, GivenReference>>;

/** A command, typed by its name: `command('SupportProposal', { proposalId, personId, supportedOn })`. */
export function command<N extends CommandName>(name: N, input: CommandInput<N>): Command {
  return { name, input } as Command;
}

type ErrorClass<E extends DomainError> = abstract new (...args: never[]) => E;

export function given(events: readonly DomainEvent[]) {
  return {
    when(command: Command, refs: GivenReferences = {}, ctx: Partial<CommandContext> = {}) {
      const run = (): DomainEvent[] => handle(events, command, refs, { ...defaultContext, ...ctx });
      return {
        then(expected: readonly DomainEvent[]): DomainEvent[] {
          const produced = run();
          expect(produced).toEqual(expected);
          for (const event of produced) expectValidEvent(event);
          return produced;
        },
        thenThrows<E extends DomainError>(errorClass: ErrorClass<E>, rule?: string): E {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          if (!(thrown instanceof errorClass)) {
            throw new Error(
              `expected ${errorClass.name} but got ${thrown === undefined ? 'no error' : String(thrown)}`,
            );
          }
          const error: E = thrown;
          if (rule !== undefined) expect(error.rule).toBe(rule);
          expect(error.message.length).toBeGreaterThan(10);
          return error;
        },
      };
    },
  };
}

/** Runs commands one after another, each on the events of the ones before: for journeys through every stage. */
export function journey(
  start: readonly DomainEvent[],
  steps: ReadonlyArray<{ command: Command; refs?: GivenReferences; ctx?: Partial<CommandContext> }>,
): DomainEvent[] {
  let events = [...start];
  for (const step of steps) {
    const produced = handle(events, step.command, step.refs ?? {}, { ...defaultContext, ...step.ctx });
    for (const event of produced) expectValidEvent(event);
    events = [...events, ...produced];
  }
  return events;
}

/** The state of the stream holding `events`, as the application would fold it. */
export function stateOf(
  events: readonly DomainEvent[],
  aggregate: AggregateName,
): StateOfAggregate[AggregateName] {
  return events.reduce((state, event) => evolveAny(aggregate, state, event), initialStateOf(aggregate));
}

function handle(
  events: readonly DomainEvent[],
  command: Command,
  refs: GivenReferences,
  ctx: CommandContext,
): DomainEvent[] {
  const spec: AnyCommandSpec = commandSpecs[command.name];
  const input = spec.input.parse(command.input);
  const target = stateOf(events, spec.aggregate);
  const declared = spec.references(input, target);
  // A command on a record that does not exist asks for no references: the test's are then never looked at.
  const asked = spec.creates || target.status !== 'absent';
  const undeclared = Object.keys(refs).filter((key) => !declared.some((r) => r.key === key));
  if (asked && undeclared.length > 0)
    throw new Error(`${command.name} does not declare the references ${undeclared.join(', ')}`);
  const loaded: Record<string, AggregateState> = {};
  for (const reference of declared) loaded[reference.key] = load(reference, refs[reference.key]);
  return spec.decide(input, target, loaded, ctx);
}

function load(reference: Reference, given: GivenReference | undefined): AggregateState {
  const id = parseStreamId(reference.streamId)?.id;
  if (id === undefined) throw new Error(`${reference.streamId} is not a stream id`);
  if (given === undefined || (isEventList(given) && given.length === 0)) {
    throw new UnknownReference(reference.what, id, reference.where);
  }
  const aggregate = aggregateOfStream(reference.streamId);
  if (aggregate === undefined) throw new Error(`no aggregate for ${reference.streamId}`);
  const expected = reference.fold === 'grant-ledger' ? 'grantLedger' : aggregate;
  const state = isEventList(given) ? stateOf(given, aggregate) : given;
  if (state.aggregate !== expected)
    throw new Error(`reference ${reference.key} should be a ${expected} state`);
  if (recordIdOf(state) !== id)
    throw new Error(`reference ${reference.key} holds ${recordIdOf(state)}, not ${id}`);
  return state;
}

function isEventList(given: GivenReference): given is readonly DomainEvent[] {
  return Array.isArray(given);
}

/** The record id a state holds: the field its aggregate's creating command targets (a proposal's proposalId …). */
function recordIdOf(state: AggregateState): string | undefined {
  if (state.aggregate === 'grantLedger') return state.committeeId;
  if (state.status === 'absent') return undefined;
  const creating = Object.values(commandSpecs).find(
    (spec: AnyCommandSpec) => spec.aggregate === state.aggregate && spec.creates,
  );
  if (creating === undefined) throw new Error(`no command creates a ${state.aggregate}`);
  const id: unknown = (state as unknown as Record<string, unknown>)[creating.target];
  return typeof id === 'string' ? id : undefined;
}

export function expectValidEvent(event: DomainEvent): void {
  const result = eventDataSchemas[event.type].safeParse(event.data);
  if (!result.success) throw new Error(`${event.type} does not match its schema: ${result.error.message}`);
}
