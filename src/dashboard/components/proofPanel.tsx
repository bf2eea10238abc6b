/**
 * Proof in the browser (issue 10 §6): with an evaluator token, loads the proposal's trace and checks every event in
 * this page's own code (proof/verifyTrace.ts): the leaf's SHA-256, its RFC 9162 inclusion proof against the trace's
 * checkpoint, and the checkpoint's Ed25519 signature against the key the reader pinned — or the server's own key,
 * said to be not pinned. With the reader's own witness policy (C2SP tlog-policy, pasted or loaded from a file, kept in
 * localStorage, never fetched from the server), the checkpoint must also carry enough valid witness cosignatures.
 * Nothing of the verdict comes from the server.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, apiUrl, getJson } from '../api';
import { TableFrame } from './common';
import { useWords } from '../i18n';
import type { MessageKey } from '../messages';
import type { TraceVerdict } from '../proof/verdict';
import { verifyTrace } from '../proof/verifyTrace';
import { MAX_POLICY_LENGTH, parsePolicy } from '../proof/witnessPolicy';
import { token, useObservable } from '../state';

const PINNED_KEY = 'ledger.pinnedVerifierKey';
const WITNESS_POLICY = 'ledger.witnessPolicy';

type Check =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'policy-error'; line: number; reason: string }
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
  const [policyText, setPolicyText] = useState(() => window.localStorage.getItem(WITNESS_POLICY) ?? '');
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
      // The reader's policy is read before anything is fetched: one that cannot be used checks nothing.
      const parsed = policyText.trim() === '' ? null : await parsePolicy(policyText);
      if (parsed !== null && !parsed.ok) {
        if (!cancelled) setCheck({ state: 'policy-error', line: parsed.line, reason: parsed.reason });
        return;
      }
      const trace = await getJson<unknown>(apiUrl(`/proposals/${proposalId}/trace`), controller.signal);
      const key = pinned.trim();
      const verdict = await verifyTrace(trace, {
        proposalId,
        ...(key ? { pinnedKey: key } : {}),
        ...(parsed ? { policy: parsed.policy } : {}),
      });
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
    // The pinned key and the policy are applied when the reader asks (the button), not on every keystroke.
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
            if (policyText.trim()) window.localStorage.setItem(WITNESS_POLICY, policyText);
            else window.localStorage.removeItem(WITNESS_POLICY);
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
          <label>
            <span>{w.t('proof.policy')}</span>
            <textarea
              name="witnessPolicy"
              rows={6}
              cols={60}
              spellcheck={false}
              autoComplete="off"
              value={policyText}
              aria-describedby="policy-help"
              onInput={(e) => setPolicyText((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <label>
            <span>{w.t('proof.policyFile')}</span>
            <input
              type="file"
              name="witnessPolicyFile"
              accept=".policy,.txt,text/plain"
              onChange={(e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (file)
                  void readPolicyFile(file).then((read) => {
                    if (!('text' in read)) {
                      setCheck({ state: 'policy-error', line: 0, reason: w.t(read.problem) });
                      return;
                    }
                    // Loading a file is asking for the check with it, as the button is.
                    setPolicyText(read.text);
                    window.localStorage.setItem(WITNESS_POLICY, read.text);
                    setRun((n) => n + 1);
                  });
              }}
            />
          </label>
          <small id="policy-help" class="note">
            {w.t('proof.policyHelp')}
          </small>
        </form>
      )}
      <div role="status" aria-live="polite" data-testid="proof-result" data-state={check.state}>
        {check.state === 'checking' && <p>{w.t('proof.checking')}</p>}
        {check.state === 'policy-error' && (
          <p class="problem" data-testid="proof-policy-error">
            {check.line === 0
              ? w.t('proof.policyUnreadable', { reason: check.reason })
              : w.t('proof.policyInvalid', { line: check.line, reason: check.reason })}
          </p>
        )}
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
  const policy = verdict.policy;
  const names = (list: string[]) => (list.length === 0 ? w.t('proof.policyNone') : list.join(', '));
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
            : policy && !policy.met
              ? policy.logSigned === false
                ? w.t('proof.policyWrongLog')
                : w.t('proof.policyShort', { n: policy.counted, required: policy.required })
              : failed.length > 0
                ? w.t('proof.traceFailed', { n: failed.length, total: verdict.events.length })
                : w.t('proof.traceProblems')}
      </p>
      <p data-testid="proof-checkpoint" data-ok={cp.signatureValid ? 'true' : 'false'}>
        {cp.signatureValid
          ? w.t('proof.checkpointOk', { key: `${cp.key?.name ?? ''}, ${keyNote}` })
          : w.t('proof.checkpointFailed', { problem: problemText(cp.problem) })}
      </p>
      {policy && (
        <div data-testid="proof-policy" data-met={policy.met ? 'true' : 'false'}>
          <p class={policy.met ? 'verdict-ok' : 'verdict-bad'}>
            {policy.met
              ? w.t('proof.policyMet', { names: names(policy.cosigned) })
              : `✘ ${policy.logSigned === false ? w.t('proof.policyWrongLog') : w.t('proof.policyShort', { n: policy.counted, required: policy.required })}`}
          </p>
          <ul>
            <li>{w.t('proof.policyCosigned', { names: names(policy.cosigned) })}</li>
            <li>{w.t('proof.policyMissing', { names: names(policy.missing) })}</li>
            {policy.invalid.length > 0 && (
              <li>{w.t('proof.policyInvalidCosignature', { names: names(policy.invalid) })}</li>
            )}
          </ul>
        </div>
      )}
      {cp.signatureValid && cp.treeSize !== null && (
        <p class="note" data-testid="proof-coverage">
          {w.t('proof.coverage', { last: w.num(cp.treeSize - 1) })}{' '}
          {w.t(policy?.met ? 'proof.coverageWitnessed' : 'proof.coverageUnwitnessed')}
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

/** A policy file as text: UTF-8, strictly (a byte that does not decode would change a name), and not too long. */
async function readPolicyFile(file: File): Promise<{ text: string } | { problem: MessageKey }> {
  if (file.size > MAX_POLICY_LENGTH) return { problem: 'proof.policyTooLarge' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()) };
  } catch {
    return { problem: 'proof.policyNotUtf8' };
  }
}
