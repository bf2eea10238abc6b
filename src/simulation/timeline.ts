/**
 * The trial's clock. Each part of the trial (a committee, its meeting calendar, a proposal's life …) is a generator
 * of dated steps in its own date order; the timeline merges them into one sequence ordered by business date, so the
 * ledger fills in roughly the order things happened, and only the parts that are alive at a time are in memory.
 */
import type { CommandInput, CommandName } from '../domain/commands';
import type { Day } from './days';

/** One command of a trial, typed by its name. */
export type TrialCommand = { [N in CommandName]: { name: N; input: CommandInput<N> } }[CommandName];

export function command<N extends CommandName>(name: N, input: CommandInput<N>): TrialCommand {
  return { name, input } as TrialCommand;
}

/**
 * Within a day, what must come first: a committee's appointments before the votes that count them, a proposal's
 * submission before the meeting that has it on the agenda, the meeting before the vote held at it, and so on.
 */
export const Rank = {
  committee: 0,
  submission: 1,
  participation: 2,
  meeting: 3,
  voteOpened: 4,
  ballot: 5,
  voteClosed: 6,
  committeeDecision: 7,
  referral: 8,
  politicalDecision: 9,
  implementation: 10,
  withdrawal: 11,
  closing: 12,
} as const;
export type Rank = (typeof Rank)[keyof typeof Rank];

export type Step =
  | { day: Day; rank: Rank; command: TrialCommand }
  /** Built when its turn comes, for commands that list what happened before them (a meeting's agenda). */
  | { day: Day; rank: Rank; build: () => TrialCommand }
  /** Starts another part of the trial (a proposal is submitted): its steps join the timeline. */
  | { day: Day; rank: Rank; spawn: () => Iterator<Step> };

interface Entry {
  key: number;
  seq: number;
  step: Step;
  source: Iterator<Step>;
}

const keyOf = (step: Step): number => step.day * 16 + step.rank;

/** A binary min-heap on (key, seq): seq keeps equal keys in the order they joined, so the merge is deterministic. */
class StepQueue {
  private readonly heap: Entry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

/** Merges the sources (and the parts they spawn) into one sequence of commands in (day, rank) order. */
export function* runTimeline(sources: Iterable<Iterator<Step>>): Generator<TrialCommand> {
  const queue = new StepQueue();
  let seq = 0;
  const advance = (source: Iterator<Step>): void => {
    const next = source.next();
    if (!next.done) queue.push({ key: keyOf(next.value), seq: seq++, step: next.value, source });
  };
  for (const source of sources) advance(source);
  let now = -Infinity;
  for (let entry = queue.pop(); entry; entry = queue.pop()) {
    // A part that steps back in time would break the guarantees above: that is a bug in the simulator.
    if (entry.key < now) throw new Error(`simulation step out of order on day ${entry.step.day}`);
    now = entry.key;
    const { step } = entry;
    if ('spawn' in step) advance(step.spawn());
    else yield 'build' in step ? step.build() : step.command;
    advance(entry.source);
  }
}
