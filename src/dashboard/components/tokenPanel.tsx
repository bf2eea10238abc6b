/** The tab's token (issue 10 §6): entered in the page, kept in sessionStorage for this tab only. */
import { useState } from 'preact/hooks';
import { useWords } from '../i18n';
import { token, useObservable } from '../state';

export function TokenPanel() {
  const w = useWords();
  const current = useObservable(token);
  const [draft, setDraft] = useState('');
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
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        const t = draft.trim();
        if (t) token.set(t);
        setDraft('');
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
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">{w.t('token.save')}</button>
      <small id="token-help">{w.t('token.help')}</small>
    </form>
  );
}
