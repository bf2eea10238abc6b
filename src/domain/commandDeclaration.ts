/**
 * A command, declared once in its aggregate's folder (`<aggregate>/commands.ts`): its HTTP body and input, the
 * stream it targets, whether it creates that stream, its route, the other streams it reads and the function that
 * decides it. `command()` turns a declaration into the spec the application runs generically, doing what every
 * command shares: a creating command needs a fresh stream (a repeat is a state conflict), any other needs its record
 * to exist (an unknown reference from the path), and only then is the declared decide function called.
 */
import type { z } from 'zod';
import { stateAs, streamCategoryOf } from './aggregates';
import type {
  AggregateName,
  AggregateState,
  CommandContext,
  Present,
  Reference,
  References,
  StateOfAggregate,
} from './decider';
import { assertNew, existing } from './decider';
import type { DomainEvent } from './events';
import { streamIdOf } from './events';

/** An HTTP body exactly as API.md gives it: a strict zod object (unknown fields are rejected). */
export type CommandBody = z.ZodObject<z.core.$ZodShape, z.core.$strict>;

/** The input fields that hold a string: the ones a path parameter or the server can fill with an id. */
export type IdField<I> = { [K in keyof I]-?: I[K] extends string ? K : never }[keyof I] & string;

/** Where a command is served: `POST /api/v1<path>`. */
export interface RouteDeclaration<I> {
  /** The express path under /api/v1: '/proposals/:id/supports'. */
  path: string;
  /** Path parameter → the input field it fills. */
  params?: Readonly<Record<string, IdField<I>>>;
  /**
   * An id the server chooses unless the client gives `id` in the body (a decision's or a referral's id). A creating
   * command always fills its target, so it names none here.
   */
  fills?: IdField<I>;
  /** The input field the answer's `id` is: the filled field, else the target. */
  answers?: IdField<I>;
  /** Stable and camelCase, and the name of the decide function: 'supportProposal'. */
  operationId: string;
  summary: string;
}

interface DeclarationBase<N extends string, S extends z.ZodType> {
  name: N;
  /** Exactly the HTTP body of API.md (strict), for validation and the API document. */
  body: CommandBody;
  /** The body plus the ids from the path or chosen by the server, strict: `body.extend({ ids })`. */
  input: S;
  /** The input field holding the id of the record whose stream the command appends to. */
  target: IdField<z.output<S>>;
  route: RouteDeclaration<z.output<S>>;
}

/** A command that registers a new record: its stream must not exist yet. */
interface CreatingDeclaration<N extends string, S extends z.ZodType> extends DeclarationBase<N, S> {
  creates: true;
  /** Other streams to load from the event store (not views), passed to `decide` under their keys. */
  references?: (input: z.output<S>) => Reference[];
  decide: (input: z.output<S>, refs: References, ctx: CommandContext) => DomainEvent[];
}

/** A command on a record that exists: an unknown one is a reference from the path that does not resolve. */
interface ChangingDeclaration<
  A extends AggregateName,
  N extends string,
  S extends z.ZodType,
> extends DeclarationBase<N, S> {
  creates: false;
  /** Asked only once the record exists, so it may read the record (a proposal's committee, a vote's). */
  references?: (input: z.output<S>, target: Present<StateOfAggregate[A]>) => Reference[];
  decide: (
    input: z.output<S>,
    target: Present<StateOfAggregate[A]>,
    refs: References,
    ctx: CommandContext,
  ) => DomainEvent[];
}

export type CommandDeclaration<A extends AggregateName, N extends string, S extends z.ZodType> =
  CreatingDeclaration<N, S> | ChangingDeclaration<A, N, S>;

/** A route with what the declaration leaves implicit filled in. */
export interface CommandRouteSpec {
  path: string;
  params: Readonly<Record<string, string>>;
  /** The input field the server fills with a new id unless the body carries `id`. */
  fills?: string;
  /** The input field that is the answer's `id`. */
  answers: string;
  operationId: string;
  summary: string;
}

/** What the application, the routes, the API document and the tests read of a command. */
export interface CommandSpec<I, N extends string = string> {
  name: N;
  /** Which aggregate's state is the target. */
  aggregate: AggregateName;
  input: z.ZodType<I>;
  body: CommandBody;
  /** The input field holding the target record's id. */
  target: string;
  /** Creating commands need no stream yet; others need the stream to exist. */
  creates: boolean;
  route: CommandRouteSpec;
  /** The decide function the declaration names, as declared (for a reader, and for the test that checks it). */
  decides: (...args: never[]) => DomainEvent[];
  targetStreamId(input: I): string;
  /** The references to load for this input; none while the target of a changing command does not exist. */
  references(input: I, target: AggregateState): Reference[];
  decide(input: I, target: AggregateState, refs: References, ctx: CommandContext): DomainEvent[];
}

/** Any spec, for generic handling (its methods take the input its own `input` schema parsed). */
export type AnyCommandSpec = CommandSpec<unknown>;

export function command<A extends AggregateName, N extends string, S extends z.ZodType>(
  aggregate: A,
  declaration: CommandDeclaration<A, N, S>,
): CommandSpec<z.output<S>, N> & { input: S } {
  type I = z.output<S>;
  const category = streamCategoryOf(aggregate);
  const targetId = (input: I): string => input[declaration.target] as string;
  const fills = declaration.creates ? declaration.target : declaration.route.fills;
  return {
    name: declaration.name,
    aggregate,
    // A zod schema's output is its output: the compiler cannot see that through the generic.
    input: declaration.input as S & z.ZodType<I>,
    body: declaration.body,
    target: declaration.target,
    creates: declaration.creates,
    route: {
      path: declaration.route.path,
      params: declaration.route.params ?? {},
      ...(fills !== undefined && { fills }),
      answers: declaration.route.answers ?? fills ?? declaration.target,
      operationId: declaration.route.operationId,
      summary: declaration.route.summary,
    },
    decides: declaration.decide,
    targetStreamId: (input) => streamIdOf(category, targetId(input)),
    references(input, target) {
      if (declaration.creates) return declaration.references?.(input) ?? [];
      const state = stateAs(aggregate, target);
      if (state.status === 'absent') return [];
      return declaration.references?.(input, state as Present<StateOfAggregate[A]>) ?? [];
    },
    decide(input, target, refs, ctx) {
      const state = stateAs(aggregate, target);
      if (declaration.creates) {
        assertNew(state, category, targetId(input));
        return declaration.decide(input, refs, ctx);
      }
      return declaration.decide(input, existing(state, category, targetId(input)), refs, ctx);
    },
  };
}
