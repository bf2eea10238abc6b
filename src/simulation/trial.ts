/**
 * A simulated participation trial shaped like Asker kommune's 2020–2022 trial: the command sequence a clerk would
 * enter, valid under every rule of DOMAIN.md, in the order it must be executed. The same seed gives the same trial.
 *
 * Structure (bodies, citizen squares, committees, members, budgets, processes) stays the same at every scale; `scale`
 * multiplies the proposals, the people who take part, the meetings and the votes. The trial is generated as it is
 * consumed: only the committees and the proposals still in progress are held in memory.
 */
import type { BodyKey, CommitteeShape, ProcessShape } from './asker';
import { arenas, committees as committeeShapes, politicalBodies, processes, TRIAL_END } from './asker';
import { citizenInitiativeLife, initiativeSpanDays, type InitiativeVariant } from './citizenInitiative';
import { CommitteePlan } from './committeePlan';
import type { Day } from './days';
import { dayOf } from './days';
import { PersonPool, registeringPersons, type PersonProfile } from './people';
import { Prng } from './prng';
import { needsDecideMandate, proposalLife, proposalPaths, type ProposalPath } from './proposalLife';
import { command, Rank, runTimeline, type Step, type TrialCommand } from './timeline';
import { caseNumbers, type BodyRef, type TrialWorld } from './world';

export type { TrialCommand } from './timeline';

export interface TrialOptions {
  seed: number;
  /** A whole number ≥ 1 (default 1): multiplies proposals, persons, meetings, votes and supports. */
  scale?: number;
  /** Supports a citizens' initiative needs (default 300, as the ledger's configuration). */
  citizenInitiativeThreshold?: number;
  /** Stop after this many commands: a prefix of the same trial. */
  limit?: number;
}

export const DEFAULT_CITIZEN_INITIATIVE_THRESHOLD = 300;
/** Proposals (besides citizens' initiatives) per unit of scale: "a few hundred" at scale 1. */
export const PROPOSALS_PER_SCALE = 680;
/**
 * About how many events a trial writes per unit of scale. Measured with seed 1: 10,778 at scale 1, 100,715 at 10,
 * 1,003,790 at 100; other seeds give 9,959–10,537 at scale 1.
 */
export const EVENTS_PER_SCALE = 10_000;
/** Residents who may take part, per unit of scale. */
export const PERSONS_PER_SCALE = 800;
/** Citizens' initiatives per unit of scale, of each variant but `pending` (one per trial). */
const INITIATIVES_PER_SCALE = 1;

/** Proposals are submitted from the first committee meetings until a month before the trial ends. */
const SUBMISSIONS = { from: dayOf('2020-08-01'), to: dayOf('2022-11-30') };
/** Initiatives start collecting supports from the autumn of 2020. */
const FIRST_INITIATIVE = dayOf('2020-09-01');

/** How common each path is among ordinary proposals (the showcase proposals take every path once first). */
const pathWeights: ReadonlyArray<readonly [ProposalPath, number]> = [
  ['recommendation_adopted', 22],
  ['implementation_abandoned', 3],
  ['committee_rejected', 10],
  ['deferred_then_adopted', 6],
  ['committee_noted', 8],
  ['withdrawn_before_decision', 4],
  ['withdrawn_after_decision', 2],
  ['withdrawn_while_referred', 1],
  ['returned_and_readopted', 3],
  ['postponed_then_decided', 4],
  ['own_decision_grant', 10],
  ['own_decision_abandoned', 2],
  ['consultation_response', 6],
  ['political_rejected', 5],
  ['political_noted', 4],
  ['initiative', 4],
  ['pending', 4],
];

export function* generateTrial(options: TrialOptions): Generator<TrialCommand> {
  const { seed, scale, threshold, limit } = validated(options);
  if (limit === 0) return;
  let emitted = 0;
  for (const c of simulate(seed, scale, threshold)) {
    yield c;
    if (++emitted === limit) return;
  }
}

/** The whole trial (or its first `limit` commands) as an array: for tests and small scales. */
export function trialCommands(options: TrialOptions): TrialCommand[] {
  return [...generateTrial(options)];
}

function validated(options: TrialOptions): {
  seed: number;
  scale: number;
  threshold: number;
  limit?: number;
} {
  const {
    seed,
    scale = 1,
    citizenInitiativeThreshold: threshold = DEFAULT_CITIZEN_INITIATIVE_THRESHOLD,
  } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, not ${seed}`);
  if (!Number.isInteger(scale) || scale < 1)
    throw new RangeError(`scale must be a whole number ≥ 1, not ${scale}`);
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new RangeError(`citizenInitiativeThreshold must be a whole number ≥ 1, not ${threshold}`);
  }
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a whole number ≥ 0, not ${limit}`);
  }
  return { seed, scale, threshold, ...(limit !== undefined && { limit }) };
}

function* simulate(seed: number, scale: number, threshold: number): Generator<TrialCommand> {
  const prng = Prng.fromSeed(seed);
  const world = buildWorld(prng, scale, threshold);
  for (const body of politicalBodies) {
    const { key, ...registration } = body;
    yield command('RegisterPoliticalBody', { bodyId: world.bodies[key].id, ...registration });
  }
  for (const arena of arenas) {
    yield command('RegisterArena', {
      arenaId: world.arenaIds.get(arena.key) as string,
      name: arena.name,
      areas: arena.areas,
    });
  }
  yield* registeringPersons(world.persons, runTimeline(sources(world, prng, scale)));
}

interface SimulatedWorld extends TrialWorld {
  arenaIds: ReadonlyMap<string, string>;
  committees: readonly CommitteePlan[];
  processIds: readonly string[];
}

const allAreas = arenas.flatMap((a) => a.areas);

function buildWorld(prng: Prng, scale: number, threshold: number): SimulatedWorld {
  const bodies = Object.fromEntries(
    politicalBodies.map((b) => [
      b.key,
      { id: prng.uuid(), ...(b.seats !== undefined && { seats: b.seats }) },
    ]),
  ) as Record<BodyKey, BodyRef>;
  const arenaIds = new Map(arenas.map((a) => [a.key, prng.uuid()]));
  const { profiles, seatsOf } = memberProfiles(prng);
  // Enough residents for the initiatives to reach the threshold, each support from a different person.
  const personCount = Math.max(PERSONS_PER_SCALE * scale, threshold + 100, profiles.length + 100);
  const persons = PersonPool.create(prng.fork(), personCount, allAreas, profiles);
  const committees = committeeShapes.map(
    (shape) =>
      new CommitteePlan(
        shape,
        prng.fork(),
        arenaIds,
        bodies.council.id,
        persons,
        seatsOf.get(shape) ?? [],
        scale,
      ),
  );
  const processIds = processes.map((process) => {
    const id = prng.uuid();
    for (const committee of committeesIn(process, committees)) {
      committee.processes.push({ id, startedOn: dayOf(firstPhaseOf(process).startedOn) });
    }
    return id;
  });
  return {
    persons,
    bodies,
    arenaIds,
    committees,
    processIds,
    end: dayOf(TRIAL_END),
    citizenInitiativeThreshold: threshold,
    nextCaseNumber: caseNumbers(),
  };
}

/** The first persons of the pool are the committee members; they live where their committee works. */
function memberProfiles(prng: Prng): { profiles: PersonProfile[]; seatsOf: Map<CommitteeShape, number[]> } {
  const profiles: PersonProfile[] = [];
  const seatsOf = new Map<CommitteeShape, number[]>();
  for (const shape of committeeShapes) {
    const seats = [...shape.seats, ...shape.turnover.flatMap((t) => (t.newDeputy ? [t.newDeputy] : []))];
    const areas = shape.kind === 'local_community' ? shape.areas : allAreas;
    seatsOf.set(
      shape,
      seats.map(
        (seat) => profiles.push({ area: prng.pick(areas), youth: seat.role === 'youth_representative' }) - 1,
      ),
    );
  }
  return { profiles, seatsOf };
}

function committeesIn(process: ProcessShape, committees: readonly CommitteePlan[]): CommitteePlan[] {
  return committees.filter((c) => process.committeeKeys.includes(c.shape.key));
}

function firstPhaseOf(process: ProcessShape): ProcessShape['phases'][number] {
  const first = process.phases[0];
  if (!first) throw new Error(`process "${process.title}" has no phases`);
  return first;
}

/** Every part of the trial that the timeline merges. */
function sources(world: SimulatedWorld, prng: Prng, scale: number): Array<Iterator<Step>> {
  const initiatives = (variant: InitiativeVariant, count: number): Iterator<Step> =>
    initiativeSpawner(world, prng.fork(), variant, count);
  return [
    ...world.committees.map((c) => c.setupSteps()),
    ...world.committees.map((c) => c.meetingSteps()),
    ...processes.map((p, i) =>
      processSteps(p, world.processIds[i] as string, committeesIn(p, world.committees)),
    ),
    proposalSpawner(world, prng.fork(), PROPOSALS_PER_SCALE * scale),
    initiatives('on_time', INITIATIVES_PER_SCALE * scale),
    initiatives('late', INITIATIVES_PER_SCALE * scale),
    initiatives('short', INITIATIVES_PER_SCALE * scale),
    initiatives('pending', 1),
  ];
}

function* processSteps(
  process: ProcessShape,
  processId: string,
  committees: CommitteePlan[],
): Generator<Step> {
  const first = firstPhaseOf(process);
  yield {
    day: dayOf(first.startedOn),
    rank: Rank.committee,
    command: command('StartProcess', {
      processId,
      title: process.title,
      committeeIds: committees.map((c) => c.id),
      coCreationForm: process.coCreationForm,
      startedOn: first.startedOn,
    }),
  };
  for (const { phase, startedOn } of process.phases) {
    yield {
      day: dayOf(startedOn),
      rank: Rank.committee,
      command: command('StartProcessPhase', { processId, phase, startedOn }),
    };
  }
  const { completion } = process;
  if (completion) {
    yield {
      day: dayOf(completion.on),
      rank: Rank.committee,
      command: command('CompleteProcess', {
        processId,
        completedOn: completion.on,
        summary: completion.summary,
      }),
    };
  }
}

/**
 * Submits `count` proposals spread evenly over the submission period. The first ones (in the autumn of 2020, early
 * enough to run their whole course) take every path once, with votes, so every trial shows every path.
 */
function* proposalSpawner(world: SimulatedWorld, prng: Prng, count: number): Generator<Step> {
  const span = SUBMISSIONS.to - SUBMISSIONS.from;
  for (let i = 0; i < count; i++) {
    const day = SUBMISSIONS.from + Math.floor(((i + prng.next()) * span) / count);
    const showcase = proposalPaths[i];
    const path = showcase ?? prng.weighted(pathWeights);
    const committee = committeeFor(prng, world.committees, day, path, showcase !== undefined);
    if (!committee) continue;
    const plan = {
      path,
      committee,
      submittedOn: day,
      votes: showcase ? ('always' as const) : ('sometimes' as const),
    };
    const fork = prng.fork();
    yield { day, rank: Rank.submission, spawn: () => proposalLife(plan, world, fork) };
  }
}

/** A committee that meets on `day` and for a while after, and has the mandate the path needs. */
function committeeFor(
  prng: Prng,
  committees: readonly CommitteePlan[],
  day: Day,
  path: ProposalPath,
  showcase: boolean,
): CommitteePlan | undefined {
  const candidates = committees.filter(
    (c) =>
      c.from + 30 <= day &&
      c.lastDay >= day + 60 &&
      (!needsDecideMandate(path) || c.decides) &&
      (!showcase || c.shape.kind === 'local_community'),
  );
  if (candidates.length === 0) return undefined;
  return prng.weighted(candidates.map((c) => [c, c.shape.weight] as const));
}

/** Spreads `count` initiatives of one variant over the time they can run their course before the trial ends. */
function* initiativeSpawner(
  world: SimulatedWorld,
  prng: Prng,
  variant: InitiativeVariant,
  count: number,
): Generator<Step> {
  const last = world.end - initiativeSpanDays[variant] - 30;
  const local = world.committees.filter((c) => c.shape.kind === 'local_community');
  for (let i = 0; i < count; i++) {
    const day = FIRST_INITIATIVE + Math.floor(((i + prng.next()) * (last - FIRST_INITIATIVE)) / count);
    const plan = { variant, committee: prng.pick(local), submittedOn: day };
    const fork = prng.fork();
    yield { day, rank: Rank.submission, spawn: () => citizenInitiativeLife(plan, world, fork) };
  }
}
