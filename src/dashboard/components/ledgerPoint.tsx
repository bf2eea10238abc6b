/**
 * The ledger point control (issue 10 §7): every view at now, at a global position or at a recorded time (`asOf`),
 * or — once the service offers business-date reads — at a business date (`validAt`). The point lives in the URL, so a
 * view can be linked and cited; the position the views reflect is shown beside it.
 */
import { useEffect, useState } from 'preact/hooks';
import { reflected } from '../api';
import { useWords } from '../i18n';
import { hrefTo, navigate, place, useObservable, type LedgerPoint } from '../state';

type Mode = 'now' | 'position' | 'recorded' | 'validAt';

const POSITION = /^-?\d{1,15}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function modeOf(point: LedgerPoint): Mode {
  if (point.kind === 'validAt') return 'validAt';
  if (point.kind === 'asOf') return POSITION.test(point.value) ? 'position' : 'recorded';
  return 'now';
}

/** A datetime-local value (the reader's local time) as the RFC 3339 instant asOf takes, and back. */
function toInstant(local: string): string | null {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
function toLocal(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Whether the service answers `validAt` (issue "records of the past"): its OpenAPI document lists the parameter on
 * /influence once it does. Asked once, from the document rather than by trying, so an older server logs no error.
 */
let validAtSupport: Promise<boolean> | null = null;
function supportsValidAt(): Promise<boolean> {
  validAtSupport ??= fetch('/openapi.json')
    .then((r) => (r.ok ? (r.json() as Promise<OpenApiDocument>) : null))
    .then((doc) => {
      const parameters = doc?.paths?.['/influence']?.get?.parameters ?? [];
      return parameters.some((p) => p.name === 'validAt');
    })
    .catch(() => false);
  return validAtSupport;
}

interface OpenApiDocument {
  paths?: Record<string, { get?: { parameters?: Array<{ name?: string }> } }>;
}

export function LedgerPointControl() {
  const w = useWords();
  const here = useObservable(place);
  const position = useObservable(reflected);
  const [mode, setMode] = useState<Mode>(modeOf(here.point));
  const [value, setValue] = useState(here.point.kind === 'now' ? '' : here.point.value);
  const [invalid, setInvalid] = useState(false);
  const [validAtOk, setValidAtOk] = useState(false);

  useEffect(() => {
    void supportsValidAt().then(setValidAtOk);
  }, []);
  useEffect(() => {
    setMode(modeOf(here.point));
    setValue(here.point.kind === 'now' ? '' : here.point.value);
    setInvalid(false);
  }, [here.point.kind, here.point.kind === 'now' ? '' : here.point.value]);

  const go = (point: LedgerPoint) => {
    const params = Object.fromEntries(here.params.entries());
    // A cursor belongs to the point it was given at.
    delete params.cursor;
    delete params.page;
    navigate(hrefTo(window.location.pathname, params, point));
  };

  const apply = (event: Event) => {
    event.preventDefault();
    let point: LedgerPoint | null = null;
    if (mode === 'now') point = { kind: 'now' };
    else if (mode === 'position' && POSITION.test(value.trim()) && Number(value) >= -1)
      point = { kind: 'asOf', value: String(Number(value)) };
    else if (mode === 'recorded') {
      const instant = value.includes('T') && !value.endsWith('Z') ? toInstant(value) : value;
      if (instant && !Number.isNaN(new Date(instant).getTime())) point = { kind: 'asOf', value: instant };
    } else if (mode === 'validAt' && DATE.test(value)) point = { kind: 'validAt', value };
    setInvalid(point === null);
    if (point) go(point);
  };

  const reflects =
    position === null
      ? ''
      : position < 0
        ? w.t('point.reflectsEmpty')
        : w.t('point.reflects', { position: w.num(position) });

  return (
    <form class="ledger-point" onSubmit={apply} aria-describedby="point-reflects point-hint">
      <fieldset>
        <legend>{w.t('point.label')}</legend>
        <label>
          <span>{w.t('point.mode')}</span>
          <select
            value={mode}
            onChange={(e) => {
              const next = (e.target as HTMLSelectElement).value as Mode;
              setMode(next);
              if (next === 'now') go({ kind: 'now' });
              else setValue('');
            }}
          >
            <option value="now">{w.t('point.now')}</option>
            <option value="position">{w.t('point.position')}</option>
            <option value="recorded">{w.t('point.recorded')}</option>
            <option value="validAt" disabled={!validAtOk}>
              {validAtOk ? w.t('point.validAt') : w.t('point.validAtUnavailable')}
            </option>
          </select>
        </label>
        {mode === 'position' && (
          <label>
            <span>{w.t('point.position')}</span>
            <input
              name="position"
              inputMode="numeric"
              value={value}
              aria-invalid={invalid}
              onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        {here.point.kind === 'asOf' &&
          POSITION.test(here.point.value) &&
          position !== null &&
          Number(here.point.value) > position && (
            <p class="note" data-testid="point-beyond-head">
              {w.t('point.beyondHead', { asked: w.num(Number(here.point.value)), position: w.num(position) })}
            </p>
          )}
        {mode === 'recorded' && (
          <label>
            <span>{w.t('point.recorded')}</span>
            <input
              name="recordedAt"
              type="datetime-local"
              step={1}
              value={value.endsWith('Z') ? toLocal(value) : value}
              aria-invalid={invalid}
              onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        {mode === 'validAt' && (
          <label>
            <span>{w.t('point.validAt')}</span>
            <input
              name="validAt"
              type="date"
              min="2019-01-01"
              value={value}
              aria-invalid={invalid}
              onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        {mode !== 'now' && <button type="submit">{w.t('point.apply')}</button>}
        {here.point.kind !== 'now' && (
          <button type="button" onClick={() => go({ kind: 'now' })}>
            {w.t('point.reset')}
          </button>
        )}
      </fieldset>
      {invalid && (
        <p class="problem" role="alert">
          {w.t('point.invalid')}
        </p>
      )}
      <p id="point-reflects" class="reflects" data-testid="reflected-position" data-position={position ?? ''}>
        {reflects}
      </p>
      {mode === 'recorded' && (
        <p id="point-hint" class="note">
          {w.t('point.hint')}
        </p>
      )}
    </form>
  );
}
