/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value, so that a hash over it does not
 * depend on key order or whitespace. The leaf hash of every ledger event is computed over this text.
 *
 * Written for speed as well as fidelity: it runs once per event when the tree is built and again for every event
 * on a full verify (QUALITY.md P6). The path named in an error is kept as a stack and only spelled out on failure.
 */

type PathSegment = string | number;

/** Serialises a JSON value canonically. Throws a TypeError on anything JSON cannot represent faithfully. */
export function canonicalJson(value: unknown): string {
  return serialise(value, []);
}

function serialise(value: unknown, path: PathSegment[]): string {
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
      return refuse(`${typeof value}`, 'is not a JSON value', path);
  }
}

function serialiseNumber(value: number, path: PathSegment[]): string {
  // RFC 8785 §3.2.2.3: ECMAScript Number-to-String, which JSON.stringify implements; it also maps -0 to "0".
  if (!Number.isFinite(value)) refuse('non-finite number', '', path);
  return JSON.stringify(value);
}

function serialiseArray(items: readonly unknown[], path: PathSegment[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    path.push(i);
    // A hole or undefined element has no JSON form that survives a round trip; refuse instead of writing null.
    if (items[i] === undefined) refuse('undefined array element', '', path);
    out += (i === 0 ? '' : ',') + serialise(items[i], path);
    path.pop();
  }
  return `${out}]`;
}

function serialiseObject(value: object, path: PathSegment[]): string {
  if (!isPlainObject(value)) {
    // Dates, Buffers, Maps … would each need a convention (toJSON or other); the hash must not depend on one.
    refuse(Object.prototype.toString.call(value), 'is not a plain object', path);
  }
  const record = value as Record<string, unknown>;
  // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names, which is what the default sort does.
  const names = Object.keys(record).sort();
  let out = '{';
  for (const name of names) {
    const member = record[name];
    if (member === undefined) continue;
    path.push(name);
    out += (out.length === 1 ? '' : ',') + JSON.stringify(name) + ':' + serialise(member, path);
    path.pop();
  }
  return `${out}}`;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function refuse(what: string, why: string, path: readonly PathSegment[]): never {
  const where = path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : `${text}.${segment}`),
    '$',
  );
  throw new TypeError(`canonicalJson: ${what}${why ? ` ${why}` : ''} at ${where}`);
}
