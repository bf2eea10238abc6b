/**
 * A real trace, as GET /api/v1/proposals/:id/trace answers an evaluator: a ledger app loaded with the first
 * commands of the simulated trial, and the trace of the proposal with the most events among those that went to a
 * vote (its own events, its votes' and ballots', its meetings'), with the server's verifier key.
 */
import type { TraceIndexState } from '../../projections';
import { generateTrial } from '../../src/simulation/trial';
import { loadTrial } from '../../src/simulation/loadTrial';
import { openLedgerApp, type LedgerApp } from './ledgerApp';

/** Enough of the trial for proposals that reach votes, decisions and referrals; loads in a few seconds. */
const TRIAL_COMMANDS = 1500;

export interface TrialTrace {
  t: LedgerApp;
  proposalId: string;
  /** The trace as the route answers it (parsed JSON). */
  trace: { checkpoint: Record<string, unknown>; events: Record<string, unknown>[] } & Record<string, unknown>;
  /** The verifier key the server publishes (GET /audit/checkpoint), to pin. */
  publicKey: string;
}

export async function openTrialTrace(): Promise<TrialTrace> {
  const t = await openLedgerApp();
  const report = await loadTrial(t.ledger, generateTrial({ seed: 7, limit: TRIAL_COMMANDS }));
  if (report.rejected > 0) throw new Error(`the trial was refused: ${JSON.stringify(report.errors)}`);
  await t.ledger.runner.waitFor(await t.head(), 10_000);
  const { state } = t.ledger.runner.current<TraceIndexState>('traceIndex');
  // A proposal that went to a vote shows the most kinds of event; of those, the one with the longest trace.
  const voted = new Set(Object.values(state.voteProposal).map((v) => v.proposalId));
  const [proposalId] = Object.entries(state.proposals)
    .filter(([id]) => voted.has(id))
    .reduce((most, entry) => (entry[1].length > most[1].length ? entry : most), ['', [] as number[]]);
  if (proposalId === '') throw new Error('no proposal of the trial went to a vote');
  const res = await t.get(`/proposals/${proposalId}/trace`, 'evaluator');
  if (res.status !== 200) throw new Error(`trace → ${res.status}: ${JSON.stringify(res.body)}`);
  const checkpoint = await t.get('/audit/checkpoint', 'anonymous');
  return { t, proposalId, trace: res.body, publicKey: checkpoint.body.publicKey as string };
}
