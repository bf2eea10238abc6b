/**
 * Standard base64 (RFC 4648 §4) for the browser, in its one canonical spelling: atob alone accepts missing padding,
 * whitespace and stray bits, so a changed character could decode to the same bytes and go unnoticed.
 */

/** Bytes whose buffer is a plain ArrayBuffer, as WebCrypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

const ALPHABET = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of a canonical base64 text, or null for anything else (including a text longer than maxBytes allows). */
export function decodeBase64(text: unknown, maxBytes: number): Bytes | null {
  if (typeof text !== 'string' || text.length > Math.ceil(maxBytes / 3) * 4 || !ALPHABET.test(text))
    return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return encodeBase64(bytes) === text ? bytes : null; // the unused low bits of the last character must be zero
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
