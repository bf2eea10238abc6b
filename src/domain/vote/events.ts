/** The vote's events, on its stream `vote-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { IsoDate, Id, LongText, Count, VoteRule, BallotChoice, VoteResult } from '../values';

export const voteEvents = {
  VoteOpened: z.strictObject({
    voteId: Id,
    proposalId: Id,
    committeeId: Id,
    meetingId: Id.optional(),
    question: LongText.pipe(z.string().min(1)),
    rule: VoteRule,
    openedOn: IsoDate,
  }),
  BallotCast: z.strictObject({ personId: Id, choice: BallotChoice, castOn: IsoDate }),
  VoteClosed: z.strictObject({
    closedOn: IsoDate,
    eligible: Count,
    tally: z.strictObject({ yes: Count, no: Count, abstain: Count }),
    result: VoteResult,
  }),
} as const;
