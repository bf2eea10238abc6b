/** The operator CLI on a data directory, as separate processes with no server running. */
import fs from 'node:fs';
import path from 'node:path';
import { environmentVariables, loadConfig } from '../../src/config';
import { openLedger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { runLedger } from '../support/ledgerBin';
import { makeTempDir } from '../support/tempDir';

const actor = { principal: 'test', role: 'admin' };

function ledgerCli(dataDir: string, args: string[]) {
  return runLedger(args, { LEDGER_DATA_DIR: dataDir });
}

/**
 * The line `ledger rebuild` ends with, parsed: "rebuilt <what> from <events> events in <s> s (<rate> events/s)". The
 * rate must be the events over the time: the time is shown to 0.1 s (and the rate divides by at least 1 ms), so the
 * rate lies between what the ends of that interval give. No speed is asserted.
 */
function reportedRebuild(stdout: string): { what: string; events: number; seconds: number; rate: number } {
  const m = /rebuilt (.+) from ([\d,]+) events in (\d+\.\d) s \(([\d,]+) events\/s\)/.exec(stdout);
  if (!m) throw new Error(`no rebuild report in: ${stdout}`);
  const count = (text: string | undefined): number => Number((text ?? '').replaceAll(',', ''));
  const reported = { what: m[1] ?? '', events: count(m[2]), seconds: Number(m[3]), rate: count(m[4]) };
  const slowest = reported.events / (reported.seconds + 0.05);
  const fastest = reported.events / Math.max(reported.seconds - 0.05, 0.001);
  expect({
    ...reported,
    rateFits: reported.rate >= Math.floor(slowest) && reported.rate <= Math.ceil(fastest),
  }).toMatchObject({ rateFits: true });
  return reported;
}

describe('ledger rebuild, export and token', () => {
  const temp = makeTempDir('ledger-cli-');
  afterAll(() => temp.cleanup());

  beforeAll(async () => {
    const ledger = openLedger(
      loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    const meta = (n: number) => ({ actor, correlationId: `c-${n}`, causationId: null });
    const committeeId = '0190a7c0-0000-7000-8000-0000000000c1';
    const personId = '0190a7c0-0000-7000-8000-0000000000d1';
    await ledger.commands.execute(
      'RegisterPerson',
      { personId, name: 'Cli Navnesen', email: 'cli@example.org' },
      meta(1),
    );
    await ledger.commands.execute(
      'EstablishCommittee',
      {
        committeeId,
        name: 'Barn og unge',
        kind: 'task',
        areas: [],
        mandate: { influence: true, decide: false, facilitate: true, support: false, arrange: false },
        coCreationForm: 'steered',
        period: { from: '2020-06-01', to: '2022-12-31' },
      },
      meta(2),
    );
    for (let i = 0; i < 3; i++) {
      await ledger.commands.execute(
        'SubmitProposal',
        {
          proposalId: `0190a7c0-0000-7000-8000-00000000010${i}`,
          committeeId,
          title: `Forslag ${i}`,
          description: 'Tekst',
          origin: 'member',
          submittedBy: personId,
          submittedOn: '2021-02-0' + (i + 1),
        },
        meta(3 + i),
      );
    }
    await ledger.close();
  });

  test('rebuild reports events and rate; an unknown view is exit 2', () => {
    const all = ledgerCli(temp.dir, ['rebuild']);
    expect(all.status).toBe(0);
    expect(reportedRebuild(all.stdout)).toMatchObject({ what: 'all views', events: 5 });
    const one = ledgerCli(temp.dir, ['rebuild', 'influence']);
    expect(one.status).toBe(0);
    // The influence view reads the committee and the three proposals, not the person's registration.
    expect(reportedRebuild(one.stdout)).toMatchObject({ what: 'influence', events: 4 });
    expect(ledgerCli(temp.dir, ['rebuild', 'nope']).status).toBe(2);
  });

  test('export writes a pseudonymised CSV with a header and one row per proposal', () => {
    const res = ledgerCli(temp.dir, ['export', 'proposals', '--format', 'csv']);
    expect(res.status).toBe(0);
    const lines = res.stdout.trim().split('\r\n');
    expect(lines[0]?.startsWith('proposalId,committeeId')).toBe(true);
    expect(lines).toHaveLength(4);
    const events = ledgerCli(temp.dir, ['export', 'events', '--format', 'ndjson']);
    expect(events.status).toBe(0);
    expect(events.stdout).not.toContain('Navnesen');
    expect(events.stdout).not.toContain('0190a7c0-0000-7000-8000-0000000000d1');
    expect(ledgerCli(temp.dir, ['export', 'nope']).status).toBe(2);
  });

  test('token prints a new token once and stores only its hash', () => {
    const res = ledgerCli(temp.dir, ['token', 'evaluator']);
    expect(res.status).toBe(0);
    const token = res.stdout.trim();
    expect(token.length).toBeGreaterThanOrEqual(40);
    const stored = fs.readFileSync(path.join(temp.dir, 'api-tokens.json'), 'utf8');
    expect(stored).not.toContain(token);
    expect(stored).toContain('"evaluator"');
    expect(ledgerCli(temp.dir, ['token', 'root']).status).toBe(2);
  });

  test('every command the usage lists has --help', () => {
    const usage = ledgerCli(temp.dir, ['--help']).stdout;
    const listed = [...usage.slice(usage.indexOf('Commands:')).matchAll(/^ {2}(\S+) {2,}\S/gm)].map(
      (m) => m[1],
    );
    expect(listed).toEqual(expect.arrayContaining(['serve', 'verify', 'tiles', 'witness']));
    for (const command of listed) {
      const res = ledgerCli(temp.dir, [command!, '--help']);
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`ledger ${command}`));
    }
  });

  test('serve --help names every environment variable the configuration reads', () => {
    const help = ledgerCli(temp.dir, ['serve', '--help']).stdout.replace(/\s+/g, ' ');
    const unnamed = environmentVariables.filter((name) => !new RegExp(`\\b${name}\\b`).test(help));
    expect(unnamed).toEqual([]);
    expect(environmentVariables).toContain('LEDGER_CORS_ORIGINS');
  });
});
