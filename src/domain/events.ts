/**
 * The ledger's events, one zod schema per event type: the single source of truth for their TypeScript types,
 * for validating what is read back, and (through the commands built from them) for the OpenAPI document.
 * Field names are DOMAIN.md's. Every event type has a schemaVersion; bump it when its data shape changes.
 */
import { z } from 'zod';

// ---------- shared value schemas ----------

/** Whether `YYYY-MM-DD` names a day of the (proleptic Gregorian) calendar: 2021-02-29 does not. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A business date, ISO `YYYY-MM-DD`, that exists in the calendar. */
export const IsoDate = z
  .string()
  .refine(isCalendarDate, { message: 'must be a calendar date written YYYY-MM-DD' })
  .describe('ISO date YYYY-MM-DD');
export const Id = z.uuid({ message: 'must be a UUID' });

/**
 * What text fields refuse. Control characters (C0, DEL, C1) are invisible, end up in CSV exports, terminals and
 * logs, and a NUL cuts strings short in tools that read them. Bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) make text display in another order than it is stored ("Trojan Source",
 * CVE-2021-42574), which a ledger that people read to check what was decided cannot allow; the bidirectional marks
 * (U+200E, U+200F, U+061C) are invisible too and make look-alike names, themes and case numbers differ, while
 * right-to-left letters display correctly without them. A lone surrogate is not Unicode text: it has no UTF-8 form.
 * Letters of any script, æøå, emoji (with their joiners) and combining marks are text and pass.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const refusedCharacter = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The same for prose that may run over several lines: TAB, LF and CR pass. */
const refusedInProse =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

function whatCharacterIs(codePoint: number): string {
  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d)
    return 'a tab or line break, and this field is a single line';
  if (codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'a control character';
  if (codePoint === 0x200e || codePoint === 0x200f || codePoint === 0x061c)
    return 'an invisible bidirectional mark';
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'half of a surrogate pair, which is not text';
  return 'a bidirectional control, which makes text display in another order than it is stored';
}

/** The zod issue for the first refused character, naming it and where it is. */
function refuseCharacters(refused: RegExp) {
  return (text: string, ctx: z.RefinementCtx): void => {
    const found = refused.exec(text);
    if (!found) return;
    const codePoint = found[0].codePointAt(0) ?? 0;
    const at = [...text.slice(0, found.index)].length + 1;
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    ctx.addIssue({
      code: 'custom',
      message: `must not contain U+${hex}, ${whatCharacterIs(codePoint)} (character ${at})`,
    });
  };
}

/** A single line of text: names, titles, areas, themes, case numbers. */
export function line(schema: z.ZodString): z.ZodString {
  return schema.superRefine(refuseCharacters(refusedCharacter));
}
/** Prose that may hold tabs and line breaks: descriptions, decision texts, notes, summaries, reasons. */
function prose(schema: z.ZodString): z.ZodString {
  return schema.superRefine(refuseCharacters(refusedInProse));
}

export const Name = line(z.string().trim().min(1).max(200));
export const Title = line(z.string().trim().min(1).max(300));
export const LongText = prose(z.string().max(20_000));
export const Reason = prose(z.string().max(2_000));
export const AreaName = line(z.string().trim().min(1).max(200));
export const CaseNumber = line(z.string().trim().min(1).max(50)).describe(
  'case number, free text, e.g. "21/1234"',
);
export const WholeNok = z.number().int().min(0).max(1_000_000_000_000).describe('whole NOK');
export const Count = z.number().int().min(0).max(10_000_000);

export const CommitteeKind = z.enum(['local_community', 'task', 'area_forum']);
export const PoliticalBodyKind = z.enum([
  'council',
  'executive_committee',
  'standing_committee',
  'administration',
]);
export const CoCreationForm = z.enum(['equal', 'steered', 'facilitating', 'responsibilizing']);
export const Mandate = z.strictObject({
  influence: z.boolean(),
  decide: z.boolean(),
  facilitate: z.boolean(),
  support: z.boolean(),
  arrange: z.boolean(),
});
export const RepresentationBasis = z.enum([
  'interest',
  'population_group',
  'geographic_area',
  'viewpoint',
  'open',
]);
export const ActorGroup = z.enum([
  'resident',
  'private_actor',
  'voluntary_org',
  'municipality',
  'politician',
]);
export const Phase = z.enum(['knowledge_base', 'co_creation', 'political_processing', 'implementation']);
export const MemberRole = z.enum(['leader', 'deputy_leader', 'member', 'youth_representative', 'deputy']);
export const MeetingKind = z.enum(['committee_meeting', 'public_meeting', 'workshop']);
export const ProposalOrigin = z.enum([
  'resident',
  'member',
  'committee',
  'administration',
  'political_body',
  'citizen_initiative',
]);
export const CommitteeOutcome = z.enum(['adopted', 'rejected', 'deferred', 'noted']);
export const CommitteeDecisionKind = z.enum(['recommendation', 'own_decision', 'consultation_response']);
export const ReferralKind = z.enum([
  'recommendation',
  'consultation_response',
  'initiative',
  'citizen_initiative',
]);
export const PoliticalOutcome = z.enum([
  'adopted',
  'adopted_with_amendments',
  'rejected',
  'returned',
  'noted',
  'postponed',
]);
export const ImplementationStatus = z.enum(['planned', 'in_progress', 'completed', 'abandoned']);
export const VoteRule = z.enum(['simple_majority', 'two_thirds']);
export const BallotChoice = z.enum(['yes', 'no', 'abstain']);
export const VoteResult = z.enum(['passed', 'failed', 'no_quorum']);
export const Period = z.strictObject({ from: IsoDate, to: IsoDate });

/** Personal data as a person gave it. Never stored like this: see SealedPersonal. */
export const PersonalData = z.strictObject({
  name: Name,
  // Norwegian addresses may carry æøå in the local part or domain, so the check is Unicode-aware.
  email: z
    .email({
      pattern: /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:.]{2,}$/u,
      message: 'must be an email address',
    })
    .max(254)
    .superRefine(refuseCharacters(refusedCharacter))
    .optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{3,30}$/, { message: 'must be a phone number' })
    .optional(),
});
/** Personal data as stored: AES-256-GCM under the person's own key (envelope `dataKeyId`). */
export const SealedPersonal = z.strictObject({
  alg: z.literal('A256GCM'),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});

// ---------- event data schemas, per stream ----------

export const eventDataSchemas = {
  // arena-<id>
  ArenaRegistered: z.strictObject({ arenaId: Id, name: Name, areas: z.array(AreaName).max(100) }),
  // political-body-<id>
  PoliticalBodyRegistered: z.strictObject({
    bodyId: Id,
    name: Name,
    kind: PoliticalBodyKind,
    seats: z.number().int().min(1).max(1000).optional(),
  }),
  // person-<id>
  PersonRegistered: z.strictObject({
    personId: Id,
    personal: z.union([PersonalData, SealedPersonal]),
    birthYear: z.number().int().min(1900).max(2100).optional(),
    area: AreaName.optional(),
  }),
  PersonalDataErased: z.strictObject({ erasedOn: IsoDate, reason: Reason }),
  // committee-<id>
  CommitteeEstablished: z.strictObject({
    committeeId: Id,
    name: Name,
    kind: CommitteeKind,
    arenaId: Id.optional(),
    areas: z.array(AreaName).max(100),
    theme: Name.optional(),
    mandate: Mandate,
    coCreationForm: CoCreationForm,
    period: Period,
    establishedBy: z.strictObject({ bodyId: Id, caseNumber: CaseNumber }).optional(),
  }),
  MemberAppointed: z.strictObject({
    personId: Id,
    role: MemberRole,
    actorGroup: ActorGroup,
    representationBasis: RepresentationBasis,
    represents: Name.optional(),
    appointedOn: IsoDate,
  }),
  MemberLeft: z.strictObject({ personId: Id, leftOn: IsoDate, reason: Reason.optional() }),
  BudgetAllocated: z.strictObject({ year: z.number().int().min(1900).max(2200), amountNok: WholeNok }),
  CommitteeDissolved: z.strictObject({ dissolvedOn: IsoDate, reason: Reason }),
  // process-<id>
  ProcessStarted: z.strictObject({
    processId: Id,
    title: Title,
    committeeIds: z.array(Id).min(1).max(50),
    coCreationForm: CoCreationForm,
    startedOn: IsoDate,
  }),
  ProcessPhaseStarted: z.strictObject({ phase: Phase, startedOn: IsoDate }),
  ProcessCompleted: z.strictObject({ completedOn: IsoDate, summary: LongText }),
  // meeting-<id>
  MeetingHeld: z.strictObject({
    meetingId: Id,
    committeeId: Id.optional(),
    arenaId: Id.optional(),
    kind: MeetingKind,
    heldOn: IsoDate,
    attendeeCount: Count,
    attendeePersonIds: z.array(Id).max(10_000).optional(),
    agendaProposalIds: z.array(Id).max(500),
  }),
  // proposal-<id>
  ProposalSubmitted: z.strictObject({
    proposalId: Id,
    committeeId: Id,
    processId: Id.optional(),
    title: Title,
    description: LongText,
    origin: ProposalOrigin,
    submittedBy: Id.optional(),
    theme: Name.optional(),
    area: AreaName.optional(),
    submittedOn: IsoDate,
  }),
  ProposalAmended: z.strictObject({
    title: Title.optional(),
    description: LongText.optional(),
    amendedOn: IsoDate,
    reason: Reason,
  }),
  ProposalSupported: z.strictObject({ personId: Id, supportedOn: IsoDate }),
  ProposalWithdrawn: z.strictObject({ withdrawnOn: IsoDate, reason: Reason }),
  CommitteeDecisionRecorded: z.strictObject({
    decisionId: Id,
    committeeId: Id,
    outcome: CommitteeOutcome,
    kind: CommitteeDecisionKind,
    text: LongText,
    voteId: Id.optional(),
    grantNok: WholeNok.optional(),
    decidedOn: IsoDate,
  }),
  ProposalReferred: z.strictObject({
    referralId: Id,
    toBodyId: Id,
    kind: ReferralKind,
    caseNumber: CaseNumber.optional(),
    referredOn: IsoDate,
  }),
  PoliticalDecisionRecorded: z.strictObject({
    referralId: Id,
    bodyId: Id,
    caseNumber: CaseNumber,
    outcome: PoliticalOutcome,
    summary: LongText,
    decidedOn: IsoDate,
    votesFor: Count.optional(),
    votesAgainst: Count.optional(),
  }),
  ImplementationReported: z.strictObject({
    status: ImplementationStatus,
    progressPct: z.number().int().min(0).max(100),
    note: LongText,
    reportedOn: IsoDate,
  }),
  // vote-<id>
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

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

/** Every event type is at schema version 1 so far. */
export const eventSchemaVersions: Record<EventType, number> = Object.fromEntries(
  eventTypes.map((t) => [t, 1]),
) as Record<EventType, number>;

export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

/** A domain event: what a decider returns and what evolve/reducers take. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];
export type DomainEventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export type PersonalData = z.infer<typeof PersonalData>;
export type SealedPersonal = z.infer<typeof SealedPersonal>;

/** Stream ids: `<category>-<uuid>`, as DOMAIN.md names them. */
export const streamCategories = [
  'arena',
  'political-body',
  'person',
  'committee',
  'process',
  'meeting',
  'proposal',
  'vote',
] as const;
export type StreamCategory = (typeof streamCategories)[number];

export function streamIdOf(category: StreamCategory, id: string): string {
  return `${category}-${id}`;
}

/**
 * The record id of a stream `<category>-<id>` of a known category (streamIdOf backwards). Events such as
 * `BallotCast` or `ProposalSupported` name their vote or proposal only through the stream. No UUID check: the store
 * only holds stream ids the service built.
 */
export function idInStream(streamId: string, category: StreamCategory): string {
  return streamId.slice(category.length + 1);
}

/** The record id of a stream of any category: every record id is a UUID, the stream id's last 36 characters. */
export function recordIdOf(streamId: string): string {
  return streamId.slice(-36);
}

/** Splits `political-body-<uuid>` into its category and id, or returns undefined. */
export function parseStreamId(streamId: string): { category: StreamCategory; id: string } | undefined {
  for (const category of streamCategories) {
    const prefix = `${category}-`;
    if (streamId.startsWith(prefix)) {
      const id = streamId.slice(prefix.length);
      // "political-body-…" also starts with neither "person-" nor "process-", so the first match is the right one.
      if (Id.safeParse(id).success) return { category, id };
    }
  }
  return undefined;
}

/** The stream category each event type belongs to. */
export const categoryOfEvent: Record<EventType, StreamCategory> = {
  ArenaRegistered: 'arena',
  PoliticalBodyRegistered: 'political-body',
  PersonRegistered: 'person',
  PersonalDataErased: 'person',
  CommitteeEstablished: 'committee',
  MemberAppointed: 'committee',
  MemberLeft: 'committee',
  BudgetAllocated: 'committee',
  CommitteeDissolved: 'committee',
  ProcessStarted: 'process',
  ProcessPhaseStarted: 'process',
  ProcessCompleted: 'process',
  MeetingHeld: 'meeting',
  ProposalSubmitted: 'proposal',
  ProposalAmended: 'proposal',
  ProposalSupported: 'proposal',
  ProposalWithdrawn: 'proposal',
  CommitteeDecisionRecorded: 'proposal',
  ProposalReferred: 'proposal',
  PoliticalDecisionRecorded: 'proposal',
  ImplementationReported: 'proposal',
  VoteOpened: 'vote',
  BallotCast: 'vote',
  VoteClosed: 'vote',
};

/** The business date an event names: the envelope's `occurredAt`. */
export function businessDateOf(event: DomainEvent): string {
  const d = event.data as Record<string, unknown>;
  for (const key of [
    'submittedOn',
    'amendedOn',
    'supportedOn',
    'withdrawnOn',
    'decidedOn',
    'referredOn',
    'reportedOn',
    'openedOn',
    'castOn',
    'closedOn',
    'heldOn',
    'appointedOn',
    'leftOn',
    'dissolvedOn',
    'startedOn',
    'completedOn',
    'erasedOn',
  ]) {
    const v = d[key];
    if (typeof v === 'string') return v;
  }
  if (event.type === 'CommitteeEstablished') return event.data.period.from;
  if (event.type === 'BudgetAllocated') return `${event.data.year}-01-01`;
  // Registrations (arena, body, person) name no business date: they are as of when they are recorded.
  return '';
}
