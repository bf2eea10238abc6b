/**
 * `JSON.stringify` in parts. A view's state on a 1M-event ledger is tens of megabytes of JSON; serialising it in one
 * string, then copying that string into SQLite as UTF-8, briefly holds it three times. Written in parts of about
 * `partSize` characters, at most a part (plus one container of about four parts) is held at a time, and the
 * parts joined are exactly `JSON.stringify`'s output (for plain JSON data: objects, arrays, strings, finite numbers,
 * booleans, null).
 *
 * Native `JSON.stringify` is much faster per entry than anything written here, so only what must be split is:
 * the top two levels (a state and its collections, a handful of entries each), and collections whose sampled size
 * says they are larger than four parts. Everything else — one proposal's record, a map of 80k short values —
 * goes to `JSON.stringify` whole.
 */

const ALWAYS_DESCEND_DEPTH = 2;
const FEW_ENTRIES = 64;
const SAMPLES = 8;

export function writeJsonParts(value: unknown, onPart: (part: string) => void, partSize = 1 << 20): void {
  let buffer = '';
  const emit = (text: string): void => {
    buffer += text;
    if (buffer.length >= partSize) {
      onPart(buffer);
      buffer = '';
    }
  };

  const write = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) {
      if (!descend(v.length, depth, 4 * partSize, (i) => v[i])) {
        emit(JSON.stringify(v));
        return;
      }
      emit('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) emit(',');
        const child: unknown = v[i];
        if (child === undefined || typeof child === 'function' || typeof child === 'symbol') emit('null');
        else write(child, depth + 1);
      }
      emit(']');
      return;
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (!descend(keys.length, depth, 4 * partSize, (i) => v[keys[i] as string])) {
        emit(JSON.stringify(v));
        return;
      }
      emit('{');
      let first = true;
      for (const key of keys) {
        const child = v[key];
        if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
        emit(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        write(child, depth + 1);
      }
      emit('}');
      return;
    }
    // A primitive (or something JSON handles itself, such as an object with toJSON).
    emit((JSON.stringify(v) as string | undefined) ?? 'null');
  };

  write(value, 0);
  if (buffer.length > 0) onPart(buffer);
}

/** Whether a container is written entry by entry: near the top, or when a sample of its entries says it is large. */
function descend(entries: number, depth: number, splitAbove: number, entry: (i: number) => unknown): boolean {
  if (entries <= FEW_ENTRIES) return depth < ALWAYS_DESCEND_DEPTH;
  let sampled = 0;
  for (let s = 0; s < SAMPLES; s++) {
    const text = JSON.stringify(entry(Math.floor((s * entries) / SAMPLES))) as string | undefined;
    sampled += (text?.length ?? 4) + 40; // + a key and separators
  }
  return (sampled / SAMPLES) * entries > splitAbove;
}

/** All parts as one array (for tests and small states). */
export function jsonParts(value: unknown, partSize?: number): string[] {
  const parts: string[] = [];
  writeJsonParts(value, (part) => parts.push(part), partSize);
  return parts;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (
    (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}
