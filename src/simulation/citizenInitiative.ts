/**
 * A citizens' initiative (innbyggerforslag, kommuneloven § 12-1): residents collect supports, each from a different
 * registered person; once it has enough, it goes to the council, which must decide within six months. The variants
 * cover what the views must show: decided in time, decided late (overdue), still waiting, and one that fell short.
 */
import { initiativeTitles } from './asker';
import type { CommitteePlan } from './committeePlan';
import type { Day } from './days';
import { isoOf } from './days';
import { distinctPersons } from './people';
import { implementation, votesInBody } from './proposalLife';
import type { Prng } from './prng';
import { command, Rank, type Step } from './timeline';
import type { TrialWorld } from './world';

export type InitiativeVariant = 'on_time' | 'late' | 'pending' | 'short';

export interface InitiativePlan {
  variant: InitiativeVariant;
  committee: CommitteePlan;
  submittedOn: Day;
}

/** Days it takes to collect the supports. */
const COLLECTION_DAYS = { min: 60, max: 120 };
/** Decided in time: well within six months of reaching the threshold; late: well after. */
const ON_TIME_DAYS = { min: 60, max: 170 };
const LATE_DAYS = { min: 200, max: 260 };

/** How long each variant needs from submission to its last step, so the spawner can start it early enough. */
export const initiativeSpanDays: Record<InitiativeVariant, number> = {
  on_time: COLLECTION_DAYS.max + 14 + ON_TIME_DAYS.max,
  late: COLLECTION_DAYS.max + 14 + LATE_DAYS.max,
  pending: COLLECTION_DAYS.max + 14,
  short: COLLECTION_DAYS.max,
};

export function* citizenInitiativeLife(plan: InitiativePlan, world: TrialWorld, prng: Prng): Generator<Step> {
  const proposalId = prng.uuid();
  const threshold = world.citizenInitiativeThreshold;
  const { committee, submittedOn } = plan;
  const area = prng.pick(committee.shape.areas);
  const title = prng.pick(initiativeTitles).replace('{place}', prng.pick(committee.shape.places));
  yield {
    day: submittedOn,
    rank: Rank.submission,
    build: () => {
      committee.noteSubmission(proposalId);
      return command('SubmitProposal', {
        proposalId,
        committeeId: committee.id,
        title,
        description: `${title}. Forslaget fremmes av innbyggere etter kommuneloven § 12-1.`,
        origin: 'citizen_initiative',
        submittedBy: world.persons.id(prng.int(0, world.persons.size - 1)),
        area,
        submittedOn: isoOf(submittedOn),
      });
    },
  };

  const count = supportsFor(prng, plan.variant, threshold, world.persons.size);
  const collection = prng.int(COLLECTION_DAYS.min, COLLECTION_DAYS.max);
  const supportDay = (i: number): Day => submittedOn + Math.floor((i * collection) / count);
  const next = distinctPersons(prng, world.persons.size);
  for (let i = 0; i < count; i++) {
    const day = supportDay(i);
    yield {
      day,
      rank: Rank.participation,
      command: command('SupportProposal', {
        proposalId,
        personId: world.persons.id(next()),
        supportedOn: isoOf(day),
      }),
    };
  }
  if (plan.variant === 'short') return;

  // The referral counts the supports given by its date, so it follows the last one.
  const referredOn = supportDay(count - 1) + prng.int(3, 14);
  const referralId = prng.uuid();
  const caseNumber = world.nextCaseNumber(referredOn);
  yield {
    day: referredOn,
    rank: Rank.referral,
    command: command('ReferProposal', {
      proposalId,
      referralId,
      toBodyId: world.bodies.council.id,
      kind: 'citizen_initiative',
      caseNumber,
      referredOn: isoOf(referredOn),
    }),
  };
  if (plan.variant === 'pending') return;

  const reachedOn = supportDay(threshold - 1);
  const window = plan.variant === 'on_time' ? ON_TIME_DAYS : LATE_DAYS;
  const decidedOn = Math.max(referredOn + 14, reachedOn + prng.int(window.min, window.max));
  if (decidedOn > world.end) return;
  const outcome =
    plan.variant === 'on_time' ? 'adopted' : prng.pick(['adopted_with_amendments', 'rejected'] as const);
  yield {
    day: decidedOn,
    rank: Rank.politicalDecision,
    command: command('RecordPoliticalDecision', {
      proposalId,
      referralId,
      outcome,
      caseNumber,
      summary:
        outcome === 'rejected'
          ? 'Kommunestyret vedtar ikke innbyggerforslaget.'
          : 'Kommunestyret slutter seg til innbyggerforslaget.',
      decidedOn: isoOf(decidedOn),
      ...votesInBody(prng, world.bodies.council.seats, outcome),
    }),
  };
  if (outcome !== 'rejected') yield* implementation(prng, proposalId, decidedOn, world.end, 'ongoing');
}

/** At least the threshold (a few more, as collections overshoot), or for `short` clearly fewer. */
function supportsFor(prng: Prng, variant: InitiativeVariant, threshold: number, persons: number): number {
  if (variant === 'short')
    return Math.max(1, prng.int(Math.floor(threshold * 0.3), Math.floor(threshold * 0.8)));
  return Math.min(persons, threshold + prng.int(3, 30));
}
