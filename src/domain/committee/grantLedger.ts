/**
 * A committee's grant ledger: what it has granted per year, for the rule "grants decided in a year may not exceed
 * what was allocated to the committee for that year".
 *
 * Design. Allocations are on the committee stream (BudgetAllocated), but grants are the `grantNok` of adopted
 * own decisions, recorded as CommitteeDecisionRecorded on the proposal streams. Options weighed:
 * - a grant event on the committee stream: the cleanest boundary, but then one command appends to two streams, and
 *   the store port appends atomically to one stream only; a failure between the appends would leave them disagreeing;
 * - a projection (the committee view): eventually consistent, it can lag behind the decision it should guard;
 * - loading every proposal stream of the committee: needs an index of those streams, which only a view has.
 * Chosen: the ledger is a pure fold over the event log. RecordCommitteeDecision, when it grants money, names the
 * reference `grants` with `fold: 'grant-ledger'`; the application folds every event of the log, in global order,
 * with `evolveGrantLedger` (events of other types and other committees are ignored). No new event type, no view.
 * "The latest decision counts": the ledger keeps one grant per proposal stream, so a decision that replaces an earlier
 * one (after the political body returned the proposal) replaces its grant instead of adding to it.
 * Cost: one pass over the log per granting decision, fine at a municipality's scale (thousands of events).
 * Concurrency: two grants on different proposals append to different streams, so the proposal stream's expected
 * revision does not order them: the command service runs granting decisions one at a time (all committees share
 * one queue, since a decision's committee is known only once its proposal is loaded).
 */
import type { DomainEvent, EventData } from '../events';
import { yearOf } from '../dates';

export interface Grant {
  year: number;
  grantNok: number;
}

export interface GrantLedger {
  aggregate: 'grantLedger';
  committeeId: string;
  /** Proposal stream id → the grant of that proposal's latest committee decision. */
  grants: Readonly<Record<string, Grant>>;
}

export function initialGrantLedger(committeeId: string): GrantLedger {
  return { aggregate: 'grantLedger', committeeId, grants: {} };
}

/** What a committee decision grants: only an adopted own decision grants money (DOMAIN.md, Budget). */
export function grantOf(
  decision: Pick<EventData<'CommitteeDecisionRecorded'>, 'outcome' | 'kind' | 'grantNok' | 'decidedOn'>,
): Grant | undefined {
  const { outcome, kind, grantNok, decidedOn } = decision;
  if (outcome !== 'adopted' || kind !== 'own_decision' || !grantNok) return undefined;
  return { year: yearOf(decidedOn), grantNok };
}

export function evolveGrantLedger(ledger: GrantLedger, streamId: string, event: DomainEvent): GrantLedger {
  if (event.type !== 'CommitteeDecisionRecorded' || event.data.committeeId !== ledger.committeeId)
    return ledger;
  const { [streamId]: _replaced, ...others } = ledger.grants;
  const grant = grantOf(event.data);
  return { ...ledger, grants: grant ? { ...others, [streamId]: grant } : others };
}

/** The sum granted in `year`, leaving out one proposal stream (the one whose decision is being replaced). */
export function grantedIn(ledger: GrantLedger, year: number, exceptStreamId?: string): number {
  let sum = 0;
  for (const [streamId, grant] of Object.entries(ledger.grants)) {
    if (streamId !== exceptStreamId && grant.year === year) sum += grant.grantNok;
  }
  return sum;
}
