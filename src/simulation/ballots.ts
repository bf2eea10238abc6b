/**
 * Ballots that give a vote the result the story needs. The server computes the tally and result on close (the
 * simulator only casts ballots), so the simulator picks who votes and how, and checks the pick with the domain's
 * own `resultOf` before using it.
 */
import type { EventData } from '../domain/events';
import { resultOf, type VoteRule } from '../domain/vote/vote';
import type { Prng } from './prng';

export type VoteResult = EventData<'VoteClosed'>['result'];
export type BallotChoice = EventData<'BallotCast'>['choice'];

export interface PlannedBallot {
  personId: string;
  choice: BallotChoice;
}

const ATTEMPTS = 50;

/** Ballots by some of `eligible` such that the vote closes with `result`; undefined when no pick can do it. */
export function ballotsFor(
  prng: Prng,
  eligible: readonly string[],
  rule: VoteRule,
  result: VoteResult,
): PlannedBallot[] | undefined {
  const n = eligible.length;
  if (n === 0) return result === 'no_quorum' ? [] : undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const tally = drawTally(prng, n, result);
    if (tally && resultOf(rule, n, tally) === result) return assign(prng, eligible, tally);
  }
  return undefined;
}

type Tally = { yes: number; no: number; abstain: number };

function drawTally(prng: Prng, eligible: number, result: VoteResult): Tally | undefined {
  const quorum = Math.ceil(eligible / 2);
  if (result === 'no_quorum') {
    // Fewer than half cast a ballot (kommuneloven § 11-9).
    const cast = prng.int(Math.min(1, quorum - 1), quorum - 1);
    const yes = prng.int(0, cast);
    return { yes, no: cast - yes, abstain: 0 };
  }
  const cast = prng.int(quorum, eligible);
  const abstain = prng.chance(0.3) ? prng.int(0, Math.min(1, cast - 1)) : 0;
  const decisive = cast - abstain;
  if (result === 'passed') {
    const no = prng.int(0, Math.floor((decisive - 1) / 3));
    return { yes: decisive - no, no, abstain };
  }
  const yes = prng.int(0, Math.floor(decisive / 2));
  return { yes, no: decisive - yes, abstain };
}

/** Gives the choices of the tally to distinct members, in a random order. */
function assign(prng: Prng, eligible: readonly string[], tally: Tally): PlannedBallot[] {
  const voters = [...eligible];
  for (let i = voters.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [voters[i], voters[j]] = [voters[j] as string, voters[i] as string];
  }
  const choices: BallotChoice[] = [
    ...Array<BallotChoice>(tally.yes).fill('yes'),
    ...Array<BallotChoice>(tally.no).fill('no'),
    ...Array<BallotChoice>(tally.abstain).fill('abstain'),
  ];
  return choices.map((choice, i) => ({ personId: voters[i] as string, choice }));
}
