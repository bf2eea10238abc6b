/**
 * Properties every view must keep, on random plausible ledgers (QUALITY.md R6):
 *  (a) a state survives a JSON round trip exactly, and so do the answers read from it;
 *  (b) a snapshot taken anywhere, restored from JSON and fed the rest, equals the state folded straight through;
 *  (c) feeding only the declared event types gives the same state as feeding everything (a reducer ignores what it
 *      does not declare, and declares what it reads);
 * plus cross-view agreements that the shared stage logic and the query shapes promise.
 */
import fc from 'fast-check';
import { eventTypes } from '../../../src/domain/events';
import {
  committeeOf,
  createProjections,
  influenceGroupings,
  influenceGroups,
  listArenas,
  listCommittees,
  listPoliticalBodies,
  listProposals,
  participationOf,
  positionsFor,
  proposalOfVote,
  statusOf,
  voteOf,
  votesOnProposal,
  zeroPerStage,
} from '../../../projections';
import type { LedgerEvent, Projection } from '../../../projections';
import { fold, throughJson } from './support/ledgerBuilder';
import { plausibleLedger } from './support/plausibleLedger';

// A low threshold, so that random ledgers reach it.
const views = createProjections({ citizenInitiativeThreshold: 3 });
const ledgers = plausibleLedger(160);
const sorted = (keys: string[]) => [...keys].sort();

/** Calls `check` with each view and a function reading every answer its queries give. */
type ViewCheck = <S>(projection: Projection<S>, answers: (state: S) => unknown) => void;
function eachView(check: ViewCheck): void {
  check(views.proposalStatus, (s) => ({
    statuses: sorted(Object.keys(s.proposals)).map((id) => statusOf(s, id, '2021-03-31')),
    list: listProposals(s, {}, '2022-12-31'),
    page: listProposals(s, { origin: 'citizen_initiative' }, '2020-12-31', { limit: 2 }),
  }));
  check(views.influence, (s) =>
    influenceGroupings.map((g) => [
      influenceGroups(s, g),
      influenceGroups(s, g, { from: '2020-08-01', to: '2020-12-31' }),
    ]),
  );
  check(views.participation, (s) =>
    [undefined, ...sorted(Object.keys(s.committees))].map((committeeId) => [
      participationOf(s, { committeeId }),
      participationOf(s, { committeeId, from: '2020-08-01', to: '2020-12-31' }, { suppressBelow: 5 }),
    ]),
  );
  check(views.committee, (s) => [
    listCommittees(s),
    ...sorted(Object.keys(s.committees)).map((id) => committeeOf(s, id)),
  ]);
  check(views.traceIndex, (s) => [
    ...sorted(Object.keys(s.proposals)).map((id) => positionsFor(s, id)),
    ...sorted(Object.keys(s.voteProposal)).map((id) => proposalOfVote(s, id)),
  ]);
  check(views.votes, (s) => [
    ...sorted(Object.keys(s.votes)).map((id) => voteOf(s, id)),
    ...sorted(Object.keys(s.proposalVotes)).map((id) => votesOnProposal(s, id)),
  ]);
  check(views.directory, (s) => [listArenas(s), listPoliticalBodies(s)]);
}

describe('every view, on random plausible ledgers', () => {
  it('(a) survives a JSON round trip: the same state, the same answers', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        eachView((projection, answers) => {
          const state = fold(projection, events);
          const restored = throughJson(state);
          expect(restored).toStrictEqual(state);
          expect(answers(restored)).toStrictEqual(answers(state));
        });
      }),
    );
  });

  it('(b) a snapshot at any position plus the replay of the rest equals the full replay', () => {
    fc.assert(
      fc.property(ledgers, fc.nat(), fc.nat(), (events, i, j) => {
        // Two cuts: the runner may resume from a snapshot that was itself resumed from an older one.
        const [k1, k2] = [i % (events.length + 1), j % (events.length + 1)].sort((a, b) => a - b) as [
          number,
          number,
        ];
        eachView((projection) => {
          const straight = fold(projection, events);
          const first = throughJson(fold(projection, events.slice(0, k1)));
          const second = throughJson(fold(projection, events.slice(k1, k2), first));
          expect(fold(projection, events.slice(k2), second)).toStrictEqual(straight);
        });
      }),
    );
  });

  it('(c) applying only the declared event types gives the same state as applying all', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        eachView((projection) => {
          const declared = new Set<string>(projection.eventTypes);
          const filtered = events.filter((e) => declared.has(e.type));
          expect(fold(projection, filtered)).toStrictEqual(fold(projection, events));
        });
      }),
    );
  });

  it('updates the state it is given and returns that same object', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        eachView((projection) => {
          const state = projection.initialState();
          for (const event of events) expect(projection.apply(state, event)).toBe(state);
        });
      }),
      { numRuns: 20 },
    );
  });
});

describe('the views agree with one another', () => {
  it('a committee counts its proposals per stage exactly as their status says', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        const statuses = fold(views.proposalStatus, events);
        const committees = fold(views.committee, events);
        const expected = new Map<string, ReturnType<typeof zeroPerStage>>();
        for (const p of Object.values(statuses.proposals)) {
          const counts = expected.get(p.committeeId) ?? zeroPerStage();
          counts[p.stage] += 1;
          expected.set(p.committeeId, counts);
        }
        for (const [committeeId, counts] of expected) {
          expect(committees.stageCounts[committeeId]).toEqual(counts);
          const view = committeeOf(committees, committeeId);
          if (view !== undefined) expect(view.proposals.byStage).toEqual(counts);
        }
      }),
    );
  });

  it('the funnel adds up: every proposal once, outcomes summing to the politically decided', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        const influence = fold(views.influence, events);
        const statuses = fold(views.proposalStatus, events);
        const total = Object.keys(statuses.proposals).length;
        for (const groupBy of influenceGroupings) {
          const groups = influenceGroups(influence, groupBy);
          expect(groups.reduce((n, g) => n + g.submitted, 0)).toBe(total);
          for (const g of groups) {
            expect(g.adoptedFull + g.adoptedPartial + g.rejected + g.noted + g.returned).toBe(
              g.politicallyDecided,
            );
            expect(g.adoptionRate.denominator).toBe(g.politicallyDecided);
            expect(g.politicallyDecided).toBeLessThanOrEqual(g.referred);
          }
        }
        // The influence classes of the status view agree with the funnel's closing outcomes.
        const [all] = influenceGroups(influence, 'all');
        const classes = Object.keys(statuses.proposals).map(
          (id) => statusOf(statuses, id, '2022-01-01')?.influence,
        );
        expect(classes.filter((c) => c === 'not_referred').length).toBe(total - (all?.referred ?? 0));
      }),
    );
  });

  it('the trace of a proposal is ascending and holds every event of its own stream', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        const trace = fold(views.traceIndex, events);
        const own = new Map<string, number[]>();
        for (const e of events) {
          if (!e.streamId.startsWith('proposal-')) continue;
          const id = e.streamId.slice('proposal-'.length);
          own.set(id, [...(own.get(id) ?? []), e.globalPosition]);
        }
        for (const [id, positions] of own) {
          const traced = positionsFor(trace, id);
          expect(traced).toEqual([...traced].sort((a, b) => a - b));
          expect(new Set(traced).size).toBe(traced.length);
          expect(traced).toEqual(expect.arrayContaining(positions));
        }
      }),
    );
  });

  it('pages of the proposal list join up to the whole list', () => {
    fc.assert(
      fc.property(ledgers, fc.integer({ min: 1, max: 7 }), (events, limit) => {
        const state = fold(views.proposalStatus, events);
        const whole = listProposals(state, {}, '2022-01-01').items.map((p) => p.proposalId);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = listProposals(state, {}, '2022-01-01', { limit, cursor });
          paged.push(...page.items.map((p) => p.proposalId));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(paged).toEqual(whole);
      }),
    );
  });

  it('participation never shows a person id, and hides every positive count of people under the threshold', () => {
    fc.assert(
      fc.property(ledgers, (events) => {
        const state = fold(views.participation, events);
        const personIds = personIdsIn(events);
        for (const committeeId of [undefined, ...Object.keys(state.committees)]) {
          const view = participationOf(state, { committeeId }, { suppressBelow: 5 });
          const json = JSON.stringify(view);
          for (const id of personIds) expect(json).not.toContain(id);
          for (const n of peopleCounts(view)) expect(n === null || n === 0 || n >= 5).toBe(true);
        }
      }),
    );
  });
});

describe('the plausible-ledger generator', () => {
  it('produces every event type, so that the properties above exercise every reducer branch', () => {
    const seen = new Set<string>();
    for (const events of fc.sample(ledgers, { numRuns: 60, seed: 7 }))
      for (const e of events) seen.add(e.type);
    expect([...seen].sort()).toEqual([...eventTypes].sort());
  });
});

function personIdsIn(events: readonly LedgerEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'PersonRegistered' ? [e.data.personId] : []));
}

function peopleCounts(view: ReturnType<typeof participationOf>): Array<number | null> {
  const { members, turnout } = view;
  return [
    view.participants,
    view.supports,
    view.publicMeetings.attendees,
    members.total,
    ...Object.values(members.byActorGroup),
    ...Object.values(members.byRepresentationBasis),
    ...Object.values(members.byRole),
    ...Object.values(members.byArea),
    turnout.ballotsCast,
    turnout.eligible,
    ...turnout.perVote.flatMap((v) => [v.ballotsCast, v.eligible]),
  ];
}
