/**
 * Proof in the browser (issue 10 §6): with an evaluator token, loads the proposal's trace and checks every event in
 * this page's own code (proof/verifyTrace.ts): the leaf's SHA-256, its RFC 9162 inclusion proof against the trace's
 * checkpoint, and the checkpoint's Ed25519 signature against the key the reader pinned — or the server's own key,
 * said to be not pinned. Nothing of the verdict comes from the server.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, apiUrl, getJson } from '../api';
import { TableFrame } from './common';
import { useWords } from '../i18n';
import type { MessageKey } from '../messages';
import type { TraceVerdict } from '../proof/verdict';
import { verifyTrace } from '../proof/verifyTrace';
import { token, useObservable } from '../state';

const PINNED_KEY = 'ledger.pinnedVerifierKey';

type Check =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'done'; verdict: TraceVerdict; treeSize: number | null }
  | { state: 'error'; problem: ApiProblem };

export function ProofPanel({
  proposalId,
  onVerdict,
}: {
  proposalId: string;
  /** Told each new verdict (null while none): the timeline marks the steps the trace proves. */
  onVerdict?: (verdict: TraceVerdict | null) => void;
}) {
  const w = useWords();
  const tab = useObservable(token);
  const [pinned, setPinned] = useState(() => window.localStorage.getItem(PINNED_KEY) ?? '');
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const [run, setRun] = useState(0);

  useEffect(() => {
    onVerdict?.(null);
    if (!tab) {
      setCheck({ state: 'idle' });
      return;
    }
    let cancelled = false;
    const controller = new AbortController();
    setCheck({ state: 'checking' });
    (async () => {
      const trace = await getJson<unknown>(apiUrl(`/proposals/${proposalId}/trace`), controller.signal);
      const key = pinned.trim();
      const verdict = await verifyTrace(trace, { proposalId, ...(key ? { pinnedKey: key } : {}) });
      const size = (trace as { checkpoint?: { treeSize?: unknown } } | null)?.checkpoint?.treeSize;
      if (cancelled) return;
      setCheck({ state: 'done', verdict, treeSize: typeof size === 'number' ? size : null });
      onVerdict?.(verdict);
    })().catch((error: unknown) => {
      if (cancelled) return;
      setCheck({
        state: 'error',
        problem: error instanceof ApiProblem ? error : new ApiProblem(0, 'Error', String(error)),
      });
    });
    return () => {
      cancelled = true;
      controller.abort();
    };
    // The pinned key is applied when the reader asks (the button), not on every keystroke.
  }, [proposalId, tab, run]);

  const problemText = (code: string | undefined) => (code ? w.t(`proof.problem.${code}` as MessageKey) : '');

  return (
    <section aria-labelledby="proof-heading" class="proof">
      <h2 id="proof-heading">{w.t('proof.heading')}</h2>
      <p class="lead">{w.t('proof.lead')}</p>
      {!tab ? (
        <p>{w.t('proof.needToken')}</p>
      ) : (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            const key = pinned.trim();
            if (key) window.localStorage.setItem(PINNED_KEY, key);
            else window.localStorage.removeItem(PINNED_KEY);
            setRun((n) => n + 1);
          }}
        >
          <label>
            <span>{w.t('proof.pinnedKey')}</span>
            <input
              name="pinnedKey"
              size={60}
              spellcheck={false}
              autoComplete="off"
              value={pinned}
              aria-describedby="pinned-help"
              onInput={(e) => setPinned((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">{w.t('proof.check')}</button>
          <small id="pinned-help" class="note">
            {w.t('proof.pinnedHelp')}
          </small>
        </form>
      )}
      <div role="status" aria-live="polite" data-testid="proof-result" data-state={check.state}>
        {check.state === 'checking' && <p>{w.t('proof.checking')}</p>}
        {check.state === 'error' && (
          <p class="problem">
            {check.problem.status === 401
              ? w.t('token.rejected')
              : w.t('common.error', { detail: check.problem.detail || check.problem.title })}
          </p>
        )}
        {check.state === 'done' && (
          <Verdict verdict={check.verdict} treeSize={check.treeSize} problemText={problemText} />
        )}
      </div>
    </section>
  );
}

function Verdict({
  verdict,
  treeSize,
  problemText,
}: {
  verdict: TraceVerdict;
  treeSize: number | null;
  problemText: (code: string | undefined) => string;
}) {
  const w = useWords();
  const failed = verdict.events.filter((e) => !e.ok);
  const cp = verdict.checkpoint;
  const position = (p: number | null) => (p === null ? '?' : w.num(p));
  const typeName = (type: string | null) =>
    type === null ? '?' : w.has(`event.${type}`) ? w.t(`event.${type}` as MessageKey) : type;
  const keyNote = cp.keyPinned ? w.t('proof.keyPinned') : w.t('proof.keyNotPinned');
  return (
    <div data-verified={verdict.ok ? 'true' : 'false'} data-key-pinned={cp.keyPinned ? 'true' : 'false'}>
      <p class={verdict.ok ? 'verdict-ok' : 'verdict-bad'} data-testid="proof-summary">
        {verdict.ok ? `✔ ${w.t('proof.verified')}: ` : `✘ ${w.t('proof.failed')}: `}
        {verdict.ok
          ? w.t('proof.traceVerified', {
              n: w.num(verdict.events.length),
              size: treeSize === null ? '–' : w.num(treeSize),
            })
          : !cp.signatureValid
            ? w.t('proof.traceUnsigned', { problem: problemText(cp.problem) })
            : failed.length > 0
              ? w.t('proof.traceFailed', { n: failed.length, total: verdict.events.length })
              : w.t('proof.traceProblems')}
      </p>
      <p data-testid="proof-checkpoint" data-ok={cp.signatureValid ? 'true' : 'false'}>
        {cp.signatureValid
          ? w.t('proof.checkpointOk', { key: `${cp.key?.name ?? ''}, ${keyNote}` })
          : w.t('proof.checkpointFailed', { problem: problemText(cp.problem) })}
      </p>
      {cp.signatureValid && cp.treeSize !== null && (
        <p class="note" data-testid="proof-coverage">
          {w.t('proof.coverage', { last: w.num(cp.treeSize - 1) })}
        </p>
      )}
      {verdict.problems.length > 0 && (
        <ul data-testid="proof-trace-problems">
          {verdict.problems.map((p, i) => (
            <li key={i}>
              {problemText(p.problem)}
              {p.streamId && ` (${p.streamId}${p.revision === undefined ? '' : ` #${p.revision}`})`}
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <ul data-testid="proof-failures">
          {failed.map((e, i) => (
            <li key={i} data-position={e.globalPosition ?? ''}>
              {`${w.t('proof.event')} ${w.t('common.position', { n: position(e.globalPosition) })} (${typeName(e.type)}): ${problemText(e.problem)}`}
            </li>
          ))}
        </ul>
      )}
      <TableFrame label={w.t('proof.heading')}>
        <table data-testid="proof-events">
          <caption>{w.t('proof.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{w.t('proof.event')}</th>
              <th scope="col">{w.t('proof.result')}</th>
            </tr>
          </thead>
          <tbody>
            {verdict.events.map((e, i) => {
              // An event is proven only against a checkpoint whose signature holds: its own checks passing
              // against an unsigned root prove nothing.
              const proven = e.ok && cp.signatureValid;
              return (
                <tr key={i} data-position={e.globalPosition ?? ''} data-ok={proven ? 'true' : 'false'}>
                  <th scope="row">
                    {w.t('common.position', { n: position(e.globalPosition) })} · {typeName(e.type)}
                  </th>
                  <td class={proven ? 'verdict-ok' : 'verdict-bad'}>
                    {proven
                      ? `✔ ${w.t('proof.verified')}`
                      : e.ok
                        ? `✘ ${w.t('proof.unsignedRoot')}`
                        : `✘ ${problemText(e.problem)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableFrame>
    </div>
  );
}
