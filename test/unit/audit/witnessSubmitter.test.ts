/**
 * The ledger as the witnesses' client (src/audit/witnessSubmitter.ts) against in-process witness TEST DOUBLES
 * (test/support/witnessDouble.ts, deciding with decideAddCheckpoint) over a real audit log on SQLite files. The
 * witnesses run as processes in test/e2e/witnesses.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AuditLog } from '../../../src/audit/auditLog';
import { CheckpointJournal } from '../../../src/audit/checkpointJournal';
import type { StoredCheckpoint } from '../../../src/audit/checkpointStore';
import { cosign, encodeWitnessVerifierKey, verifyCosignature } from '../../../src/audit/cosignature';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  splitNote,
} from '../../../src/audit/signedNote';
import { parsePolicy, quorumMet, type Policy } from '../../../src/audit/witnessPolicy';
import { WitnessSubmitter } from '../../../src/audit/witnessSubmitter';
import { ConfigError } from '../../../src/config';
import { checkPolicyNamesLedger, readWitnessPolicy } from '../../../src/ledger';
import { createLogger } from '../../../src/logger';
import { SealKey, writeSealKey } from '../../../src/store/eventSeal';
import type { SqliteEventStore } from '../../../src/store/sqlite/sqliteEventStore';
import { appendPlausibleEvents, sealedStore } from '../../support/auditedLedger';
import { makeTempDir } from '../../support/tempDir';
import { startWitnessDouble, type WitnessDouble } from '../../support/witnessDouble';
import { eventually } from '../../support/eventually';

jest.setTimeout(30_000);

const ORIGIN = 'test.example/ledger';

interface Fixture {
  dir: string;
  store: SqliteEventStore;
  audit: AuditLog;
  logLines: string[];
  seed: number;
  /** Appends events and signs a checkpoint of them. */
  grow(events: number): Promise<StoredCheckpoint>;
  close(): Promise<void>;
}

async function openFixture(dir: string, key = generateSigningKey()): Promise<Fixture> {
  const sealKey = SealKey.generate();
  writeSealKey(path.join(dir, 'event-seal-key'), sealKey);
  const journal = new CheckpointJournal(path.join(dir, 'checkpoint-journal.ndjson'));
  journal.create();
  const store = sealedStore({ dir, events: path.join(dir, 'events.sqlite'), sealKey });
  const logLines: string[] = [];
  const audit = new AuditLog({
    store,
    file: path.join(dir, 'audit.sqlite'),
    signingKey: key,
    origin: ORIGIN,
    checkpointEveryEvents: 1_000_000,
    checkpointEverySeconds: 86_400,
    journal,
    requireSeals: true,
  });
  await audit.start();
  const fixture: Fixture = {
    dir,
    store,
    audit,
    logLines,
    seed: 1,
    grow: async (events) => {
      const before = audit.treeSize();
      await appendPlausibleEvents(store, events, fixture.seed++);
      await audit.waitForSize(before + events, 10_000);
      return audit.checkpointNow();
    },
    close: async () => {
      await audit.close();
      await store.close();
    },
  };
  return fixture;
}

function loggerInto(lines: string[]) {
  return createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    }),
  );
}

function policyOf(
  witnesses: Array<{ name: string; vkey: string; url: string | null }>,
  quorum: string,
): Policy {
  const lines = witnesses.map((w) => `witness ${w.name} ${w.vkey}${w.url ? ` ${w.url}` : ''}`);
  return parsePolicy(`${lines.join('\n')}\n${quorum}\n`);
}

describe('the witness submitter', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let fixture: Fixture;
  let submitter: WitnessSubmitter | undefined;
  const doubles: WitnessDouble[] = [];

  beforeEach(async () => {
    temp = makeTempDir('witness-submitter-');
    fixture = await openFixture(temp.dir);
  });
  afterEach(async () => {
    await submitter?.stop();
    submitter = undefined;
    await Promise.all(doubles.splice(0).map((d) => d.close().catch(() => undefined)));
    await fixture.close();
    temp.cleanup();
  });

  const double = async (
    name: string,
    options: Partial<Parameters<typeof startWitnessDouble>[0]> = {},
  ): Promise<WitnessDouble> => {
    const d = await startWitnessDouble({ name, logVkey: fixture.audit.verifierKey, ...options });
    doubles.push(d);
    return d;
  };

  const startSubmitter = (policy: Policy, lines = fixture.logLines): WitnessSubmitter => {
    submitter = new WitnessSubmitter({
      audit: fixture.audit,
      policy,
      logger: loggerInto(lines),
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      requestTimeoutMs: 2_000,
    });
    submitter.start();
    return submitter;
  };

  const reportOf = (name: string) => submitter?.report().witnesses.find((w) => w.name === name);

  it('gets every checkpoint cosigned by two witnesses, each line verifying under the policy and meeting its quorum', async () => {
    const a = await double('witness.example/a');
    const b = await double('witness.example/b');
    const policy = policyOf(
      [
        { name: a.name, vkey: a.vkey, url: a.url },
        { name: b.name, vkey: b.vkey, url: b.url },
      ],
      'group both all witness.example/a witness.example/b\nquorum both',
    );
    const first = await fixture.grow(5);
    const s = startSubmitter(policy); // the latest checkpoint is submitted at start
    await eventually(() => s.isWitnessed(first));
    for (const events of [7, 1, 30]) {
      const checkpoint = await fixture.grow(events);
      await eventually(() => s.isWitnessed(checkpoint));
      const note = fixture.audit.cosignedNote(checkpoint);
      expect(quorumMet(policy, note)).toMatchObject({ met: true, cosigned: [a.name, b.name] });
      for (const w of policy.witnesses) expect(verifyCosignature(note, w.key)).not.toBeNull();
      // The stored note is untouched: the lines are appended when served.
      expect(note.startsWith(checkpoint.note)).toBe(true);
    }
    // Each submission after the first carries the proof from the size the witness last cosigned.
    const oldSizes = a.requests.map((r) => Number(/^old (\d+)\n/.exec(r)?.[1]));
    expect(oldSizes).toEqual([0, 5, 12, 13]);
    expect(reportOf(a.name)).toMatchObject({ state: 'cosigned', lastSizeCosigned: 43, lastError: null });
    expect(s.report().latest).toMatchObject({ treeSize: 43, quorumMet: true });
    expect(s.newestWitnessed()?.treeSize).toBe(43);
  });

  it('retries a witness that is down and catches it up with the newest checkpoint only when it comes back', async () => {
    const up = await double('witness.example/up');
    const downKey = generateSigningKey();
    // A port where nothing listens, kept for the witness's return.
    const gone = await startWitnessDouble({
      name: 'witness.example/down',
      logVkey: fixture.audit.verifierKey,
      key: downKey,
    });
    await gone.close();
    const policy = policyOf(
      [
        { name: up.name, vkey: up.vkey, url: up.url },
        { name: gone.name, vkey: gone.vkey, url: gone.url },
      ],
      'group one any witness.example/up witness.example/down\nquorum one',
    );
    const s = startSubmitter(policy);
    const first = await fixture.grow(4);
    await eventually(() => reportOf(gone.name)?.state === 'retrying');
    expect(reportOf(gone.name)?.lastError).toMatch(/could not reach the witness/);
    await eventually(() => s.isWitnessed(first)); // the one that is up is not held by the one that is down
    const second = await fixture.grow(3);
    const third = await fixture.grow(2);
    await eventually(() => s.isWitnessed(third));

    const back = await double(gone.name, { port: gone.port, key: downKey });
    await eventually(() => reportOf(gone.name)?.state === 'cosigned');
    const cosigners = (c: StoredCheckpoint) => fixture.audit.cosignaturesOf(c.treeSize).map((x) => x.witness);
    expect(cosigners(third)).toEqual([gone.name, up.name]);
    // Only the newest checkpoint was submitted on its return: the ones signed while it was away lack it.
    expect(cosigners(first)).toEqual([up.name]);
    expect(cosigners(second)).toEqual([up.name]);
    expect(back.requests.map((r) => r.split('\n')[0])).toEqual(['old 0']);
    expect(verifyCosignature(fixture.audit.cosignedNote(third), policy.witnesses[1]!.key)).not.toBeNull();
    expect(reportOf(gone.name)).toMatchObject({ lastSizeCosigned: 9, lastError: null });
    await eventually(() => fixture.logLines.some((l) => l.includes('witness cosigns again')));
    expect(fixture.logLines.some((l) => l.includes('did not cosign') && l.includes(gone.name))).toBe(true);
  });

  it('gives a witness that answers every checkpoint in order, however fast they come', async () => {
    const w = await double('witness.example/w');
    const s = startSubmitter(
      policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'),
    );
    const burst: StoredCheckpoint[] = [];
    for (let i = 0; i < 5; i++) burst.push(await fixture.grow(1));
    await eventually(() => burst.every((c) => s.isWitnessed(c)));
    expect(w.requests.slice(-5).map((r) => r.split('\n')[0])).toEqual([
      'old 0',
      'old 1',
      'old 2',
      'old 3',
      'old 4',
    ]);
  });

  it('adopts the size of a 409 and resubmits at once with the proof from it', async () => {
    const w = await double('witness.example/w');
    const early = await fixture.grow(6);
    // The witness cosigned size 6 earlier, but this audit database kept no line of it (so the ledger asks from 0).
    w.state.set(ORIGIN, { origin: ORIGIN, treeSize: early.treeSize, rootHash: early.rootHash });
    const latest = await fixture.grow(9);
    const s = startSubmitter(
      policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'),
    );
    await eventually(() => s.isWitnessed(latest));
    expect(w.requests.map((r) => r.split('\n')[0])).toEqual(['old 0', 'old 6']);
    expect(reportOf(w.name)).toMatchObject({ state: 'cosigned', lastSizeCosigned: 15 });
  });

  it('raises an ALARM when a witness refuses the checkpoint as inconsistent (a forked history), storing nothing', async () => {
    const w = await double('witness.example/w');
    const early = await fixture.grow(6);
    // The witness holds another root at size 6: the history it cosigned is not this one.
    const forked = Buffer.from(early.rootHash);
    forked[0] = (forked[0] as number) ^ 1;
    w.state.set(ORIGIN, { origin: ORIGIN, treeSize: 6, rootHash: forked });
    const latest = await fixture.grow(4);
    const s = startSubmitter(
      policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'),
    );
    await eventually(() => reportOf(w.name)?.state === 'alarm');
    expect(reportOf(w.name)?.alarm).toMatch(/inconsistent/);
    expect(fixture.audit.cosignaturesOf(latest.treeSize)).toEqual([]);
    expect(s.isWitnessed(latest)).toBe(false);
    expect(s.report().latest).toMatchObject({ treeSize: 10, quorumMet: false, missing: [w.name] });
    await eventually(() => fixture.logLines.some((l) => l.includes('ALARM')));
    const alarm = JSON.parse(fixture.logLines.find((l) => l.includes('ALARM')) as string);
    expect(alarm).toMatchObject({ level: 50, witness: w.name, oldSize: 6, treeSize: 10 });
    expect(alarm.rootHash).toBe(latest.rootHash.toString('base64'));
    expect(alarm.oldRootHash).toBe(early.rootHash.toString('base64'));
  });

  it('raises an ALARM for a 409 naming a size beyond every checkpoint the ledger signed', async () => {
    const w = await double('witness.example/w', {
      behaviour: () => ({ status: 409, headers: { 'content-type': 'text/x.tlog.size' }, body: '1000000\n' }),
    });
    const latest = await fixture.grow(3);
    startSubmitter(policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'));
    await eventually(() => reportOf(w.name)?.state === 'alarm');
    expect(reportOf(w.name)?.lastError).toMatch(/beyond every checkpoint/);
    expect(fixture.audit.cosignaturesOf(latest.treeSize)).toEqual([]);
  });

  describe('hostile witnesses: never stored, never a crash, an error in the report', () => {
    const otherKey = generateSigningKey();
    const answers: Record<
      string,
      (
        request: string,
        honest: () => { status: number; body: string | Buffer },
      ) => {
        status: number;
        headers?: Record<string, string>;
        body: string | Buffer;
      }
    > = {
      'garbage with 200': () => ({ status: 200, body: 'hello\n' }),
      'a huge body': () => ({ status: 200, body: Buffer.alloc(2 * 1024 * 1024, 0x41) }),
      'bytes that are not UTF-8': () => ({ status: 200, body: Buffer.from([0xe2, 0x80, 0x0a]) }),
      'a 200 with a line of another key': (request) => {
        const text = splitNote(request.slice(request.indexOf('\n\n') + 2))?.text as string;
        return { status: 200, body: cosign(text, otherKey, 'witness.example/w', 1_700_000_000) };
      },
      'a 200 with a valid line for another checkpoint': (_request, honest) => {
        honest();
        const other = `${ORIGIN}\n1\n${Buffer.alloc(32, 7).toString('base64')}\n`;
        return { status: 200, body: cosign(other, witnessKey, 'witness.example/w', 1_700_000_000) };
      },
      'a redirect': () => ({ status: 302, headers: { location: 'http://127.0.0.1:1/' }, body: '' }),
      'a 409 with a non-number': () => ({
        status: 409,
        headers: { 'content-type': 'text/x.tlog.size' },
        body: 'twelve\n',
      }),
      'a 500': () => ({ status: 500, body: 'oops' }),
      'a 403 (our key unknown to it)': () => ({ status: 403, body: 'no signature of a trusted key' }),
    };
    const witnessKey = generateSigningKey();

    it.each(Object.keys(answers))('%s', async (kind) => {
      const w = await double('witness.example/w', { key: witnessKey, behaviour: answers[kind] });
      const latest = await fixture.grow(3);
      const s = startSubmitter(
        policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'),
      );
      // Retried at least once: the submitter is still alive and still asking.
      await eventually(() => w.requests.length >= 2 && reportOf(w.name)?.state === 'retrying');
      expect(reportOf(w.name)?.lastError).toEqual(expect.any(String));
      expect(fixture.audit.cosignaturesOf(latest.treeSize)).toEqual([]);
      expect(s.isWitnessed(latest)).toBe(false);
    });
  });

  it('never lets a witness that accepts the connection and never answers hold the checkpoints or another witness', async () => {
    const hung = await double('witness.example/hung', { behaviour: 'hang' });
    const good = await double('witness.example/good');
    const s = startSubmitter(
      policyOf(
        [
          { name: hung.name, vkey: hung.vkey, url: hung.url },
          { name: good.name, vkey: good.vkey, url: good.url },
        ],
        'group any1 any witness.example/hung witness.example/good\nquorum any1',
      ),
    );
    const checkpoints: StoredCheckpoint[] = [];
    for (let i = 0; i < 3; i++) checkpoints.push(await fixture.grow(2));
    await eventually(() => s.isWitnessed(checkpoints[2] as StoredCheckpoint));
    // The hung witness got its first request and holds it open: nothing else waited for it.
    expect(hung.requests.length).toBe(1);
    expect(reportOf(hung.name)).toMatchObject({ state: 'pending', lastSuccessAt: null });
    // Its request is cut off at the time limit and retried.
    await eventually(() => reportOf(hung.name)?.state === 'retrying');
    expect(reportOf(hung.name)?.lastError).toMatch(/no answer within 2000 ms/);
  });

  it('counts a witness without a URL for the quorum, never asks it, and warns', async () => {
    const lines: string[] = [];
    const w = await double('witness.example/w');
    startSubmitter(
      policyOf(
        [
          {
            name: 'witness.example/offline',
            vkey: encodeWitnessVerifierKey(
              'witness.example/offline',
              publicKeyFromPrivate(generateSigningKey()),
            ),
            url: null,
          },
        ],
        'quorum witness.example/offline',
      ),
      lines,
    );
    await fixture.grow(2);
    await eventually(() => lines.some((l) => l.includes('has no URL')));
    expect(reportOf('witness.example/offline')).toMatchObject({ state: 'not-asked', url: null });
    expect(w.requests).toEqual([]);
  });

  it('resumes from the size kept in the audit database after a restart', async () => {
    const w = await double('witness.example/w');
    const policy = policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w');
    let s = startSubmitter(policy);
    const first = await fixture.grow(5);
    await eventually(() => s.isWitnessed(first));
    await s.stop();
    const second = await fixture.grow(3); // signed while no submitter listens
    const asked = w.requests.length;
    s = startSubmitter(policy);
    expect(reportOf(w.name)?.lastSizeCosigned).toBe(5);
    await eventually(() => s.isWitnessed(second));
    expect(w.requests.slice(asked).map((r) => r.split('\n')[0])).toEqual(['old 5']);
  });

  it('at a restart with the latest checkpoint cosigned already, asks each witness once more: one that is gone is noticed', async () => {
    const w = await double('witness.example/w');
    const gone = await double('witness.example/gone');
    const policy = policyOf(
      [
        { name: w.name, vkey: w.vkey, url: w.url },
        { name: gone.name, vkey: gone.vkey, url: gone.url },
      ],
      'group both all witness.example/w witness.example/gone\nquorum both',
    );
    let s = startSubmitter(policy);
    const first = await fixture.grow(5);
    await eventually(() => s.isWitnessed(first));
    await s.stop();
    await gone.close();
    const asked = w.requests.length;
    s = startSubmitter(policy);
    await eventually(() => reportOf(gone.name)?.state === 'retrying');
    await eventually(() => reportOf(w.name)?.state === 'cosigned');
    // The same checkpoint again, from its own size: the witness cosigns it once more, and is known to be there.
    expect(w.requests.slice(asked).map((r) => r.split('\n')[0])).toEqual(['old 5']);
    expect(reportOf(w.name)?.lastSuccessAt).not.toBeNull();
    expect(s.isWitnessed(first)).toBe(true);
  });

  it("raises the alarm when a witness's state goes back (lost, or restored from an older copy), and asks it again from its size", async () => {
    const w = await double('witness.example/w');
    const policy = policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w');
    const s = startSubmitter(policy);
    const first = await fixture.grow(5);
    await eventually(() => s.isWitnessed(first));
    w.state.clear(); // the witness forgot this log: it would now cosign a fork from size 0
    const second = await fixture.grow(3);
    await eventually(() => s.isWitnessed(second));
    expect(w.requests.slice(-2).map((r) => r.split('\n')[0])).toEqual(['old 5', 'old 0']);
    expect(reportOf(w.name)).toMatchObject({
      state: 'cosigned',
      alarm: expect.stringMatching(
        /state went back: it cosigned size 5 of this log, and now says it last cosigned 0/,
      ),
    });
    expect(fixture.logLines.some((l) => l.includes('ALARM') && l.includes('state went back'))).toBe(true);
  });

  it('serves no stored line that is not a signature line: a row put in behind its back cannot make the note unreadable', async () => {
    const checkpoint = await fixture.grow(3);
    const at = (line: string) => ({
      treeSize: checkpoint.treeSize,
      witness: line.slice(0, 8),
      line,
      receivedAt: 'x',
    });
    for (const line of [
      'garbage without newline',
      '— two\n— lines AAAA\n',
      '\n',
      '— w.example AAAAAAAAAAAA\n',
    ]) {
      fixture.audit.addCosignature(at(line));
    }
    const note = fixture.audit.cosignedNote(checkpoint);
    // The one line of a signature line's form is served (clients judge it); the others are not.
    expect(note).toBe(`${checkpoint.note}— w.example AAAAAAAAAAAA\n`);
    expect(splitNote(note)?.signatures.map((x) => x.name)).toEqual([ORIGIN, 'w.example']);
    expect(fixture.audit.cosignedNotes([checkpoint])).toEqual([note]);
  });

  it("keeps a witness's own words out of the report anyone may read, and in the log", async () => {
    const w = await double('witness.example/w', {
      behaviour: () => ({
        status: 500,
        body: 'URGENT: the ledger was hacked, go to https://evil.example/reset\n',
      }),
    });
    const s = startSubmitter(
      policyOf([{ name: w.name, vkey: w.vkey, url: w.url }], 'quorum witness.example/w'),
    );
    await fixture.grow(2);
    await eventually(() => reportOf(w.name)?.state === 'retrying');
    expect(JSON.stringify(s.report())).not.toContain('evil.example');
    expect(reportOf(w.name)?.lastError).toMatch(/^500: the witness did not cosign/);
    expect(fixture.logLines.some((l) => l.includes('evil.example'))).toBe(true);
  });
});

describe('LEDGER_WITNESS_POLICY_FILE', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir('witness-policy-')));
  afterEach(() => temp.cleanup());
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(generateSigningKey()));

  const write = (text: string): string => {
    const file = path.join(temp.dir, 'witnesses.policy');
    fs.writeFileSync(file, text);
    return file;
  };

  it('refuses a file that breaks tlog-policy, naming the line', () => {
    const file = write('# witnesses\nwitness w1 not-a-vkey http://127.0.0.1:1\nquorum w1\n');
    expect(() => readWitnessPolicy(file)).toThrow(ConfigError);
    expect(() => readWitnessPolicy(file)).toThrow(/witnesses\.policy line 2: bad witness vkey/);
  });

  it('reads the file as the clients do: bytes that are not UTF-8 are refused, not replaced', () => {
    const file = path.join(temp.dir, 'latin1.policy');
    fs.writeFileSync(file, Buffer.from('witness n\xe6r w\nquorum none\n', 'latin1'));
    expect(() => readWitnessPolicy(file)).toThrow(/invalid LEDGER_WITNESS_POLICY_FILE: .*is not UTF-8 text/);
  });

  it('refuses a missing file', () => {
    expect(() => readWitnessPolicy(path.join(temp.dir, 'nothing'))).toThrow(
      /invalid LEDGER_WITNESS_POLICY_FILE: cannot read .*no such file/,
    );
  });

  it("refuses log lines none of which is this ledger's key, and accepts one that is", () => {
    const other = encodeVerifierKey('other.example/log', publicKeyFromPrivate(generateSigningKey()));
    const foreign = write(`log ${other}\nquorum none\n`);
    expect(() => checkPolicyNamesLedger(readWitnessPolicy(foreign), foreign, verifierKey)).toThrow(
      /none is this ledger's key/,
    );
    const ours = write(`log ${other}\nlog ${verifierKey}\nquorum none\n`);
    expect(() => checkPolicyNamesLedger(readWitnessPolicy(ours), ours, verifierKey)).not.toThrow();
    // Without log lines the policy names no log, and clients check the ledger's key by other means.
    const none = write('quorum none\n');
    expect(() => checkPolicyNamesLedger(readWitnessPolicy(none), none, verifierKey)).not.toThrow();
  });
});
