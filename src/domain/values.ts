/**
 * The value schemas events are made of (dates, ids, names, texts, amounts, the enums of DOMAIN.md, personal data):
 * each aggregate's events (<aggregate>/events.ts) are built from these, so a field means the same everywhere.
 */
import { z } from 'zod';

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
  // The API document says what the refinement checks, as JSON Schema's `date` format (RFC 3339 full-date).
  .meta({ description: 'ISO date YYYY-MM-DD', format: 'date' });
/**
 * A UUID (RFC 9562), written in lowercase as the service writes its own. Upper and lower case name the same UUID, so
 * accepting both would let one id become two records (`ABC…` beside `abc…`): the ledger keeps one spelling.
 */
export const Id = z
  .string()
  .regex(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/,
    { message: 'must be a UUID written in lowercase' },
  )
  .meta({ format: 'uuid' });

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

export type PersonalData = z.infer<typeof PersonalData>;
export type SealedPersonal = z.infer<typeof SealedPersonal>;
