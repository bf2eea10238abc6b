/**
 * The budget rule as production enforces it (DOMAIN.md, Budget: "the grants (grantNok of adopted own_decisions)
 * decided in a year may not exceed what was allocated to the committee for that year"). A decider alone catches one
 * grant larger than the allocation (test/api/rules.test.ts); grants that only together exceed it are caught by the
 * command service, which folds the committee's grants from the whole log (src/domain/committee/grantLedger.ts) and
 * runs granting decisions one at a time. Every scenario here grants in several steps — several proposals, several
 * decisions on one proposal, several years, several requests at once — and runs twice: through the command service
 * and through the HTTP API. After each, the grants that landed in the log are summed by the test itself (each
 * proposal's latest decision, an adopted own decision, in the year of `decidedOn`) and compared with the committee
 * view's `grantedNok`.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/domain/errors';
import type { CommandName } from '../../src/domain/commands';
import { toProblem } from '../../src/http/problem';
import { openLedgerApp, type LedgerApp } from '../support/ledgerApp';

const fullMandate = { influence: true, decide: true, facilitate: true, support: true, arrange: true };
const SUBMITTED_ON = '2021-03-01';

/** What became of a granting decision: accepted, or refused with the rule and status the caller was given. */
type Outcome = 'accepted' | { refused: string; status: number };

interface Decision {
  outcome: 'adopted' | 'deferred' | 'rejected';
  kind: 'own_decision' | 'recommendation';
  grantNok?: number;
  decidedOn: string;
}

/** The commands a scenario sends, through one of the two paths. Setup steps must succeed; decisions may not. */
interface Clerk {
  establishCommittee(budgets: Record<number, number>): Promise<string>;
  submitProposal(committeeId: string): Promise<string>;
  decide(proposalId: string, decision: Decision): Promise<Outcome>;
  registerCouncil(): Promise<string>;
  refer(proposalId: string, councilId: string, referredOn: string): Promise<string>;
  returnToCommittee(proposalId: string, referralId: string, decidedOn: string): Promise<void>;
}

const committeeBody = (name: string) => ({
  name,
  kind: 'local_community',
  areas: ['Vollen'],
  mandate: fullMandate,
  coCreationForm: 'equal',
  period: { from: '2020-06-01', to: '2022-12-31' },
});
const proposalBody = (committeeId: string) => ({
  committeeId,
  title: 'Benker langs strandpromenaden',
  description: 'Tre benker',
  origin: 'resident',
  submittedOn: SUBMITTED_ON,
});
const decisionText = 'Utvalget vedtar';

function viaCommandService(t: LedgerApp): Clerk {
  let n = 0;
  const execute = (name: CommandName, input: Record<string, unknown>) =>
    t.ledger.commands.execute(name, input, {
      actor: { principal: 'budget-test', role: 'clerk' },
      correlationId: `budget-${n++}`,
      causationId: null,
    });
  return {
    async establishCommittee(budgets) {
      const committeeId = randomUUID();
      await execute('EstablishCommittee', { committeeId, ...committeeBody('Vollen') });
      for (const [year, amountNok] of Object.entries(budgets))
        await execute('AllocateBudget', { committeeId, year: Number(year), amountNok });
      return committeeId;
    },
    async submitProposal(committeeId) {
      const proposalId = randomUUID();
      await execute('SubmitProposal', { proposalId, ...proposalBody(committeeId) });
      return proposalId;
    },
    async decide(proposalId, decision) {
      try {
        await execute('RecordCommitteeDecision', {
          proposalId,
          decisionId: randomUUID(),
          text: decisionText,
          ...decision,
        });
        return 'accepted';
      } catch (error) {
        // The status is the one the HTTP layer would answer for this error.
        const problem = toProblem(error);
        if (error instanceof DomainError && problem) return { refused: error.rule, status: problem.status };
        throw error;
      }
    },
    async registerCouncil() {
      const bodyId = randomUUID();
      await execute('RegisterPoliticalBody', { bodyId, name: 'Kommunestyret', kind: 'council' });
      return bodyId;
    },
    async refer(proposalId, toBodyId, referredOn) {
      const referralId = randomUUID();
      await execute('ReferProposal', {
        proposalId,
        referralId,
        toBodyId,
        kind: 'recommendation',
        referredOn,
      });
      return referralId;
    },
    async returnToCommittee(proposalId, referralId, decidedOn) {
      await execute('RecordPoliticalDecision', {
        proposalId,
        referralId,
        outcome: 'returned',
        caseNumber: '21/77',
        summary: 'Sendt tilbake',
        decidedOn,
      });
    },
  };
}

function viaApi(t: LedgerApp): Clerk {
  const created = async (path: string, body: object): Promise<string> => {
    const res = await t.post(path, body);
    if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return String(res.body.id);
  };
  return {
    async establishCommittee(budgets) {
      const committeeId = await created('/committees', committeeBody('Vollen'));
      for (const [year, amountNok] of Object.entries(budgets))
        await created(`/committees/${committeeId}/budget`, { year: Number(year), amountNok });
      return committeeId;
    },
    submitProposal: (committeeId) => created('/proposals', proposalBody(committeeId)),
    async decide(proposalId, decision) {
      const res = await t.post(`/proposals/${proposalId}/committee-decisions`, {
        text: decisionText,
        ...decision,
      });
      if (res.status === 201) return 'accepted';
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      return { refused: String(res.body.rule), status: res.status };
    },
    registerCouncil: () => created('/political-bodies', { name: 'Kommunestyret', kind: 'council' }),
    refer: (proposalId, toBodyId, referredOn) =>
      created(`/proposals/${proposalId}/referrals`, { toBodyId, kind: 'recommendation', referredOn }),
    async returnToCommittee(proposalId, referralId, decidedOn) {
      await created(`/proposals/${proposalId}/referrals/${referralId}/political-decision`, {
        outcome: 'returned',
        caseNumber: '21/77',
        summary: 'Sendt tilbake',
        decidedOn,
      });
    },
  };
}

const grant = (grantNok: number, decidedOn: string): Decision => ({
  outcome: 'adopted',
  kind: 'own_decision',
  grantNok,
  decidedOn,
});
const overBudget = { refused: 'budget-not-exceeded', status: 422 };

let t: LedgerApp;
beforeAll(async () => {
  t = await openLedgerApp();
});
afterAll(() => t.close());

/** Year → the sum of the grants in the log: each proposal's latest decision, if an adopted own decision with money. */
async function grantsLanded(committeeId: string): Promise<Record<string, number>> {
  const latest = new Map<string, { outcome: string; kind: string; grantNok?: number; decidedOn: string }>();
  for await (const e of t.ledger.store.readAll(0)) {
    const data = e.data as { committeeId?: string };
    if (e.type === 'CommitteeDecisionRecorded' && data.committeeId === committeeId)
      latest.set(e.streamId, e.data as never);
  }
  const byYear: Record<string, number> = {};
  for (const d of latest.values()) {
    if (d.outcome === 'adopted' && d.kind === 'own_decision' && d.grantNok)
      byYear[d.decidedOn.slice(0, 4)] = (byYear[d.decidedOn.slice(0, 4)] ?? 0) + d.grantNok;
  }
  return byYear;
}

/** The committee view's budget, year → {allocatedNok, grantedNok}, once the view has caught up with the log. */
async function budgetView(
  committeeId: string,
): Promise<Record<string, { allocatedNok: number; grantedNok: number }>> {
  const res = await t.get(`/committees/${committeeId}?minPosition=${await t.head()}`, 'admin');
  expect(res.status).toBe(200);
  const years = res.body.budget as Array<{ year: number; allocatedNok: number; grantedNok: number }>;
  return Object.fromEntries(
    years.map((y) => [String(y.year), { allocatedNok: y.allocatedNok, grantedNok: y.grantedNok }]),
  );
}

describe.each([
  ['the command service', viaCommandService],
  ['the API', viaApi],
])('the budget rule through %s: grants add up', (_path, clerkFor) => {
  let clerk: Clerk;
  beforeAll(() => {
    clerk = clerkFor(t);
  });

  test('grants on several proposals fill the year’s budget exactly; the next grant, however small, is refused', async () => {
    const k = await clerk.establishCommittee({ 2021: 10_000 });
    const [p1, p2, p3, p4, p5] = await Promise.all([1, 2, 3, 4, 5].map(() => clerk.submitProposal(k)));
    // 4,000 + 3,000 + 3,000 = 10,000 = the allocation: each accepted, the last one leaving 0.
    expect(await clerk.decide(p1 as string, grant(4_000, '2021-04-01'))).toBe('accepted');
    expect(await clerk.decide(p2 as string, grant(3_000, '2021-05-01'))).toBe('accepted');
    expect(await clerk.decide(p3 as string, grant(3_000, '2021-06-01'))).toBe('accepted');
    // 10,000 + 1 > 10,000.
    expect(await clerk.decide(p4 as string, grant(1, '2021-07-01'))).toEqual(overBudget);
    // A decision that grants nothing is not held back by a spent budget.
    expect(
      await clerk.decide(p5 as string, {
        outcome: 'adopted',
        kind: 'recommendation',
        decidedOn: '2021-07-01',
      }),
    ).toBe('accepted');
    expect(await grantsLanded(k)).toEqual({ 2021: 10_000 });
    expect(await budgetView(k)).toEqual({ 2021: { allocatedNok: 10_000, grantedNok: 10_000 } });
  });

  test('several decisions on one proposal: a deferral grants nothing, and a decision after a return replaces the earlier grant', async () => {
    const k = await clerk.establishCommittee({ 2021: 10_000 });
    const council = await clerk.registerCouncil();
    const [p1, p2, p3] = await Promise.all([1, 2, 3].map(() => clerk.submitProposal(k)));
    // p1 deferred (no grant), then adopted with 4,000; p2 5,000: 9,000 granted.
    expect(
      await clerk.decide(p1 as string, {
        outcome: 'deferred',
        kind: 'own_decision',
        decidedOn: '2021-04-01',
      }),
    ).toBe('accepted');
    expect(await clerk.decide(p1 as string, grant(4_000, '2021-04-15'))).toBe('accepted');
    expect(await clerk.decide(p2 as string, grant(5_000, '2021-04-20'))).toBe('accepted');
    // p1 goes to the council and comes back; decided again with 5,000, which replaces its 4,000:
    // 5,000 + 5,000 = 10,000 ≤ 10,000 (added instead, 4,000 + 5,000 + 5,000 = 14,000 would be refused).
    const referral = await clerk.refer(p1 as string, council, '2021-05-01');
    await clerk.returnToCommittee(p1 as string, referral, '2021-06-01');
    expect(await clerk.decide(p1 as string, grant(5_000, '2021-06-10'))).toBe('accepted');
    // 10,000 granted: p3's 1,000 is refused.
    expect(await clerk.decide(p3 as string, grant(1_000, '2021-06-20'))).toEqual(overBudget);
    expect(await grantsLanded(k)).toEqual({ 2021: 10_000 });
    expect(await budgetView(k)).toEqual({ 2021: { allocatedNok: 10_000, grantedNok: 10_000 } });
  });

  test('grants in different years count against their own year’s allocation', async () => {
    const k = await clerk.establishCommittee({ 2021: 10_000, 2022: 4_000 });
    const [p1, p2, p3, p4] = await Promise.all([1, 2, 3, 4].map(() => clerk.submitProposal(k)));
    // 2021 spent in full; 2022's 4,000 is still whole, and granting it leaves 2021 as it was.
    expect(await clerk.decide(p1 as string, grant(10_000, '2021-04-01'))).toBe('accepted');
    expect(await clerk.decide(p2 as string, grant(4_000, '2022-02-01'))).toBe('accepted');
    expect(await clerk.decide(p3 as string, grant(1, '2021-12-31'))).toEqual(overBudget);
    expect(await clerk.decide(p4 as string, grant(1, '2022-01-01'))).toEqual(overBudget);
    expect(await grantsLanded(k)).toEqual({ 2021: 10_000, 2022: 4_000 });
    expect(await budgetView(k)).toEqual({
      2021: { allocatedNok: 10_000, grantedNok: 10_000 },
      2022: { allocatedNok: 4_000, grantedNok: 4_000 },
    });
  });

  test('granting decisions on different proposals sent at once: what lands stays within the allocation, the rest is refused', async () => {
    const k = await clerk.establishCommittee({ 2021: 10_000 });
    const proposals = await Promise.all(Array.from({ length: 8 }, () => clerk.submitProposal(k)));
    // Eight grants of 3,000 at once against 10,000: three fit (9,000), five are refused, whatever the order.
    const outcomes = await Promise.all(proposals.map((p) => clerk.decide(p, grant(3_000, '2021-04-01'))));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(3);
    expect(outcomes.filter((o) => o !== 'accepted')).toEqual(Array(5).fill(overBudget));
    expect(await grantsLanded(k)).toEqual({ 2021: 9_000 });
    expect(await budgetView(k)).toEqual({ 2021: { allocatedNok: 10_000, grantedNok: 9_000 } });
  });

  test('at once, in two years and beside other committees’ grants: each committee-year is held to its own allocation', async () => {
    const k1 = await clerk.establishCommittee({ 2021: 5_000, 2022: 5_000 });
    const k2 = await clerk.establishCommittee({ 2021: 5_000 });
    const submitted = async (k: string, n: number) =>
      Promise.all(Array.from({ length: n }, () => clerk.submitProposal(k)));
    const [k1Proposals, k2Proposals] = await Promise.all([submitted(k1, 8), submitted(k2, 4)]);
    // k1: four of 2,000 in 2021 and four in 2022 → two fit in each year; k2: four of 2,000 in 2021 → two fit.
    const sent = [
      ...k1Proposals.map((p, i) => clerk.decide(p, grant(2_000, i % 2 === 0 ? '2021-09-01' : '2022-03-01'))),
      ...k2Proposals.map((p) => clerk.decide(p, grant(2_000, '2021-09-01'))),
    ];
    const outcomes = await Promise.all(sent);
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(6);
    expect(outcomes.filter((o) => o !== 'accepted')).toEqual(Array(6).fill(overBudget));
    expect(await grantsLanded(k1)).toEqual({ 2021: 4_000, 2022: 4_000 });
    expect(await grantsLanded(k2)).toEqual({ 2021: 4_000 });
  });
});
