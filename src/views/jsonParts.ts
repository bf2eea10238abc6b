/**
 * `JSON.stringify` in parts. A view's state on a 1M-event ledger is tens of megabytes of JSON; serialising it in one
 * string, then copying that string into SQLite as UTF-8, briefly holds it three times. Written in parts of about
 * `partSize` characters, at most one part is held at a time, and the parts joined are exactly `JSON.stringify`'s
 * output (for plain JSON data: objects, arrays, strings, finite numbers, booleans, null).
 */

/**
 * The top two levels (a state and its collections) and containers with more entries than SPLIT_ABOVE are written
 * entry by entry; anything else (one proposal's record, say) in one native `JSON.stringify`.
 */
const SPLIT_ABOVE = 64;
const ALWAYS_SPLIT_DEPTH = 2;

export function writeJsonParts(value: unknown, onPart: (part: string) => void, partSize = 1 << 20): void {
  let pending: string[] = [];
  let size = 0;
  const emit = (text: string): void => {
    pending.push(text);
    size += text.length;
    if (size >= partSize) flush();
  };
  const flush = (): void => {
    if (size === 0) return;
    onPart(pending.join(''));
    pending = [];
    size = 0;
  };

  const write = (v: unknown, depth: number): void => {
    if (Array.isArray(v) && (depth < ALWAYS_SPLIT_DEPTH || v.length > SPLIT_ABOVE)) {
      emit('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) emit(',');
        write(v[i], depth + 1);
      }
      emit(']');
      return;
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (depth < ALWAYS_SPLIT_DEPTH || keys.length > SPLIT_ABOVE) {
        emit('{');
        let first = true;
        for (const key of keys) {
          const child = v[key];
          if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
          emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
          first = false;
          write(child, depth + 1);
        }
        emit('}');
        return;
      }
    }
    // undefined here is an array element (object entries holding it were skipped above): JSON writes null.
    emit((JSON.stringify(v) as string | undefined) ?? 'null');
  };

  write(value, 0);
  flush();
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
