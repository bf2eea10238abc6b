/**
 * What a committee's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { committeeEvents } from './events';

export const establishCommitteeBody = committeeEvents.CommitteeEstablished.omit({ committeeId: true });
export const establishCommitteeInput = establishCommitteeBody.extend({ committeeId: Id });
export type EstablishCommitteeInput = z.infer<typeof establishCommitteeInput>;

export const appointMemberBody = committeeEvents.MemberAppointed;
export const appointMemberInput = appointMemberBody.extend({ committeeId: Id });
export type AppointMemberInput = z.infer<typeof appointMemberInput>;

export const recordMemberLeftBody = committeeEvents.MemberLeft.omit({ personId: true });
export const recordMemberLeftInput = recordMemberLeftBody.extend({ committeeId: Id, personId: Id });
export type RecordMemberLeftInput = z.infer<typeof recordMemberLeftInput>;

export const allocateBudgetBody = committeeEvents.BudgetAllocated;
export const allocateBudgetInput = allocateBudgetBody.extend({ committeeId: Id });
export type AllocateBudgetInput = z.infer<typeof allocateBudgetInput>;

export const dissolveCommitteeBody = committeeEvents.CommitteeDissolved;
export const dissolveCommitteeInput = dissolveCommitteeBody.extend({ committeeId: Id });
export type DissolveCommitteeInput = z.infer<typeof dissolveCommitteeInput>;
