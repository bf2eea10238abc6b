/**
 * What the view reads send, as zod schemas: the answer schema of each read operation (routes/reads/) and so of the
 * API document. Each describes exactly what is sent (strict objects: an extra or missing field is a mismatch), for
 * every role: anonymous callers get the public form (counts of people that may be hidden as null, no row per
 * person), evaluators pseudonyms, clerks and admins names. Enums are the domain's, so their values show in the
 * document.
 */
import { z } from 'zod';
import { influenceClasses, influenceGroupings, stages } from '../../../projections';
import {
  ActorGroup,
  BallotChoice,
  CoCreationForm,
  CommitteeDecisionKind,
  CommitteeKind,
  CommitteeOutcome,
  Id,
  ImplementationStatus,
  IsoDate,
  Mandate,
  MeetingKind,
  MemberRole,
  Phase,
  PoliticalBodyKind,
  PoliticalOutcome,
  ProposalOrigin,
  ReferralKind,
  RepresentationBasis,
  VoteResult,
  VoteRule,
} from '../../domain/events';

// ---------- parts ----------

const position = z
  .number()
  .int()
  .min(-1)
  .describe('The global position of the last event the answer reflects (−1: none yet)');
const count = z.number().int().min(0);
/** A count of people, hidden (null) in public answers when positive and below the threshold. */
const peopleCount = count
  .nullable()
  .describe('A count of people; null when hidden as too small to publish (see `suppressed`)');
const suppressionThreshold = z
  .number()
  .int()
  .nullable()
  .describe('Counts of people below this are hidden in this answer; null when nothing is hidden (tokens)');
const suppressed = z.array(z.string()).describe('Paths of the counts hidden in this answer');
/** A lookup list's next page: the id of this page's last item when more follow. */
const lookupCursor = Id.nullable().describe(
  "Pass back as `cursor` for the next page (it is this page's last item's id); null on the last page",
);
const text = z.string();
const nullableText = z.string().nullable();
const date = IsoDate;
const nullableDate = IsoDate.nullable();
const stage = z.enum(stages);
/**
 * A count for every value of an enum, as an object with one required property per value: `z.record` over an enum
 * says the same to zod, but its JSON Schema lists required keys without properties, which strict validators refuse.
 */
function perValue<K extends string, T extends z.ZodType>(keys: readonly K[], value: T) {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, value])) as Record<K, T>);
}
const byStage = perValue(stages, count);
const mandate = Mandate;
const period = z.strictObject({ from: date, to: date });

/** Who a person is, as the caller may know: clerks and admins the id and name, evaluators a pseudonym. */
function withPerson<T extends z.core.$ZodLooseShape>(fields: T) {
  return z.union([
    z
      .strictObject({
        personId: Id,
        name: nullableText,
        erased: z.literal(true).optional(),
        ...fields,
      })
      .describe('clerk, admin: the person by id and name (null, with `erased`, once their data is erased)'),
    z.strictObject({ pseudonym: z.string(), ...fields }).describe('evaluator: the person by pseudonym'),
  ]);
}

// ---------- proposals ----------

const committeeDecision = z.strictObject({
  decisionId: Id,
  outcome: CommitteeOutcome,
  kind: CommitteeDecisionKind,
  decidedOn: date,
  voteId: Id.optional(),
  grantNok: count.optional(),
});

const politicalDecision = z.strictObject({
  outcome: PoliticalOutcome,
  caseNumber: text,
  summary: text,
  decidedOn: date,
  votesFor: count.optional(),
  votesAgainst: count.optional(),
});

const referral = z.strictObject({
  referralId: Id,
  toBodyId: Id,
  kind: ReferralKind,
  caseNumber: nullableText,
  referredOn: date,
  politicalDecision: politicalDecision.nullable(),
  postponedOn: z.array(date),
});

const proposalStatusFields = {
  proposalId: Id,
  committeeId: Id,
  processId: Id.nullable(),
  title: text,
  origin: ProposalOrigin,
  theme: nullableText,
  area: nullableText,
  submittedOn: date,
  stage,
  supports: peopleCount,
  supportThresholdReachedOn: nullableDate,
  latestCommitteeDecision: committeeDecision.nullable(),
  referrals: z.array(referral),
  implementation: z
    .strictObject({ status: ImplementationStatus, progressPct: count, note: text, reportedOn: date })
    .nullable(),
  influence: z.enum(influenceClasses),
  daysToPoliticalDecision: count.nullable(),
  dates: z.strictObject({
    submittedOn: date,
    firstCommitteeDecisionOn: nullableDate,
    firstReferredOn: nullableDate,
    politicalDecisionOn: nullableDate,
    implementationCompletedOn: nullableDate,
    withdrawnOn: nullableDate,
  }),
  initiativeDeadline: nullableDate.optional().describe("Citizens' initiatives only"),
  overdue: z.boolean().optional().describe("Citizens' initiatives only"),
};
const proposalStatus = z.strictObject(proposalStatusFields);

export const proposalListAnswer = z.strictObject({
  position,
  suppressionThreshold,
  total: count.describe('Proposals matching the filter, on every page'),
  items: z.array(proposalStatus),
  nextCursor: z.string().nullable().describe('Pass back as `cursor` for the next page; null on the last'),
  suppressed,
});

export const proposalAnswer = z.strictObject({
  position,
  suppressionThreshold,
  ...proposalStatusFields,
  suppressed,
});

const entry = <T extends string, S extends z.core.$ZodLooseShape>(type: T, fields: S) =>
  z.strictObject({
    globalPosition: count,
    recordedAt: z.string(),
    occurredAt: date,
    type: z.literal(type),
    ...fields,
  });

const tally = z.strictObject({ yes: count, no: count, abstain: count });

export const timelineAnswer = z.strictObject({
  position,
  proposalId: Id,
  suppressionThreshold,
  entries: z.array(
    z.discriminatedUnion('type', [
      entry('ProposalSubmitted', {
        title: text,
        description: text,
        origin: ProposalOrigin,
        theme: text.optional(),
        area: text.optional(),
        submittedOn: date,
      }),
      entry('ProposalAmended', {
        title: text.optional(),
        description: text.optional(),
        amendedOn: date,
        reason: text,
      }),
      entry('ProposalWithdrawn', { withdrawnOn: date, reason: text }),
      entry('CommitteeDecisionRecorded', {
        decisionId: Id,
        outcome: CommitteeOutcome,
        kind: CommitteeDecisionKind,
        text,
        voteId: Id.optional(),
        grantNok: count.optional(),
        decidedOn: date,
      }),
      entry('ProposalReferred', {
        referralId: Id,
        toBodyId: Id,
        kind: ReferralKind,
        caseNumber: text.optional(),
        referredOn: date,
      }),
      entry('PoliticalDecisionRecorded', {
        referralId: Id,
        bodyId: Id,
        caseNumber: text,
        outcome: PoliticalOutcome,
        summary: text,
        decidedOn: date,
        votesFor: count.optional(),
        votesAgainst: count.optional(),
      }),
      entry('ImplementationReported', {
        status: ImplementationStatus,
        progressPct: count,
        note: text,
        reportedOn: date,
      }),
      entry('VoteOpened', { voteId: Id, question: text, rule: VoteRule, openedOn: date }),
      entry('VoteClosed', { voteId: Id, closedOn: date, eligible: count, tally, result: VoteResult }),
      entry('MeetingHeld', { meetingId: Id, kind: MeetingKind, heldOn: date, attendeeCount: peopleCount }),
    ]),
  ),
  supports: z
    .array(z.strictObject({ month: z.string(), added: peopleCount, cumulative: peopleCount }))
    .describe('Supports per month (YYYY-MM) and their running total'),
  suppressed,
});

// ---------- committees ----------

const budgetYear = z.strictObject({ year: count, allocatedNok: count, grantedNok: count });
const committeeMeeting = (attendeeCount: z.ZodType) =>
  z.strictObject({ meetingId: Id, kind: MeetingKind, heldOn: date, attendeeCount });
const committeeFields = {
  committeeId: Id,
  name: text,
  kind: CommitteeKind,
  arenaId: Id.nullable(),
  areas: z.array(text),
  theme: nullableText,
  mandate,
  coCreationForm: CoCreationForm,
  period,
};

export const committeeListAnswer = z.strictObject({
  position,
  suppressionThreshold,
  total: count,
  items: z.array(
    z.strictObject({
      ...committeeFields,
      dissolvedOn: nullableDate,
      activeMembers: peopleCount,
      proposals: count,
      proposalsByStage: byStage,
      budget: z.array(budgetYear),
    }),
  ),
  suppressed,
});

const committeeViewFields = {
  ...committeeFields,
  establishedBy: z.strictObject({ bodyId: Id, caseNumber: text }).nullable(),
  dissolvedOn: nullableDate,
  budget: z.array(budgetYear),
  proposals: z.strictObject({ total: count, byStage }),
};

const member = withPerson({
  role: MemberRole,
  actorGroup: ActorGroup,
  representationBasis: RepresentationBasis,
  represents: nullableText,
  appointedOn: date,
  leftOn: nullableDate,
});

export const publicCommitteeAnswer = z
  .strictObject({
    position,
    suppressionThreshold: z.number().int(),
    ...committeeViewFields,
    members: z.strictObject({
      activeCount: peopleCount,
      formerCount: peopleCount,
      byActorGroup: perValue(ActorGroup.options, peopleCount),
      byRepresentationBasis: perValue(RepresentationBasis.options, peopleCount),
      byRole: perValue(MemberRole.options, peopleCount),
    }),
    meetings: z.array(committeeMeeting(peopleCount)),
    suppressed,
  })
  .describe('anonymous: members counted, not listed; small counts hidden');

export const committeeAnswer = z.union([
  publicCommitteeAnswer,
  z
    .strictObject({
      position,
      suppressionThreshold: z.null(),
      ...committeeViewFields,
      members: z.strictObject({
        active: z.array(member),
        former: z.array(member),
        activeCount: count,
        formerCount: count,
        byActorGroup: perValue(ActorGroup.options, count),
        byRepresentationBasis: perValue(RepresentationBasis.options, count),
        byRole: perValue(MemberRole.options, count),
      }),
      meetings: z.array(committeeMeeting(count)),
      suppressed: z.array(z.string()).max(0),
    })
    .describe('evaluator, clerk, admin: the members listed, by pseudonym or by name'),
]);

// ---------- votes ----------

const voteFields = {
  voteId: Id,
  proposalId: Id,
  committeeId: Id,
  meetingId: Id.nullable(),
  question: text,
  rule: VoteRule,
  openedOn: date,
  closed: z
    .strictObject({ closedOn: date, eligible: count, tally, result: VoteResult })
    .nullable()
    .describe('null while the vote is open'),
  tally: tally.nullable(),
  eligible: count.nullable(),
  result: VoteResult.nullable(),
};
export const publicVote = z
  .strictObject(voteFields)
  .describe('anonymous: the outcome, without ballots (one per voter)');
const fullVote = z
  .strictObject({
    ...voteFields,
    ballots: z.array(withPerson({ choice: BallotChoice, castOn: date })),
    positions: z.array(count).describe("The global positions of the vote's events, for their proofs"),
  })
  .describe('evaluator, clerk, admin: with the ballots, by pseudonym or by name');
const vote = z.union([publicVote, fullVote]);

export const voteAnswer = z.union([
  z.strictObject({ position, ...publicVote.shape }),
  z.strictObject({ position, ...fullVote.shape }),
]);

export const voteListAnswer = z.strictObject({
  position,
  total: count.describe('Votes matching the filter, on every page'),
  items: z.array(vote),
  nextCursor: lookupCursor,
});

// ---------- aggregates ----------

const rate = z.strictObject({ value: z.number().nullable(), numerator: count, denominator: count });

export const influenceAnswer = z.strictObject({
  position,
  groupBy: z.enum(influenceGroupings),
  from: nullableDate,
  to: nullableDate,
  groups: z.array(
    z.strictObject({
      key: z.string().nullable().describe('An id, an enum value, a theme or a year; null for none'),
      keyLabel: z.string().nullable().describe("The committee's or body's name; else the key"),
      submitted: count,
      committeeAdopted: count,
      referred: count,
      politicallyDecided: count,
      adoptedFull: count,
      adoptedPartial: count,
      rejected: count,
      noted: count,
      returned: count,
      implemented: count,
      adoptionRate: rate,
      medianDaysToPoliticalDecision: z.number().nullable(),
      medianDays: z.strictObject({
        submittedToCommitteeDecision: z.number().nullable(),
        committeeDecisionToReferral: z.number().nullable(),
        referralToPoliticalDecision: z.number().nullable(),
        politicalDecisionToImplemented: z.number().nullable(),
      }),
    }),
  ),
});

const publicRate = z.strictObject({
  value: z.number().nullable(),
  numerator: peopleCount,
  denominator: peopleCount,
});

export const participationAnswer = z.strictObject({
  position,
  suppressionThreshold,
  committeeId: Id.nullable(),
  from: nullableDate,
  to: nullableDate,
  participants: peopleCount,
  members: z.strictObject({
    total: peopleCount,
    byActorGroup: perValue(ActorGroup.options, peopleCount),
    byRepresentationBasis: perValue(RepresentationBasis.options, peopleCount),
    byRole: perValue(MemberRole.options, peopleCount),
    byArea: z.record(z.string(), peopleCount),
  }),
  turnout: z.strictObject({
    closedVotes: count,
    ballotsCast: peopleCount,
    eligible: peopleCount,
    rate: publicRate,
    perVote: z.array(
      z.strictObject({
        voteId: Id,
        closedOn: date,
        ballotsCast: peopleCount,
        eligible: peopleCount,
        rate: publicRate,
      }),
    ),
  }),
  publicMeetings: z.strictObject({ meetings: count, attendees: peopleCount }),
  supports: peopleCount,
  suppressed,
});

// ---------- lookups ----------

/** A lookup list's page: the whole list's size on every page, the page's items and the next page's cursor. */
const list = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    position,
    total: count.describe('Items in the whole list, on every page'),
    items: z.array(item),
    nextCursor: lookupCursor,
  });

const arena = z.strictObject({ arenaId: Id, name: text, areas: z.array(text) });
export const arenaAnswer = z.strictObject({ position, ...arena.shape });
export const arenaListAnswer = list(arena);

const politicalBody = z.strictObject({
  bodyId: Id,
  name: text,
  kind: PoliticalBodyKind,
  seats: count.nullable(),
});
export const politicalBodyAnswer = z.strictObject({ position, ...politicalBody.shape });
export const politicalBodyListAnswer = list(politicalBody);

const process = z.strictObject({
  processId: Id,
  title: text,
  committeeIds: z.array(Id),
  coCreationForm: CoCreationForm,
  startedOn: date,
  phases: z.array(z.strictObject({ phase: Phase, startedOn: date })),
  completedOn: nullableDate,
  summary: nullableText,
});
export const processAnswer = z.strictObject({ position, ...process.shape });
export const processListAnswer = list(process);

const meetingFields = {
  meetingId: Id,
  committeeId: Id.nullable(),
  arenaId: Id.nullable(),
  kind: MeetingKind,
  heldOn: date,
  agendaProposalIds: z.array(Id),
};
const publicMeeting = z
  .strictObject({ ...meetingFields, attendeeCount: peopleCount })
  .describe('anonymous: attendees counted, not listed; a small count hidden');
const fullMeeting = z
  .strictObject({
    ...meetingFields,
    attendeeCount: count,
    attendees: z
      .array(withPerson({}))
      .describe('The attendees recorded by person (often none: a public meeting is counted, not listed)'),
  })
  .describe('evaluator, clerk, admin: the attendees recorded by person, by pseudonym or by name');
export const meetingAnswer = z.union([
  z.strictObject({ position, suppressionThreshold, ...publicMeeting.shape, suppressed }),
  z.strictObject({ position, suppressionThreshold, ...fullMeeting.shape, suppressed }),
]);
export const meetingListAnswer = z.strictObject({
  position,
  suppressionThreshold,
  total: count.describe('Meetings matching the filter, on every page'),
  items: z.array(z.union([publicMeeting, fullMeeting])),
  nextCursor: lookupCursor,
  suppressed: suppressed.describe("Paths (`items.<i>.…`) of the page's items"),
});

const person = z
  .strictObject({
    personId: Id,
    name: nullableText.describe('null once the personal data is erased'),
    erased: z.boolean(),
    erasedOn: nullableDate,
    birthYear: count.nullable().describe('null when not given, or erased'),
    area: nullableText.describe('null when not given, or erased'),
  })
  .describe('clerk, admin only');
export const personAnswer = z.strictObject({ position, ...person.shape });
export const personListAnswer = list(person);
