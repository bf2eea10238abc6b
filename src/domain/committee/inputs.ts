import type { z } from 'zod';
import { Id } from '../values';
import { committeeEvents } from './events';

/** POST /committees */
export const establishCommitteeBody = committeeEvents.CommitteeEstablished.omit({ committeeId: true });
export const establishCommitteeInput = establishCommitteeBody.extend({ committeeId: Id });
export type EstablishCommitteeInput = z.infer<typeof establishCommitteeInput>;

/** POST /committees/:id/members */
export const appointMemberBody = committeeEvents.MemberAppointed;
export const appointMemberInput = appointMemberBody.extend({ committeeId: Id });
export type AppointMemberInput = z.infer<typeof appointMemberInput>;

/** POST /committees/:id/members/:personId/leave */
export const recordMemberLeftBody = committeeEvents.MemberLeft.omit({ personId: true });
export const recordMemberLeftInput = recordMemberLeftBody.extend({ committeeId: Id, personId: Id });
export type RecordMemberLeftInput = z.infer<typeof recordMemberLeftInput>;

/** POST /committees/:id/budget */
export const allocateBudgetBody = committeeEvents.BudgetAllocated;
export const allocateBudgetInput = allocateBudgetBody.extend({ committeeId: Id });
export type AllocateBudgetInput = z.infer<typeof allocateBudgetInput>;

/** POST /committees/:id/dissolution */
export const dissolveCommitteeBody = committeeEvents.CommitteeDissolved;
export const dissolveCommitteeInput = dissolveCommitteeBody.extend({ committeeId: Id });
export type DissolveCommitteeInput = z.infer<typeof dissolveCommitteeInput>;
