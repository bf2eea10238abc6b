/**
 * The simulated trial: deterministic for a seed, every command valid input, and the whole sequence accepted by the
 * pure deciders (folded the way the command service folds streams), taking every path through the rules.
 */
import { commandSpecs, type CommandContext } from '../../../src/domain/commands';
import { recordIdOf, type DomainEvent, type EventData } from '../../../src/domain/events';
import { TRIAL_END } from '../../../src/simulation/asker';
import { CommandStreams, grantLedgerKey } from '../../../src/simulation/commandStreams';
import { SIMULATED_NAME_SUFFIX } from '../../../src/simulation/people';
import { PureLedger } from '../../../src/simulation/pureLedger';
import { generateTrial, trialCommands, type TrialCommand } from '../../../src/simulation/trial';

const THRESHOLD = 300;
const ctx: CommandContext = { citizenInitiativeThreshold: THRESHOLD, today: '2026-11-27' };

interface Run {
  commands: TrialCommand[];
  /** Every event, with its stream, in the order written. */
  events: Array<{ streamId: string; event: DomainEvent }>;
  rejected: Array<{ index: number; name: string; error: string }>;
}

/** Folds the trial through the pure deciders, checking that what the loader thinks a command reads covers the references its decider loads. */
function run(commands: TrialCommand[], context: CommandContext = ctx): Run {
  const ledger = new PureLedger(context);
  const streams = new CommandStreams();
  const events: Run['events'] = [];
  const rejected: Run['rejected'] = [];
  commands.forEach((c, index) => {
    const access = streams.access(c);
    try {
      const result = ledger.execute(c);
      for (const event of result.events) events.push({ streamId: result.streamId, event });
      expect(access).toBeDefined();
      const touched = new Set([...(access?.writes ?? []), ...(access?.reads ?? [])]);
      for (const ref of result.references) {
        const id = recordIdOf(ref.streamId);
        const key = ref.fold === 'grant-ledger' ? grantLedgerKey(id) : id;
        if (!touched.has(key))
          throw new Error(`${c.name} #${index}: the loader does not know it reads ${key}`);
      }
    } catch (error) {
      rejected.push({ index, name: c.name, error: error instanceof Error ? error.message : String(error) });
    }
  });
  return { commands, events, rejected };
}

const scaleOne = run(trialCommands({ seed: 1 }));

describe('generateTrial', () => {
  test('is deterministic for a seed, and differs between seeds', () => {
    const again = trialCommands({ seed: 1 });
    expect(again).toEqual(scaleOne.commands);
    const other = trialCommands({ seed: 2, limit: 2000 });
    expect(other).not.toEqual(scaleOne.commands.slice(0, 2000));
  });

  test('a limit gives a prefix of the same trial', () => {
    expect(trialCommands({ seed: 1, limit: 1234 })).toEqual(scaleOne.commands.slice(0, 1234));
    expect(trialCommands({ seed: 1, limit: 0 })).toEqual([]);
  });

  test('streams: a generator, consumed lazily', () => {
    const trial = generateTrial({ seed: 1 });
    expect(trial.next().value).toEqual(scaleOne.commands[0]);
  });

  test('refuses a bad scale, seed, threshold or limit', () => {
    expect(() => trialCommands({ seed: 1, scale: 0 })).toThrow(RangeError);
    expect(() => trialCommands({ seed: 1, scale: 1.5 })).toThrow(RangeError);
    expect(() => trialCommands({ seed: 0.5 })).toThrow(RangeError);
    expect(() => trialCommands({ seed: 1, citizenInitiativeThreshold: 0 })).toThrow(RangeError);
    expect(() => trialCommands({ seed: 1, limit: -1 })).toThrow(RangeError);
  });

  test('has a few hundred proposals and about ten thousand commands at scale 1', () => {
    const proposals = scaleOne.commands.filter((c) => c.name === 'SubmitProposal').length;
    expect(proposals).toBeGreaterThan(300);
    expect(proposals).toBeLessThan(1000);
    expect(scaleOne.commands.length).toBeGreaterThan(8000);
    expect(scaleOne.commands.length).toBeLessThan(14000);
  });

  test("every command's input passes its spec's input schema", () => {
    for (const c of scaleOne.commands) {
      const parsed = commandSpecs[c.name].input.safeParse(c.input);
      if (!parsed.success) throw new Error(`${c.name}: ${parsed.error.message}`);
    }
  });

  test('every date lies within the trial, and is a date that has happened', () => {
    const dates = JSON.stringify(scaleOne.commands).match(/"\d{4}-\d{2}-\d{2}"/g) ?? [];
    expect(dates.length).toBeGreaterThan(scaleOne.commands.length * 0.8);
    for (const quoted of dates) {
      const date = quoted.slice(1, -1);
      expect(date >= '2020-06-01' && date <= TRIAL_END).toBe(true);
    }
  });

  test('scale 10: every input passes its schema, and no meeting has an overfull agenda', () => {
    let count = 0;
    for (const c of generateTrial({ seed: 3, scale: 10 })) {
      count++;
      const parsed = commandSpecs[c.name].input.safeParse(c.input);
      if (!parsed.success) throw new Error(`${c.name} #${count}: ${parsed.error.message}`);
      if (c.name === 'RecordMeeting') expect(c.input.agendaProposalIds.length).toBeLessThanOrEqual(30);
    }
    expect(count).toBeGreaterThan(90_000);
  });

  test('persons are simulated: marked names, example.org addresses, no phone numbers', () => {
    const persons = scaleOne.commands.flatMap((c) => (c.name === 'RegisterPerson' ? [c.input] : []));
    expect(persons.length).toBeGreaterThan(THRESHOLD);
    for (const person of persons) {
      expect(person.name.endsWith(SIMULATED_NAME_SUFFIX)).toBe(true);
      if (person.email !== undefined) expect(person.email.endsWith('@example.org')).toBe(true);
      expect(person.phone).toBeUndefined();
    }
  });
});

describe('the trial folded through the pure deciders', () => {
  test('scale 1: zero rejected commands, one event per command', () => {
    expect(scaleOne.rejected).toEqual([]);
    expect(scaleOne.events).toHaveLength(scaleOne.commands.length);
  });

  test.each([2, 3, 2024, 987654321])('seed %i: zero rejected commands', (seed) => {
    expect(run(trialCommands({ seed })).rejected).toEqual([]);
  });

  test('scale 2 with a low initiative threshold: zero rejected commands', () => {
    const threshold = 25;
    const trial = trialCommands({ seed: 5, scale: 2, citizenInitiativeThreshold: threshold });
    expect(run(trial, { ...ctx, citizenInitiativeThreshold: threshold }).rejected).toEqual([]);
  });

  test('a random prefix is accepted too (what property tests will take)', () => {
    const prefix = trialCommands({ seed: 77, limit: 3000 });
    expect(prefix).toHaveLength(3000);
    expect(run(prefix).rejected).toEqual([]);
  });
});

// ---------- coverage: every stage and path of DOMAIN.md occurs ----------

type Data<T extends DomainEvent['type']> = EventData<T>;

/** The events of each proposal and vote stream, in order. */
function byStream(events: Run['events']): Map<string, DomainEvent[]> {
  const streams = new Map<string, DomainEvent[]>();
  for (const { streamId, event } of events) {
    const list = streams.get(streamId) ?? [];
    list.push(event);
    streams.set(streamId, list);
  }
  return streams;
}

function dataOf<T extends DomainEvent['type']>(events: readonly DomainEvent[], type: T): Array<Data<T>> {
  return events
    .filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type)
    .map((e) => e.data as Data<T>);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The path a proposal took, as a string of its stage-changing events: "C:adopted R P:returned C:adopted …". */
function pathOf(events: readonly DomainEvent[]): string {
  return events
    .map((e) => {
      switch (e.type) {
        case 'CommitteeDecisionRecorded':
          return `C:${e.data.outcome}`;
        case 'ProposalReferred':
          return `R:${e.data.kind}`;
        case 'PoliticalDecisionRecorded':
          return `P:${e.data.outcome}`;
        case 'ImplementationReported':
          return `I:${e.data.status}`;
        case 'ProposalWithdrawn':
          return 'W';
        default:
          return '';
      }
    })
    .filter(Boolean)
    .join(' ');
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

describe('coverage at scale 1 (seed 1)', () => {
  const streams = byStream(scaleOne.events);
  const all = scaleOne.events.map((e) => e.event);
  const proposals = [...streams].filter(([id]) => id.startsWith('proposal-')).map(([, events]) => events);
  const paths = proposals.map(pathOf);
  const some = (pattern: RegExp): number => paths.filter((p) => pattern.test(p)).length;

  test('committee decisions of every outcome and kind, own decisions with grants', () => {
    const decisions = dataOf(all, 'CommitteeDecisionRecorded');
    expect(Object.keys(countBy(decisions, (d) => d.outcome)).sort()).toEqual([
      'adopted',
      'deferred',
      'noted',
      'rejected',
    ]);
    expect(Object.keys(countBy(decisions, (d) => d.kind)).sort()).toEqual([
      'consultation_response',
      'own_decision',
      'recommendation',
    ]);
    expect(
      decisions.filter((d) => d.kind === 'own_decision' && (d.grantNok ?? 0) > 0).length,
    ).toBeGreaterThan(5);
  });

  test('political decisions of every outcome, referrals of every kind', () => {
    const outcomes = countBy(dataOf(all, 'PoliticalDecisionRecorded'), (d) => d.outcome);
    expect(Object.keys(outcomes).sort()).toEqual([
      'adopted',
      'adopted_with_amendments',
      'noted',
      'postponed',
      'rejected',
      'returned',
    ]);
    const kinds = countBy(dataOf(all, 'ProposalReferred'), (d) => d.kind);
    expect(Object.keys(kinds).sort()).toEqual([
      'citizen_initiative',
      'consultation_response',
      'initiative',
      'recommendation',
    ]);
  });

  test('every path through the rules', () => {
    // adopted → referred → adopted → implementation to completed
    expect(
      some(/^C:adopted R:recommendation P:adopted I:planned I:in_progress I:completed$/),
    ).toBeGreaterThan(0);
    expect(some(/^C:rejected$/)).toBeGreaterThan(0);
    expect(some(/^C:deferred C:adopted R:/)).toBeGreaterThan(0);
    expect(some(/^C:noted$/)).toBeGreaterThan(0);
    expect(some(/^W$/)).toBeGreaterThan(0); // withdrawn before the committee decided
    expect(some(/^C:adopted W$/)).toBeGreaterThan(0); // withdrawn after the committee decision
    expect(some(/^C:adopted R:recommendation P:postponed W$/)).toBeGreaterThan(0); // while referred
    expect(
      some(
        /^C:adopted R:recommendation P:returned C:adopted R:recommendation P:adopted_with_amendments( I:\w+)*$/,
      ),
    ).toBeGreaterThan(0);
    expect(some(/P:postponed P:(adopted|adopted_with_amendments|rejected)/)).toBeGreaterThan(0);
    expect(some(/^C:adopted I:planned I:in_progress I:completed$/)).toBeGreaterThan(0); // own decision, implemented
    expect(some(/^C:adopted R:consultation_response P:noted$/)).toBeGreaterThan(0);
    expect(some(/^C:adopted R:recommendation P:rejected$/)).toBeGreaterThan(0);
    expect(some(/^C:adopted R:recommendation P:noted$/)).toBeGreaterThan(0);
    expect(some(/^C:adopted R:initiative P:adopted/)).toBeGreaterThan(0);
    expect(some(/I:abandoned$/)).toBeGreaterThan(1);
    expect(some(/^$/)).toBeGreaterThan(0); // still pending at the end of the trial
  });

  test('own decisions with grants are implemented', () => {
    const ownDecisions = proposals.filter((events) =>
      dataOf(events, 'CommitteeDecisionRecorded').some(
        (d) => d.kind === 'own_decision' && (d.grantNok ?? 0) > 0,
      ),
    );
    expect(ownDecisions.some((events) => /I:completed$/.test(pathOf(events)))).toBe(true);
  });

  test('grants stay within each year’s budget, per committee (DOMAIN.md, Budget)', () => {
    // Written out here rather than taken from the domain's grant ledger, so that a fault there cannot hide itself.
    const allocated = new Map<string, number>();
    const granted = new Map<string, number>();
    const add = (sums: Map<string, number>, key: string, nok: number): void => {
      sums.set(key, (sums.get(key) ?? 0) + nok);
    };
    for (const [streamId, events] of streams) {
      if (streamId.startsWith('committee-')) {
        for (const b of dataOf(events, 'BudgetAllocated'))
          add(allocated, `${recordIdOf(streamId)} ${b.year}`, b.amountNok);
      }
      // Only a proposal's latest committee decision counts: a decision after a return replaces the earlier grant.
      const latest = dataOf(events, 'CommitteeDecisionRecorded').at(-1);
      if (latest?.outcome === 'adopted' && latest.kind === 'own_decision' && (latest.grantNok ?? 0) > 0) {
        add(granted, `${latest.committeeId} ${latest.decidedOn.slice(0, 4)}`, latest.grantNok ?? 0);
      }
    }
    const over = [...granted].filter(([key, nok]) => nok > (allocated.get(key) ?? 0));
    expect(over).toEqual([]);
    // Not vacuous: several committee-years grant money, and at least one spends most of its allocation.
    expect(granted.size).toBeGreaterThan(1);
    expect([...granted].some(([key, nok]) => nok >= 0.5 * (allocated.get(key) ?? 0))).toBe(true);
  });

  test('votes with every result under both rules, each backing the decision it should', () => {
    const closes = dataOf(all, 'VoteClosed');
    expect(Object.keys(countBy(closes, (c) => c.result)).sort()).toEqual(['failed', 'no_quorum', 'passed']);
    expect(Object.keys(countBy(dataOf(all, 'VoteOpened'), (v) => v.rule)).sort()).toEqual([
      'simple_majority',
      'two_thirds',
    ]);
    const resultOfVote = new Map<string, string>();
    for (const [streamId, events] of streams) {
      const closed = dataOf(events, 'VoteClosed')[0];
      if (streamId.startsWith('vote-') && closed) resultOfVote.set(streamId.slice(5), closed.result);
    }
    const pairs = dataOf(all, 'CommitteeDecisionRecorded').flatMap((d) =>
      d.voteId ? [`${d.outcome}:${resultOfVote.get(d.voteId) ?? '?'}`] : [],
    );
    expect(new Set(pairs)).toEqual(new Set(['adopted:passed', 'rejected:failed', 'deferred:no_quorum']));
  });

  test("citizens' initiatives: referred with enough supports, decided in time, decided late, pending, short", () => {
    const initiatives = proposals.filter(
      (events) => dataOf(events, 'ProposalSubmitted')[0]?.origin === 'citizen_initiative',
    );
    const reachedOn = (events: readonly DomainEvent[]): string | undefined =>
      dataOf(events, 'ProposalSupported')
        .map((s) => s.supportedOn)
        .sort()[THRESHOLD - 1];
    const referred = initiatives.filter((events) => dataOf(events, 'ProposalReferred').length > 0);
    expect(referred.length).toBeGreaterThanOrEqual(3);
    for (const events of referred) {
      const supporters = dataOf(events, 'ProposalSupported').map((s) => s.personId);
      expect(new Set(supporters).size).toBe(supporters.length);
      expect(supporters.length).toBeGreaterThanOrEqual(THRESHOLD);
    }
    const decided = referred.flatMap((events) => {
      const decision = dataOf(events, 'PoliticalDecisionRecorded')[0];
      const reached = reachedOn(events);
      return decision && reached
        ? [decision.decidedOn > addMonths(reached, 6) ? 'late' : 'on_time']
        : ['pending'];
    });
    expect(new Set(decided)).toEqual(new Set(['on_time', 'late', 'pending']));
    expect(initiatives.some((events) => dataOf(events, 'ProposalReferred').length === 0)).toBe(true);
  });

  test('meetings of every kind, with agendas; members of every role, actor group and representation basis', () => {
    const meetings = dataOf(all, 'MeetingHeld');
    expect(Object.keys(countBy(meetings, (m) => m.kind)).sort()).toEqual([
      'committee_meeting',
      'public_meeting',
      'workshop',
    ]);
    expect(meetings.filter((m) => m.agendaProposalIds.length > 0).length).toBeGreaterThan(50);
    const members = dataOf(all, 'MemberAppointed');
    expect(Object.keys(countBy(members, (m) => m.role)).length).toBe(5);
    expect(Object.keys(countBy(members, (m) => m.actorGroup)).length).toBe(5);
    expect(Object.keys(countBy(members, (m) => m.representationBasis)).length).toBe(5);
    expect(dataOf(all, 'MemberLeft').length).toBeGreaterThan(0);
  });

  test('the Asker structure: committees, political bodies, processes, budgets, dissolutions', () => {
    const committees = dataOf(all, 'CommitteeEstablished');
    expect(countBy(committees, (c) => c.kind)).toEqual({ local_community: 3, task: 2 });
    expect(dataOf(all, 'PoliticalBodyRegistered').map((b) => [b.kind, b.seats])).toEqual([
      ['council', 55],
      ['executive_committee', 13],
      ['standing_committee', 11],
      ['administration', undefined],
    ]);
    expect(new Set(dataOf(all, 'ProcessPhaseStarted').map((p) => p.phase)).size).toBe(4);
    expect(dataOf(all, 'ProcessCompleted').length).toBeGreaterThan(0);
    expect(dataOf(all, 'BudgetAllocated').length).toBeGreaterThan(0);
    expect(dataOf(all, 'CommitteeDissolved').length).toBeGreaterThan(0);
    expect(dataOf(all, 'ProposalAmended').length).toBeGreaterThan(0);
  });
});
