/**
 * Every rule a command must pass (DOMAIN.md "Rules a command must pass"), by its stable name. Deciders throw through
 * `broken(rule, message)`, which takes the kind of breach from this catalogue, so it is decided in one place and a
 * rule name the catalogue lacks does not compile. The API tests and docs read the catalogue.
 */
import { RuleViolation, StateConflict } from './errors';

/**
 * What breaking a rule means: the command conflicts with the record's current state, it says something the rules
 * refuse, or it names a record the ledger does not hold. src/http/problem.ts alone turns these into statuses.
 */
export type RuleKind = 'state conflict' | 'rule broken' | 'unknown reference';

export interface RuleEntry {
  rule: string;
  kind: RuleKind;
  description: string;
}

const rules = [
  // ---------- every aggregate ----------
  {
    rule: 'references-exist',
    kind: 'unknown reference',
    description:
      'Every committee, arena, political body, person, process, meeting, proposal, vote and referral a command names must exist, whether its id comes in the path or in the body.',
  },
  {
    rule: 'already-exists',
    kind: 'state conflict',
    description:
      'A record is registered once: a command that creates a record under an id already in use is refused.',
  },
  {
    rule: 'date-not-in-future',
    kind: 'rule broken',
    description:
      "The ledger records what has happened: no business date a command names is after today (the date in Oslo): submittedOn, decidedOn, heldOn, castOn, appointedOn, leftOn, dissolvedOn, the first day of a committee's period, a person's birth year … Two dates are plans and may lie ahead: the last day of a committee's period, and a budget year, which may be the coming year.",
  },
  // ---------- committees ----------
  {
    rule: 'committee-period-in-order',
    kind: 'rule broken',
    description: "A committee's period starts on or before the day it ends.",
  },
  {
    rule: 'committee-dissolved',
    kind: 'state conflict',
    description:
      'A dissolved committee (CommitteeDissolved) takes no further appointments, departures, budget or dissolution, and no proposal submitted after the day of its dissolution.',
  },
  {
    rule: 'member-appointed-once',
    kind: 'state conflict',
    description: 'A person is appointed to a committee at most once while active (until MemberLeft).',
  },
  {
    rule: 'appointment-within-committee-period',
    kind: 'rule broken',
    description: "An appointment falls inside the committee's period.",
  },
  {
    rule: 'appointment-after-leaving',
    kind: 'rule broken',
    description: 'A person appointed again is appointed on or after the day they last left the committee.',
  },
  {
    rule: 'member-is-active',
    kind: 'state conflict',
    description: 'MemberLeft is recorded only for an active member of the committee.',
  },
  {
    rule: 'left-after-appointed',
    kind: 'rule broken',
    description: 'A member leaves on or after the day they were appointed (leftOn ≥ appointedOn).',
  },
  {
    rule: 'budget-year-within-period',
    kind: 'rule broken',
    description: "Budget is allocated for a year the committee's period covers.",
  },
  {
    rule: 'dissolution-after-establishment',
    kind: 'rule broken',
    description: 'A committee is dissolved on or after the first day of its period.',
  },
  // ---------- persons ----------
  {
    rule: 'personal-data-erased-once',
    kind: 'state conflict',
    description: "A person's personal data is erased once; a second erasure is refused.",
  },
  // ---------- processes ----------
  {
    rule: 'process-completed',
    kind: 'state conflict',
    description: 'A completed process (ProcessCompleted) starts no further phase and is not completed again.',
  },
  {
    rule: 'phase-date-in-order',
    kind: 'rule broken',
    description: 'A phase starts on or after the day the process, and its previous phase, started.',
  },
  {
    rule: 'completion-date-in-order',
    kind: 'rule broken',
    description: 'A process is completed on or after the day it, and its last phase, started.',
  },
  // ---------- meetings ----------
  {
    rule: 'attendees-counted',
    kind: 'rule broken',
    description: 'attendeeCount is at least the number of attendees named in attendeePersonIds.',
  },
  {
    rule: 'meeting-after-agenda-submission',
    kind: 'rule broken',
    description: 'A proposal on the agenda was submitted on or before the day of the meeting.',
  },
  // ---------- proposals ----------
  {
    rule: 'process-includes-committee',
    kind: 'rule broken',
    description: "A proposal placed in a process belongs to one of that process's committees.",
  },
  {
    rule: 'withdrawn-proposal-is-closed',
    kind: 'state conflict',
    description:
      'No command on a proposal after ProposalWithdrawn (no amendment, support, decision, referral, vote …).',
  },
  {
    rule: 'withdrawal-before-political-decision',
    kind: 'state conflict',
    description:
      'A proposal is withdrawn only before a political decision (adopted, adopted with amendments, rejected or noted).',
  },
  {
    rule: 'withdrawal-date-in-order',
    kind: 'rule broken',
    description: 'A proposal is withdrawn on or after the last thing that happened to it.',
  },
  {
    rule: 'one-support-per-person',
    kind: 'state conflict',
    description: 'A person supports a proposal once.',
  },
  {
    rule: 'support-after-submission',
    kind: 'rule broken',
    description: 'A proposal is supported on or after the day it was submitted.',
  },
  {
    rule: 'amendment-before-committee-decision',
    kind: 'state conflict',
    description: 'A proposal is amended only before the first committee decision on it.',
  },
  {
    rule: 'amendment-changes-text',
    kind: 'rule broken',
    description: 'An amendment changes the title, the description or both.',
  },
  {
    rule: 'amendment-date-in-order',
    kind: 'rule broken',
    description: 'A proposal is amended on or after the day it was submitted and its previous amendment.',
  },
  // ---------- committee decisions ----------
  {
    rule: 'committee-decision-final',
    kind: 'state conflict',
    description:
      'A committee decides a proposal once; it decides again only after a deferral (utsatt) or when the political body has returned the proposal (sendt tilbake).',
  },
  {
    rule: 'decision-within-committee-period',
    kind: 'rule broken',
    description: "A committee decision falls inside the committee's period and not after its dissolution.",
  },
  {
    rule: 'decision-date-in-order',
    kind: 'rule broken',
    description:
      'A committee decision is dated on or after the submission, the last amendment, the previous decision, a return from the political body and the close of its vote.',
  },
  {
    rule: 'decision-vote-on-this-proposal',
    kind: 'rule broken',
    description: 'The vote a committee decision names is a vote on this proposal.',
  },
  {
    rule: 'decision-vote-closed',
    kind: 'state conflict',
    description: 'The vote a committee decision names is closed.',
  },
  {
    rule: 'quorum',
    kind: 'rule broken',
    description:
      'A proposal is not adopted on a vote without quorum: at least half of the eligible members must cast a ballot (kommuneloven § 11-9).',
  },
  {
    rule: 'adopted-needs-passed-vote',
    kind: 'rule broken',
    description: 'A committee decision "adopted" that names a vote requires the vote to have passed.',
  },
  {
    rule: 'own-decision-needs-decide-mandate',
    kind: 'rule broken',
    description:
      'Only a committee whose mandate includes decide (bestemme) records an own decision; others recommend.',
  },
  {
    rule: 'grant-needs-adopted-own-decision',
    kind: 'rule broken',
    description:
      'Only an adopted own decision grants money: grantNok is given with outcome adopted and kind own_decision, never with a recommendation, a consultation response or another outcome.',
  },
  {
    rule: 'budget-not-exceeded',
    kind: 'rule broken',
    description:
      "The grants (grantNok of adopted own decisions) a committee decides in a year do not exceed that year's allocated budget.",
  },
  // ---------- referrals and political decisions ----------
  {
    rule: 'one-open-referral',
    kind: 'state conflict',
    description: 'A proposal has at most one open referral at a time.',
  },
  {
    rule: 'referral-needs-adopted-decision',
    kind: 'state conflict',
    description:
      'A referral (recommendation, consultation response, initiative) needs the latest committee decision to be adopted, and not returned since.',
  },
  {
    rule: 'citizen-initiative-origin',
    kind: 'rule broken',
    description: 'A citizen-initiative referral is for a proposal whose origin is citizen_initiative.',
  },
  {
    rule: 'citizen-initiative-threshold',
    kind: 'rule broken',
    description:
      'A citizen-initiative referral needs at least the configured number of supports (default 300, kommuneloven § 12-1) by the day it is referred.',
  },
  {
    rule: 'citizen-initiative-to-council',
    kind: 'rule broken',
    description: 'A citizen initiative is referred to the municipal council (kommunestyret).',
  },
  {
    rule: 'referral-date-in-order',
    kind: 'rule broken',
    description:
      'A referral is dated on or after the committee decision it follows (or the submission, for a citizen initiative) and the last political decision on the proposal.',
  },
  {
    rule: 'political-decision-needs-open-referral',
    kind: 'state conflict',
    description:
      'A political decision is recorded on an open referral; postponed keeps it open, every other outcome closes it.',
  },
  {
    rule: 'political-decision-date-in-order',
    kind: 'rule broken',
    description:
      'A political decision is dated on or after its referral and any earlier (postponed) decision on it.',
  },
  // ---------- implementation ----------
  {
    rule: 'implementation-needs-adoption',
    kind: 'state conflict',
    description:
      'Implementation is reported only after a political outcome adopted / adopted with amendments, or an adopted committee own decision.',
  },
  {
    rule: 'completed-means-100',
    kind: 'rule broken',
    description: 'An implementation reported completed has progressPct 100.',
  },
  {
    rule: 'implementation-date-in-order',
    kind: 'rule broken',
    description: 'Implementation is reported on or after the decision it carries out.',
  },
  // ---------- votes ----------
  {
    rule: 'vote-after-submission',
    kind: 'rule broken',
    description: 'A vote on a proposal opens on or after the day the proposal was submitted.',
  },
  {
    rule: 'vote-closed',
    kind: 'state conflict',
    description: 'A closed vote takes no ballot and is not closed again.',
  },
  {
    rule: 'one-ballot-per-member',
    kind: 'state conflict',
    description: 'Each eligible member casts one ballot.',
  },
  {
    rule: 'ballot-by-eligible-member',
    kind: 'rule broken',
    description:
      'Ballots are cast by eligible members: active members of the committee on the day the vote opened, other than deputies.',
  },
  {
    rule: 'ballot-after-opening',
    kind: 'rule broken',
    description: 'A ballot is cast on or after the day the vote opened.',
  },
  {
    rule: 'vote-close-date-in-order',
    kind: 'rule broken',
    description: 'A vote closes on or after the day it opened and its last ballot.',
  },
] as const satisfies readonly RuleEntry[];

export type RuleName = (typeof rules)[number]['rule'];

export const ruleCatalogue: ReadonlyArray<RuleEntry & { rule: RuleName }> = rules;

const kindOf = new Map<string, RuleKind>(rules.map((r) => [r.rule, r.kind]));

type ThrownRule = Exclude<RuleName, 'references-exist'>;

/** The error for a broken rule, as StateConflict or RuleViolation according to the catalogue. */
export function broken(rule: ThrownRule, message: string): RuleViolation | StateConflict {
  return kindOf.get(rule) === 'state conflict'
    ? new StateConflict(rule, message)
    : new RuleViolation(rule, message);
}
