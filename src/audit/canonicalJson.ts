/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value, so that a hash over it does not
 * depend on key order or whitespace. The leaf hash of every ledger event is computed over this text.
 */

/** Serialises a JSON value canonically. Throws a TypeError on anything JSON cannot represent faithfully. */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

function serialise(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serialiseNumber(value, path);
    case 'string':
      // RFC 8785 §3.2.2.2: JSON.stringify's escaping (ES2019+) is exactly the one the RFC specifies.
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? serialiseArray(value, path) : serialiseObject(value, path);
    default:
      throw new TypeError(`canonicalJson: ${typeof value} at ${path} is not a JSON value`);
  }
}

function serialiseNumber(value: number, path: string): string {
  // RFC 8785 §3.2.2.3: ECMAScript Number-to-String, which JSON.stringify implements; it also maps -0 to "0".
  if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
  return JSON.stringify(value);
}

function serialiseArray(items: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    // A hole or undefined element has no JSON form that survives a round trip; refuse instead of writing null.
    if (items[i] === undefined)
      throw new TypeError(`canonicalJson: undefined array element at ${path}[${i}]`);
    parts.push(serialise(items[i], `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function serialiseObject(value: object, path: string): string {
  if (!isPlainObject(value)) {
    // Dates, Buffers, Maps … would each need a convention (toJSON or other); the hash must not depend on one.
    throw new TypeError(
      `canonicalJson: ${Object.prototype.toString.call(value)} at ${path} is not a plain object`,
    );
  }
  const record = value as Record<string, unknown>;
  // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names, which is what the default sort does.
  const names = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort();
  const members = names.map(
    (name) => `${JSON.stringify(name)}:${serialise(record[name], `${path}.${name}`)}`,
  );
  return `{${members.join(',')}}`;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
