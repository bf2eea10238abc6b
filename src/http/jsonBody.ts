/**
 * Reading JSON request bodies (QUALITY.md S4). Only the routes that take a body read one, after authentication,
 * the rate limit and their role check: a caller who may not send a body costs no parsing. Before JSON.parse,
 * one pass over the raw bytes refuses bodies nested too deep or holding too many elements, which cost the parser
 * far more time and memory than their size suggests.
 */
import express, { type RequestHandler } from 'express';
import { problems } from './problem';

/** 1 MB, the body limit, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Nesting levels of arrays and objects; command bodies use three or four. */
export const MAX_DEPTH = 32;
/** Array items and object members in the whole body. */
export const MAX_ELEMENTS = 100_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Throws the problem for the first limit the JSON text breaks. Elements are counted as the commas between them
 * plus one for each non-empty array or object; bytes inside strings do not count. Malformed text is measured as
 * far as it goes (JSON.parse then refuses it). The bytes are UTF-8, where no byte of a multi-byte character can be
 * mistaken for a quote or a bracket.
 */
export function checkJsonLimits(
  bytes: Uint8Array,
  { maxDepth = MAX_DEPTH, maxElements = MAX_ELEMENTS } = {},
): void {
  let depth = 0;
  let elements = 0;
  let inString = false;
  let justOpened = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (isWhitespace(b)) continue;
    if (justOpened) {
      justOpened = false;
      if (b !== CLOSE_ARRAY && b !== CLOSE_OBJECT) elements++;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > maxDepth) {
        throw problems.bodyTooComplex(
          `The request body nests arrays and objects deeper than ${maxDepth} levels, the limit`,
          { limit: 'depth', maximum: maxDepth },
        );
      }
      justOpened = true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
    else if (b === COMMA) elements++;
    if (elements > maxElements) {
      throw problems.bodyTooComplex(
        `The request body holds more than ${maxElements} array items and object members, the limit`,
        { limit: 'elements', maximum: maxElements },
      );
    }
  }
}

/**
 * The one JSON body reader: put it on a route after the role check. Bodies must be UTF-8 (RFC 8259 §8.1); any
 * JSON value is accepted at the top, and the route says what it wants.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const parseJson = express.json({
  limit: BODY_LIMIT_BYTES,
  strict: false,
  type: ['application/json', 'application/*+json'],
  verify: (_req, _res, bytes, encoding) => {
    if (encoding !== 'utf-8' && encoding !== 'utf8')
      throw problems.badRequest('The request body must be UTF-8 JSON');
    checkJsonLimits(bytes);
    // body-parser would decode bad bytes as U+FFFD, so what is stored would not be what was sent.
    try {
      strictUtf8.decode(bytes);
    } catch {
      throw problems.badRequest('The request body is not valid UTF-8');
    }
  },
});

/**
 * A body whose Content-Length alone is over the limit is refused before a byte of it is read. body-parser would
 * refuse it too, but only after draining the stream, which a client announcing gigabytes and sending nothing holds
 * open until the request timeout. The problem handler closes the connection after the answer, the body unread.
 */
const declaredLength: RequestHandler = (req, _res, next) => {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
    next(problems.tooLarge());
    return;
  }
  next();
};

export const jsonBody: RequestHandler[] = [declaredLength, parseJson];
