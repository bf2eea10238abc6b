/**
 * The trace of a proposal that went all the way to a political decision: every event that touched it, each with
 * its inclusion proof, verified offline by `ledger verify-trace`; one changed byte makes the check fail.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { verifyTrace, type Trace } from '../../src/audit/traceVerification';
import { runLedger, runLedgerAsync } from '../support/ledgerBin';
import { openLedgerApp, type LedgerApp, fullMandate } from '../support/ledgerApp';

const root = path.resolve(__dirname, '../..');

const NO_DATABASE = { LEDGER_DATA_DIR: '/nonexistent-so-no-database-is-used' };

function verifyTraceCli(args: string[]): { status: number | null; stdout: string } {
  const run = runLedger(['verify-trace', ...args], NO_DATABASE);
  return { status: run.status, stdout: run.stdout + run.stderr };
}

/** As verifyTraceCli, without blocking this process (which serves the proof the command fetches). */
async function verifyTraceCliAsync(args: string[]): Promise<{ status: number | null; stdout: string }> {
  const run = await runLedgerAsync(['verify-trace', ...args], NO_DATABASE);
  return { status: run.status, stdout: run.stdout + run.stderr };
}

describe('proposal trace', () => {
  let t: LedgerApp;
  let persons: string[];
  let proposalId: string;
  let voteId: string;
  let meetingId: string;
  beforeAll(async () => {
    t = await openLedgerApp();
    const council = await t.recordId('/political-bodies', {
      name: 'Kommunestyret',
      kind: 'council',
      seats: 55,
    });
    persons = [];
    for (let i = 0; i < 3; i++) persons.push(await t.recordId('/persons', { name: `Medlem ${i}` }));
    const committeeId = await t.recordId('/committees', {
      name: 'Lokalsamfunnsutvalget i Slemmestad og Vollen',
      kind: 'local_community',
      areas: ['Slemmestad', 'Vollen'],
      mandate: fullMandate,
      coCreationForm: 'facilitating',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    for (const personId of persons) {
      await t.recordId(`/committees/${committeeId}/members`, {
        personId,
        role: 'member',
        actorGroup: 'resident',
        representationBasis: 'open',
        appointedOn: '2020-06-10',
      });
    }
    // Unrelated activity in between, which the trace must leave out.
    await t.recordId('/arenas', { name: 'Vollen innbyggertorg', areas: ['Vollen'] });
    proposalId = await t.recordId('/proposals', {
      committeeId,
      title: 'Badeplass i Vollen',
      description: 'Rydd badeplassen.',
      origin: 'resident',
      submittedOn: '2021-04-01',
    });
    meetingId = await t.recordId('/meetings', {
      committeeId,
      kind: 'committee_meeting',
      heldOn: '2021-04-20',
      attendeeCount: 3,
      attendeePersonIds: persons,
      agendaProposalIds: [proposalId],
    });
    voteId = await t.recordId('/votes', {
      proposalId,
      meetingId,
      question: 'Anbefale?',
      rule: 'simple_majority',
      openedOn: '2021-04-20',
    });
    for (const personId of persons)
      await t.recordId(`/votes/${voteId}/ballots`, { personId, choice: 'yes', castOn: '2021-04-20' });
    await t.recordId(`/votes/${voteId}/close`, { closedOn: '2021-04-20' });
    await t.recordId(`/proposals/${proposalId}/committee-decisions`, {
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Anbefalt',
      voteId,
      decidedOn: '2021-04-20',
    });
    const referralId = await t.recordId(`/proposals/${proposalId}/referrals`, {
      toBodyId: council,
      kind: 'recommendation',
      caseNumber: '21/77',
      referredOn: '2021-05-01',
    });
    await t.recordId(`/proposals/${proposalId}/referrals/${referralId}/political-decision`, {
      outcome: 'adopted',
      caseNumber: '21/77',
      summary: 'Vedtatt',
      decidedOn: '2021-06-10',
    });
    await t.ledger.runner.waitFor(await t.head(), 5000);
  });
  afterAll(() => t.close());

  test('lists the proposal, its vote and ballots and the meeting, in ledger order, with proofs; verifies offline', async () => {
    const res = await t.get(`/proposals/${proposalId}/trace`, 'evaluator');
    expect(res.status).toBe(200);
    const events = res.body.events as Array<{
      type: string;
      streamId: string;
      globalPosition: number;
      leaf: string;
    }>;
    expect(events.map((e) => e.type)).toEqual([
      'ProposalSubmitted',
      'MeetingHeld',
      'VoteOpened',
      'BallotCast',
      'BallotCast',
      'BallotCast',
      'VoteClosed',
      'CommitteeDecisionRecorded',
      'ProposalReferred',
      'PoliticalDecisionRecorded',
    ]);
    const positions = events.map((e) => e.globalPosition);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(events.map((e) => e.streamId))).toEqual(
      new Set([`proposal-${proposalId}`, `vote-${voteId}`, `meeting-${meetingId}`]),
    );
    expect(res.body.checkpoint.treeSize).toBeGreaterThan(positions[positions.length - 1] as number);

    const dir = fs.mkdtempSync(path.join(t.dataDir, 'trace-'));
    const traceFile = path.join(dir, 'trace.json');
    const text = JSON.stringify(res.body, null, 2);
    fs.writeFileSync(traceFile, text);
    const checkpoint = await t.get('/audit/checkpoint', 'anonymous');
    const good = verifyTraceCli([traceFile, '--public-key', checkpoint.body.publicKey]);
    expect(good.stdout).toMatch(/^ok: 10 events verified/m);
    expect(good.status).toBe(0);

    // One byte changed inside an event's data: the leaf no longer matches, and the proof fails.
    const at = text.indexOf('Badeplass i Vollen');
    const tampered = `${text.slice(0, at)}b${text.slice(at + 1)}`;
    fs.writeFileSync(traceFile, tampered);
    const bad = verifyTraceCli([traceFile, '--public-key', checkpoint.body.publicKey]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAILED/);

    // A checkpoint signed by another key is refused.
    fs.writeFileSync(traceFile, text);
    const otherKey = checkpoint.body.publicKey.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect(verifyTraceCli([traceFile, '--public-key', otherKey]).status).toBe(1);
  });

  describe("an evaluator's trace: person ids pseudonymised in the display, the leaves as stored", () => {
    type TraceEvent = { type: string; data: { personId?: string; choice?: string }; leaf: string };
    let trace: Omit<Trace, 'events'> & { events: TraceEvent[] };
    let checkpoint: Trace['checkpoint'];
    beforeAll(async () => {
      trace = (await t.get(`/proposals/${proposalId}/trace`, 'evaluator')).body;
      checkpoint = (await t.get('/audit/checkpoint', 'anonymous')).body;
    });
    const ballots = () => trace.events.filter((e) => e.type === 'BallotCast');
    const withDisplay = (i: number, data: TraceEvent['data']): unknown => {
      const copy = JSON.parse(JSON.stringify(trace)) as typeof trace;
      const ballot = copy.events.filter((e) => e.type === 'BallotCast')[i] as TraceEvent;
      Object.assign(ballot.data, data);
      return copy;
    };

    test('shows each voter and attendee by pseudonym; the leaf keeps the stored person id; it verifies', () => {
      const pseudonyms = persons.map((p) => t.ledger.pseudonyms.of(p));
      const meeting = trace.events.find((e) => e.type === 'MeetingHeld') as unknown as {
        data: { attendeePersonIds: string[] };
      };
      expect(meeting.data.attendeePersonIds).toEqual(pseudonyms);
      expect(ballots().map((e) => e.data.personId)).toEqual(pseudonyms);
      expect(ballots().map((e) => (JSON.parse(e.leaf) as TraceEvent).data.personId)).toEqual(persons);
      expect(verifyTrace(trace, checkpoint)).toMatchObject({ ok: true, events: 10, problems: [] });
    });

    test('a display that is not the leaf with ids replaced one-for-one does not verify', () => {
      const second = ballots()[1]?.data.personId as string;
      for (const forged of [
        withDisplay(0, { personId: second }), // two people shown as one
        withDisplay(0, { personId: 'p-0123456789abcdef0123' }), // a person the meeting shows otherwise
        withDisplay(1, { personId: 'Medlem 1' }), // a name for an id
        withDisplay(2, { choice: 'no' }), // a fact the leaf does not hold
      ]) {
        const result = verifyTrace(forged, checkpoint);
        expect(result.ok).toBe(false);
        expect(result.problems.join('\n')).toMatch(/the leaf text does not match the event's fields/);
      }
      // An admin's trace shows the stored ids: the display is the leaf itself, which verifies as well.
      const stored = JSON.parse(JSON.stringify(trace)) as typeof trace;
      for (const e of stored.events) e.data = (JSON.parse(e.leaf) as TraceEvent).data;
      expect(verifyTrace(stored, checkpoint).ok).toBe(true);
    });

    test("the standalone checker of docs/audit.md proves a trace's ballot by its leaf text", () => {
      const dir = fs.mkdtempSync(path.join(t.dataDir, 'outsider-'));
      const write = (name: string, text: string): string => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const ballot = trace.events.find((e) => e.type === 'BallotCast') as TraceEvent & {
        inclusionProof: unknown;
      };
      const run = (eventFile: string) =>
        spawnSync(
          process.execPath,
          [
            path.join(root, 'scripts/verify-audit-proof.js'),
            'inclusion',
            checkpoint.publicKey,
            write('checkpoint.txt', trace.checkpoint.signedNote),
            eventFile,
            write('inclusion.json', JSON.stringify(ballot.inclusionProof)),
          ],
          { encoding: 'utf8' },
        );
      const ok = run(write('ballot.json', JSON.stringify(ballot)));
      expect(ok.stdout).toMatch(/^OK: event \d+ is in /);
      expect(ok.status).toBe(0);
      const forgedLeaf = ballot.leaf.replace('"choice":"yes"', '"choice":"no"');
      expect(run(write('forged.json', JSON.stringify({ ...ballot, leaf: forgedLeaf }))).status).toBe(1);
    });
  });

  test('needs an evaluator or admin; an unknown proposal is a 404', async () => {
    expect((await t.get(`/proposals/${proposalId}/trace`, 'anonymous')).status).toBe(401);
    expect((await t.get(`/proposals/${proposalId}/trace`, 'clerk')).status).toBe(403);
    expect((await t.get(`/proposals/${proposalId}/trace`, 'admin')).status).toBe(200);
    expect((await t.get('/proposals/0190a7c0-0000-7000-8000-000000000999/trace', 'evaluator')).status).toBe(
      404,
    );
  });
});

describe('a trace checked against a checkpoint of another tree size', () => {
  let t: LedgerApp;
  let dir: string;
  const save = (name: string, value: unknown): string => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
    return path.join(dir, name);
  };
  let older: { trace: string; checkpoint: string; size: number };
  let newer: { trace: string; checkpoint: string; size: number };
  let publicKey: string;

  beforeAll(async () => {
    t = await openLedgerApp();
    dir = fs.mkdtempSync(path.join(t.dataDir, 'sizes-'));
    const person = await t.recordId('/persons', { name: 'Innbygger' });
    const committeeId = await t.recordId('/committees', {
      name: 'Oppgaveutvalget for Holmen',
      kind: 'task',
      areas: ['Holmen'],
      mandate: fullMandate,
      coCreationForm: 'steered',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    const proposalId = await t.recordId('/proposals', {
      committeeId,
      title: 'Gangbru over Holmenveien',
      description: 'En trygg vei til skolen.',
      origin: 'resident',
      submittedOn: '2021-04-01',
    });
    const take = async () => {
      const trace = (await t.get(`/proposals/${proposalId}/trace`, 'evaluator')).body as Trace;
      const checkpoint = (await t.get('/audit/checkpoint', 'anonymous')).body as Trace['checkpoint'];
      expect(checkpoint.treeSize).toBe(trace.checkpoint.treeSize);
      return {
        trace: save(`trace-${checkpoint.treeSize}.json`, trace),
        checkpoint: save(`checkpoint-${checkpoint.treeSize}.json`, checkpoint),
        size: checkpoint.treeSize,
      };
    };
    await t.ledger.runner.waitFor(await t.head(), 5000);
    older = await take();
    publicKey = (JSON.parse(fs.readFileSync(older.checkpoint, 'utf8')) as Trace['checkpoint']).publicKey;
    await t.recordId(`/proposals/${proposalId}/supports`, { personId: person, supportedOn: '2021-04-02' });
    await t.recordId('/arenas', { name: 'Holmen innbyggertorg', areas: ['Holmen'] });
    await t.ledger.runner.waitFor(await t.head(), 5000);
    newer = await take();
    expect(newer.size).toBeGreaterThan(older.size);
  });
  afterAll(() => t.close());

  const consistency = async (from: number, to: number): Promise<string> =>
    save(
      `consistency-${from}-${to}.json`,
      (await t.get(`/audit/consistency?from=${from}&to=${to}`, 'anonymous')).body,
    );

  test('an older trace against a newer trusted checkpoint: refused without a consistency proof, verified with one', async () => {
    const trust = ['--checkpoint', newer.checkpoint, '--public-key', publicKey];
    const without = verifyTraceCli([older.trace, ...trust]);
    expect(without.status).toBe(1);
    expect(without.stdout).toContain(`GET /api/v1/audit/consistency?from=${older.size}&to=${newer.size}`);
    const proof = await consistency(older.size, newer.size);
    const withProof = verifyTraceCli([older.trace, ...trust, '--consistency', proof]);
    expect(withProof.stdout).toMatch(
      new RegExp(
        `^ok: 1 event verified against the signed checkpoint of tree size ${older.size}, which is consistent with the trusted checkpoint of tree size ${newer.size}$`,
        'm',
      ),
    );
    expect(withProof.status).toBe(0);
  });

  test('a newer trace against an older trusted checkpoint verifies with the proof fetched from the server', async () => {
    const server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = await verifyTraceCliAsync([
        newer.trace,
        '--checkpoint',
        older.checkpoint,
        '--public-key',
        publicKey,
        '--server',
        `http://127.0.0.1:${port}`,
      ]);
      expect(run.stdout).toMatch(/^ok: 2 events verified/m);
      expect(run.status).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a trace that leaves out an event of a stream it shows does not verify; a saved signed note can be the trusted checkpoint', async () => {
    const trace = JSON.parse(fs.readFileSync(newer.trace, 'utf8')) as Trace;
    expect(trace.events.map((e) => e.streamRevision)).toEqual([0, 1]);
    const cut = save('cut.json', { ...trace, events: trace.events.slice(1) });
    const run = verifyTraceCli([cut, '--public-key', publicKey]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /proposal-[0-9a-f-]{36}: revision 0 is not in the trace, so the trace leaves out an event of it/,
    );
    const note = path.join(dir, 'checkpoint.txt');
    fs.writeFileSync(note, trace.checkpoint.signedNote);
    expect(verifyTraceCli([newer.trace, '--checkpoint', note]).status).toBe(2); // a note carries no key
    const pinned = verifyTraceCli([newer.trace, '--checkpoint', note, '--public-key', publicKey]);
    expect(pinned.stdout).toMatch(/^ok: 2 events verified/m);
    expect(pinned.status).toBe(0);
  });

  test('a consistency proof that does not join the two checkpoints is refused', async () => {
    const proof = JSON.parse(fs.readFileSync(await consistency(older.size, newer.size), 'utf8')) as {
      path: string[];
    };
    const forged = save('forged.json', {
      fromSize: older.size,
      toSize: newer.size,
      path: [...proof.path.slice(1), proof.path[0]],
    });
    const run = verifyTraceCli([
      older.trace,
      '--checkpoint',
      newer.checkpoint,
      '--public-key',
      publicKey,
      '--consistency',
      forged,
    ]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /consistency proof does not show tree size \d+ to be a prefix of tree size \d+/,
    );
  });
});

describe('research exports', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
    const personId = await t.recordId('/persons', { name: 'Eksport Navnesen', email: 'eksport@example.org' });
    const committeeId = await t.recordId('/committees', {
      name: 'Utvalg',
      kind: 'task',
      areas: [],
      mandate: fullMandate,
      coCreationForm: 'steered',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    await t.recordId(`/committees/${committeeId}/members`, {
      personId,
      role: 'leader',
      actorGroup: 'resident',
      representationBasis: 'open',
      appointedOn: '2020-06-10',
    });
    const proposalId = await t.recordId('/proposals', {
      committeeId,
      title: '=HYPERLINK("x")',
      description: 'Formel',
      origin: 'member',
      submittedBy: personId,
      submittedOn: '2021-01-01',
    });
    await t.recordId(`/proposals/${proposalId}/supports`, { personId, supportedOn: '2021-01-02' });
    await t.recordId(`/proposals/${proposalId}/committee-decisions`, {
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Anbefalt',
      decidedOn: '2021-01-10',
    });
    await t.ledger.runner.waitFor(await t.head(), 5000);
  });
  afterAll(() => t.close());

  test('every dataset exports as CSV and NDJSON with pseudonyms and no names', async () => {
    const dictionary = await t.get('/exports', 'evaluator');
    expect(dictionary.status).toBe(200);
    const names = (dictionary.body.datasets as Array<{ name: string }>).map((d) => d.name);
    expect(names).toEqual(['proposals', 'decisions', 'votes', 'participation', 'events']);
    const personId = (await firstPersonStream(t)).slice('person-'.length);
    for (const name of names) {
      for (const format of ['csv', 'ndjson']) {
        const res = await t.get(`/exports/${name}?format=${format}`, 'evaluator');
        expect(res.status).toBe(200);
        const body = res.text;
        expect(body).not.toContain('Navnesen');
        expect(body).not.toContain('eksport@example.org');
        expect(body).not.toContain(personId);
        if (format === 'csv') expect(body.split('\r\n')[0]).toContain(',');
      }
    }
    const proposals = await t.get('/exports/proposals?format=csv', 'evaluator');
    expect(proposals.text).toContain(`'=HYPERLINK(""x"")`);
    const decisions = await t.get('/exports/decisions?format=ndjson', 'evaluator');
    const decisionRows = decisions.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(decisionRows).toHaveLength(1);
    expect(decisionRows[0]).toMatchObject({
      level: 'committee',
      outcome: 'adopted',
      decidedOn: '2021-01-10',
    });
    const events = await t.get('/exports/events?format=ndjson', 'evaluator');
    expect(events.text).toContain(t.ledger.pseudonyms.of(personId));
    expect((await t.get('/exports/proposals', 'clerk')).status).toBe(403);
    expect((await t.get('/exports/nope', 'evaluator')).status).toBe(404);
    expect((await t.get('/exports/proposals?format=xml', 'evaluator')).status).toBe(400);
  });
});

async function firstPersonStream(t: LedgerApp): Promise<string> {
  for await (const e of t.ledger.store.readAll(0)) if (e.type === 'PersonRegistered') return e.streamId;
  throw new Error('no person');
}
