/**
 * Proposal status: where each proposal stands, what the committee and the political bodies decided, and the
 * deadline of a citizens' initiative. One compact record per proposal; the API's status view is shaped on read.
 */
import type { EventData, EventType } from '../src/domain/events';
import { addCalendarMonths, daysBetween } from './calendar';
import type { LedgerEvent, LedgerEventOf, Projection } from './projection';
import { idInStream } from './projection';
import type { InfluenceClass, ProposalEventType, Stage } from './proposalPath';
import { influenceOf, isClosing, proposalEventTypes, stageAfter } from './proposalPath';

/** Supports a citizens' initiative needs before the council must decide it (kommuneloven § 12-1). */
export const DEFAULT_CITIZEN_INITIATIVE_THRESHOLD = 300;
/** The council decides a citizens' initiative within this many calendar months of reaching the threshold. */
export const INITIATIVE_DEADLINE_MONTHS = 6;

type CommitteeDecisionData = EventData<'CommitteeDecisionRecorded'>;
type PoliticalDecisionData = EventData<'PoliticalDecisionRecorded'>;
type ReferralData = EventData<'ProposalReferred'>;
export type ProposalOrigin = EventData<'ProposalSubmitted'>['origin'];

export interface CommitteeDecisionSummary {
  decisionId: string;
  outcome: CommitteeDecisionData['outcome'];
  kind: CommitteeDecisionData['kind'];
  decidedOn: string;
  voteId?: string;
  grantNok?: number;
}

export interface PoliticalDecisionSummary {
  outcome: PoliticalDecisionData['outcome'];
  caseNumber: string;
  summary: string;
  decidedOn: string;
  votesFor?: number;
  votesAgainst?: number;
}

export interface ReferralStatus {
  referralId: string;
  toBodyId: string;
  kind: ReferralData['kind'];
  caseNumber: string | null;
  referredOn: string;
  /** The latest decision on the referral; a `postponed` one is replaced by the decision that follows it. */
  politicalDecision: PoliticalDecisionSummary | null;
  /** The dates the body postponed the matter, in the order recorded. */
  postponedOn: string[];
}

export interface ImplementationSummary {
  status: EventData<'ImplementationReported'>['status'];
  progressPct: number;
  note: string;
  reportedOn: string;
}

/** The first time each step happened (in ledger order), or null. */
export interface KeyDates {
  submittedOn: string;
  firstCommitteeDecisionOn: string | null;
  firstReferredOn: string | null;
  /** The first political decision that closed a referral (any outcome but `postponed`). */
  politicalDecisionOn: string | null;
  implementationCompletedOn: string | null;
  withdrawnOn: string | null;
}

export interface ProposalRecord {
  proposalId: string;
  committeeId: string;
  processId: string | null;
  title: string;
  origin: ProposalOrigin;
  theme: string | null;
  area: string | null;
  stage: Stage;
  supports: number;
  /** Citizens' initiatives only: the business date on which the supports reached the threshold. */
  supportThresholdReachedOn: string | null;
  /**
   * Citizens' initiatives only: supports per business date. Supports may be recorded out of date order (trial data is
   * entered after the fact), so the day the threshold was reached is the threshold-th earliest support date.
   */
  supportDays: Record<string, number> | null;
  latestCommitteeDecision: CommitteeDecisionSummary | null;
  referrals: ReferralStatus[];
  implementation: ImplementationSummary | null;
  dates: KeyDates;
}

export interface ProposalStatusState {
  /** The citizens' initiative threshold this state was folded with; rebuild when the configuration changes it. */
  threshold: number;
  proposals: Record<string, ProposalRecord>;
}

export function createProposalStatusProjection(
  threshold: number = DEFAULT_CITIZEN_INITIATIVE_THRESHOLD,
): Projection<ProposalStatusState> {
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new RangeError(`the citizens' initiative threshold must be a positive integer, got ${threshold}`);
  }
  return {
    name: 'proposalStatus',
    version: 1,
    eventTypes: proposalEventTypes satisfies readonly EventType[],
    initialState: () => ({ threshold, proposals: {} }),
    apply: applyToProposalStatus,
  };
}

export const proposalStatusProjection = createProposalStatusProjection();

function applyToProposalStatus(state: ProposalStatusState, event: LedgerEvent): ProposalStatusState {
  switch (event.type) {
    case 'ProposalSubmitted':
      if (state.proposals[event.data.proposalId] === undefined) addProposal(state, event.data);
      break;
    case 'ProposalAmended':
    case 'ProposalSupported':
    case 'ProposalWithdrawn':
    case 'CommitteeDecisionRecorded':
    case 'ProposalReferred':
    case 'PoliticalDecisionRecorded':
    case 'ImplementationReported': {
      const proposal = state.proposals[idInStream(event.streamId, 'proposal')];
      if (proposal !== undefined) evolveProposal(proposal, event, state.threshold);
      break;
    }
    default:
      break; // not a proposal event: this view does not read it
  }
  return state;
}

function addProposal(state: ProposalStatusState, data: EventData<'ProposalSubmitted'>): void {
  const isInitiative = data.origin === 'citizen_initiative';
  state.proposals[data.proposalId] = {
    proposalId: data.proposalId,
    committeeId: data.committeeId,
    processId: data.processId ?? null,
    title: data.title,
    origin: data.origin,
    theme: data.theme ?? null,
    area: data.area ?? null,
    stage: 'submitted',
    supports: 0,
    supportThresholdReachedOn: null,
    supportDays: isInitiative ? {} : null,
    latestCommitteeDecision: null,
    referrals: [],
    implementation: null,
    dates: {
      submittedOn: data.submittedOn,
      firstCommitteeDecisionOn: null,
      firstReferredOn: null,
      politicalDecisionOn: null,
      implementationCompletedOn: null,
      withdrawnOn: null,
    },
  };
}

function evolveProposal(
  p: ProposalRecord,
  event: LedgerEventOf<Exclude<ProposalEventType, 'ProposalSubmitted'>>,
  threshold: number,
): void {
  p.stage = stageAfter(p.stage, event);
  switch (event.type) {
    case 'ProposalAmended':
      if (event.data.title !== undefined) p.title = event.data.title;
      break;
    case 'ProposalSupported':
      addSupport(p, event.data.supportedOn, threshold);
      break;
    case 'ProposalWithdrawn':
      p.dates.withdrawnOn ??= event.data.withdrawnOn;
      break;
    case 'CommitteeDecisionRecorded':
      p.latestCommitteeDecision = committeeDecisionSummary(event.data);
      p.dates.firstCommitteeDecisionOn ??= event.data.decidedOn;
      break;
    case 'ProposalReferred':
      p.referrals.push(referralStatus(event.data));
      p.dates.firstReferredOn ??= event.data.referredOn;
      break;
    case 'PoliticalDecisionRecorded':
      addPoliticalDecision(p, event.data);
      break;
    case 'ImplementationReported': {
      const { status, progressPct, note, reportedOn } = event.data;
      p.implementation = { status, progressPct, note, reportedOn };
      if (status === 'completed') p.dates.implementationCompletedOn ??= reportedOn;
      break;
    }
    default:
      break;
  }
}

function addSupport(p: ProposalRecord, supportedOn: string, threshold: number): void {
  p.supports += 1;
  if (p.supportDays === null) return;
  p.supportDays[supportedOn] = (p.supportDays[supportedOn] ?? 0) + 1;
  if (p.supports < threshold) return;
  const reached = p.supportThresholdReachedOn;
  // A support dated on or after the day already found cannot move it; an earlier one can (late-entered data).
  if (reached === null || supportedOn < reached) {
    p.supportThresholdReachedOn = dayCountReached(p.supportDays, threshold);
  }
}

/** The first date by which `count` supports had been given. Sorts once per threshold change, not per support. */
function dayCountReached(supportDays: Record<string, number>, count: number): string | null {
  let total = 0;
  for (const day of Object.keys(supportDays).sort()) {
    total += supportDays[day] ?? 0;
    if (total >= count) return day;
  }
  return null;
}

function committeeDecisionSummary(data: CommitteeDecisionData): CommitteeDecisionSummary {
  const { decisionId, outcome, kind, decidedOn, voteId, grantNok } = data;
  return {
    decisionId,
    outcome,
    kind,
    decidedOn,
    ...(voteId !== undefined && { voteId }),
    ...(grantNok !== undefined && { grantNok }),
  };
}

function referralStatus(data: ReferralData): ReferralStatus {
  const { referralId, toBodyId, kind, caseNumber, referredOn } = data;
  return {
    referralId,
    toBodyId,
    kind,
    caseNumber: caseNumber ?? null,
    referredOn,
    politicalDecision: null,
    postponedOn: [],
  };
}

function addPoliticalDecision(p: ProposalRecord, data: PoliticalDecisionData): void {
  const referral = p.referrals.findLast((r) => r.referralId === data.referralId);
  if (referral === undefined) return;
  const { outcome, caseNumber, summary, decidedOn, votesFor, votesAgainst } = data;
  referral.politicalDecision = {
    outcome,
    caseNumber,
    summary,
    decidedOn,
    ...(votesFor !== undefined && { votesFor }),
    ...(votesAgainst !== undefined && { votesAgainst }),
  };
  if (isClosing(outcome)) p.dates.politicalDecisionOn ??= decidedOn;
  else referral.postponedOn.push(decidedOn);
}

// ---------- queries ----------

/** The status view of API.md (GET /proposals/:id), without `position`, which the runner adds. */
export interface ProposalStatusView extends Omit<ProposalRecord, 'supportDays'> {
  submittedOn: string;
  influence: InfluenceClass;
  /** Calendar days from submission to the first political decision that closed a referral, or null. */
  daysToPoliticalDecision: number | null;
  /** Citizens' initiatives only: the last day for the council's decision (null until the threshold is reached). */
  initiativeDeadline?: string | null;
  /** Citizens' initiatives only: past the deadline on `asOfDate` with no closing political decision. */
  overdue?: boolean;
}

/**
 * The proposal's status, or undefined for an unknown id. `asOfDate` (YYYY-MM-DD) is the day the deadline is judged
 * on: the date of the ledger point read, or today; the reducer never reads a clock.
 */
export function statusOf(
  state: ProposalStatusState,
  proposalId: string,
  asOfDate: string,
): ProposalStatusView | undefined {
  const p = state.proposals[proposalId];
  return p === undefined ? undefined : statusView(p, asOfDate);
}

function statusView(p: ProposalRecord, asOfDate: string): ProposalStatusView {
  const latestReferral = p.referrals.at(-1);
  const { submittedOn, politicalDecisionOn } = p.dates;
  return {
    proposalId: p.proposalId,
    committeeId: p.committeeId,
    processId: p.processId,
    title: p.title,
    origin: p.origin,
    theme: p.theme,
    area: p.area,
    submittedOn,
    stage: p.stage,
    supports: p.supports,
    supportThresholdReachedOn: p.supportThresholdReachedOn,
    latestCommitteeDecision: p.latestCommitteeDecision && { ...p.latestCommitteeDecision },
    referrals: p.referrals.map(copyReferral),
    implementation: p.implementation && { ...p.implementation },
    influence: influenceOf(latestReferral !== undefined, latestReferral?.politicalDecision?.outcome ?? null),
    daysToPoliticalDecision:
      politicalDecisionOn === null ? null : daysBetween(submittedOn, politicalDecisionOn),
    dates: { ...p.dates },
    ...initiativeDeadline(p, asOfDate),
  };
}

function copyReferral(r: ReferralStatus): ReferralStatus {
  return {
    ...r,
    politicalDecision: r.politicalDecision && { ...r.politicalDecision },
    postponedOn: [...r.postponedOn],
  };
}

function initiativeDeadline(
  p: ProposalRecord,
  asOfDate: string,
): Pick<ProposalStatusView, 'initiativeDeadline' | 'overdue'> {
  if (p.origin !== 'citizen_initiative') return {};
  const reached = p.supportThresholdReachedOn;
  const deadline = reached === null ? null : addCalendarMonths(reached, INITIATIVE_DEADLINE_MONTHS);
  // A withdrawn initiative asks nothing more of the council.
  const awaitsDecision = p.dates.politicalDecisionOn === null && p.dates.withdrawnOn === null;
  return {
    initiativeDeadline: deadline,
    overdue: deadline !== null && awaitsDecision && asOfDate > deadline,
  };
}

export interface ProposalFilter {
  committeeId?: string;
  stage?: Stage;
  origin?: ProposalOrigin;
  theme?: string;
  /**
   * Text the title must contain: compared case-insensitively after Unicode NFKC normalisation (so "MØTEPLASS" finds
   * "møteplass", and a ligature or full-width letter finds its plain form), as plain text, never as a pattern.
   */
  titleContains?: string;
}

export interface ProposalPageRequest {
  /** Items per page; all when absent. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface ProposalPage {
  items: ProposalStatusView[];
  /** Proposals matching the filter, on every page. */
  total: number;
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Proposals matching every given filter, ordered by submission date then id: a total, stable order, so a cursor (the
 * last item's date and id) resumes exactly after that item. Late-entered proposals dated before the cursor are not
 * revisited; to page over one fixed ledger state, keep the position (asOf) with the cursor. Throws RangeError for a
 * malformed cursor (check it with `isProposalCursor` first).
 */
export function listProposals(
  state: ProposalStatusState,
  filter: ProposalFilter,
  asOfDate: string,
  page: ProposalPageRequest = {},
): ProposalPage {
  const after = page.cursor === undefined || page.cursor === null ? undefined : parseCursor(page.cursor);
  const titleContains = filter.titleContains === undefined ? undefined : searchForm(filter.titleContains);
  const matching: ProposalRecord[] = [];
  let total = 0;
  for (const p of Object.values(state.proposals)) {
    if (!matches(p, filter)) continue;
    if (titleContains !== undefined && !searchForm(p.title).includes(titleContains)) continue;
    total += 1;
    if (after === undefined || isAfter(p, after)) matching.push(p);
  }
  matching.sort(compareOrder);
  const limit = page.limit ?? matching.length;
  const items = matching.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((p) => statusView(p, asOfDate)),
    total,
    nextCursor:
      matching.length > limit && last !== undefined
        ? proposalCursor({ submittedOn: last.dates.submittedOn, proposalId: last.proposalId })
        : null,
  };
}

function matches(p: ProposalRecord, f: ProposalFilter): boolean {
  return (
    (f.committeeId === undefined || p.committeeId === f.committeeId) &&
    (f.stage === undefined || p.stage === f.stage) &&
    (f.origin === undefined || p.origin === f.origin) &&
    (f.theme === undefined || p.theme === f.theme)
  );
}

/** Text as title search compares it: NFKC-normalised, then lower-cased (after NFKC, which may change case). */
function searchForm(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

interface OrderKey {
  submittedOn: string;
  proposalId: string;
}

function compareKeys(aDate: string, aId: string, bDate: string, bId: string): number {
  if (aDate !== bDate) return aDate < bDate ? -1 : 1;
  if (aId === bId) return 0;
  return aId < bId ? -1 : 1;
}

function compareOrder(a: ProposalRecord, b: ProposalRecord): number {
  return compareKeys(a.dates.submittedOn, a.proposalId, b.dates.submittedOn, b.proposalId);
}

function isAfter(p: ProposalRecord, key: OrderKey): boolean {
  return compareKeys(p.dates.submittedOn, p.proposalId, key.submittedOn, key.proposalId) > 0;
}

const cursorPattern = /^(\d{4}-\d{2}-\d{2})~([0-9A-Za-z-]{1,64})$/;

/** The cursor that resumes a listing after this item: `<submittedOn>~<proposalId>`. */
export function proposalCursor(p: { submittedOn: string; proposalId: string }): string {
  return `${p.submittedOn}~${p.proposalId}`;
}

export function isProposalCursor(cursor: string): boolean {
  return cursorPattern.test(cursor);
}

function parseCursor(cursor: string): OrderKey {
  const m = cursorPattern.exec(cursor);
  if (m === null) throw new RangeError(`malformed proposal cursor: ${JSON.stringify(cursor.slice(0, 80))}`);
  return { submittedOn: m[1] as string, proposalId: m[2] as string };
}
