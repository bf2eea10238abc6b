/**
 * API.md "Leaf hash" read literally, with nothing from src/: the reference the tests hold the implementation and the
 * HTTP answers to. RFC 8785 for JSON values: names sorted by UTF-16 code units, undefined members left out,
 * JSON.stringify for strings and numbers (which is what the RFC prescribes for them).
 */
import { createHash } from 'node:crypto';

export function canonicalBySpec(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalBySpec).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const names = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort();
    return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalBySpec(record[name])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const LEAF_FIELDS = [
  'globalPosition',
  'eventId',
  'streamId',
  'streamRevision',
  'type',
  'schemaVersion',
] as const;
const MORE_LEAF_FIELDS = [
  'recordedAt',
  'occurredAt',
  'actor',
  'correlationId',
  'causationId',
  'data',
] as const;

/** The canonical text of an envelope: exactly the API.md fields, dataKeyId only when there is one. */
export function leafTextBySpec(envelope: object): string {
  const source = envelope as Record<string, unknown>;
  const leaf: Record<string, unknown> = {};
  for (const field of [...LEAF_FIELDS, ...MORE_LEAF_FIELDS]) leaf[field] = source[field];
  if (source.dataKeyId !== undefined && source.dataKeyId !== null) leaf.dataKeyId = source.dataKeyId;
  return canonicalBySpec(leaf);
}

/** SHA-256(0x00 || UTF-8 of the canonical text). */
export function leafHashBySpec(envelope: object): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from([0]), Buffer.from(leafTextBySpec(envelope), 'utf8')]))
    .digest();
}
