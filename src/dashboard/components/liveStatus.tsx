/** Where the live feed stands and whether the views on screen are behind it (issue 10 §8). */
import { behindBy } from '../api';
import { useWords } from '../i18n';
import { live, place, useObservable } from '../state';

export function LiveStatus() {
  const w = useWords();
  const state = useObservable(live);
  const behind = useObservable(behindBy);
  const { point } = useObservable(place);
  let text: string;
  let tone: string;
  if (state.status === 'reconnecting') [text, tone] = [w.t('live.reconnecting'), 'warn'];
  else if (state.status === 'connecting') [text, tone] = [w.t('live.connecting'), 'wait'];
  else if (point.kind !== 'now')
    [text, tone] = [w.t('point.asOfShown', { point: w.point(point.value) }), 'wait'];
  else if (behind > 0) [text, tone] = [w.t('live.behind', { n: w.num(behind) }), 'wait'];
  else [text, tone] = [w.t('live.live', { position: w.num(state.head) }), 'ok'];
  return (
    <p
      class={`live live-${tone}`}
      role="status"
      aria-live="polite"
      data-testid="live-status"
      data-state={state.status}
      data-behind={behind}
    >
      <span class="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
