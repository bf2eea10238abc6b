import type { z } from 'zod';
import { Id } from '../values';
import { voteEvents } from './events';

/** POST /votes (the committee is the proposal's). */
export const openVoteBody = voteEvents.VoteOpened.omit({ voteId: true, committeeId: true });
export const openVoteInput = openVoteBody.extend({ voteId: Id });
export type OpenVoteInput = z.infer<typeof openVoteInput>;

/** POST /votes/:id/ballots */
export const castBallotBody = voteEvents.BallotCast;
export const castBallotInput = castBallotBody.extend({ voteId: Id });
export type CastBallotInput = z.infer<typeof castBallotInput>;

/** POST /votes/:id/close (the server computes eligible, tally and result). */
export const closeVoteBody = voteEvents.VoteClosed.pick({ closedOn: true });
export const closeVoteInput = closeVoteBody.extend({ voteId: Id });
export type CloseVoteInput = z.infer<typeof closeVoteInput>;
