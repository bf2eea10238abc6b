/**
 * What a vote's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { voteEvents } from './events';

/** OpenVote: the committee is the proposal's. */
export const openVoteBody = voteEvents.VoteOpened.omit({ voteId: true, committeeId: true });
export const openVoteInput = openVoteBody.extend({ voteId: Id });
export type OpenVoteInput = z.infer<typeof openVoteInput>;

export const castBallotBody = voteEvents.BallotCast;
export const castBallotInput = castBallotBody.extend({ voteId: Id });
export type CastBallotInput = z.infer<typeof castBallotInput>;

/** CloseVote: the server computes eligible, tally and result. */
export const closeVoteBody = voteEvents.VoteClosed.pick({ closedOn: true });
export const closeVoteInput = closeVoteBody.extend({ voteId: Id });
export type CloseVoteInput = z.infer<typeof closeVoteInput>;
