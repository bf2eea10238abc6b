/**
 * Ids that follow from an Idempotency-Key. The key's record (idempotency.sqlite) is written after the command's
 * events, so a crash between the two loses the record but not the events; the client, never having had an answer,
 * sends the command again with the same key. Deriving the command's event ids (and the id of what it creates, when the
 * client gave none) from the key lets the service find what the first attempt wrote and answer with it, instead of
 * writing it twice (R1).
 */
import { createHash } from 'node:crypto';

/** A UUID (RFC 9562 version 8, "custom") from SHA-256 of the idempotency scope and a label. */
export function idFromScope(scope: string, label: string): string {
  const hash = createHash('sha256').update(`${scope}\u0000${label}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x80; // version 8
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80; // variant 10
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The id of the `index`-th event a command sent under this scope writes. */
export function eventIdFor(scope: string, index: number): string {
  return idFromScope(scope, `event ${index}`);
}
