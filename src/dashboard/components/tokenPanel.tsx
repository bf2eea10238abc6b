/**
 * The tab's token (issue 10 §6): entered in the page, kept in sessionStorage for this tab only. A token is tried
 * once before it is kept, so a mistyped one does not turn every public view into a 401; one the server stops
 * accepting later is dropped the same way (api.ts), and the panel says so.
 */
import { useState } from 'preact/hooks';
import { tokenRejected } from '../api';
import { useWords } from '../i18n';
import { token, useObservable } from '../state';

/** 401: not a token the server knows. Any other answer (200, or 403 for a clerk) means it is one. */
async function isKnownToken(candidate: string): Promise<boolean> {
  try {
    const res = await fetch('/api/v1/events?limit=1', { headers: { Authorization: `Bearer ${candidate}` } });
    await res.body?.cancel();
    return res.status !== 401;
  } catch {
    return true; // the network failed, not the token: the views will say so
  }
}

export function TokenPanel() {
  const w = useWords();
  const current = useObservable(token);
  const rejected = useObservable(tokenRejected);
  const [draft, setDraft] = useState('');
  const [checking, setChecking] = useState(false);
  if (current)
    return (
      <div class="token">
        <span>{w.t('token.active')}</span>
        <button type="button" onClick={() => token.set(null)}>
          {w.t('token.forget')}
        </button>
      </div>
    );
  return (
    <details class="token-panel" open={rejected}>
      <summary>{w.t('token.label')}</summary>
      <form
        class="token"
        onSubmit={async (e) => {
          e.preventDefault();
          const t = draft.trim();
          if (!t) return;
          setChecking(true);
          const known = await isKnownToken(t);
          setChecking(false);
          tokenRejected.set(!known);
          if (known) {
            token.set(t);
            setDraft('');
          }
        }}
      >
        <label>
          <span>{w.t('token.label')}</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            value={draft}
            aria-describedby="token-help"
            aria-invalid={rejected}
            onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={checking}>
          {w.t('token.save')}
        </button>
        {rejected && (
          <p class="problem" role="alert" data-testid="token-rejected">
            {w.t('token.rejected')}
          </p>
        )}
        <small id="token-help">{w.t('token.help')}</small>
      </form>
    </details>
  );
}
