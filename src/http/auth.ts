/**
 * Bearer tokens and roles (API.md "Auth"). Tokens are kept only as SHA-256 hashes and compared in constant time.
 * With no LEDGER_API_TOKENS configured, the first start generates an admin token, prints it once, and stores its
 * hash in the data directory.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import type { Role } from '../config';
import { problems } from './problem';
import { addressOf, TokenBuckets } from './rateLimit';

export type CallerRole = Role | 'anonymous';

export interface Caller {
  role: CallerRole;
  /** Stable, non-secret name of the token: the role and the first 12 hex digits of its hash. */
  principal: string;
}

interface TokenEntry {
  role: Role;
  sha256: Buffer;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export class TokenRegistry {
  constructor(private readonly entries: TokenEntry[]) {}

  static fromPlainTokens(tokens: Array<{ role: Role; token: string }>): TokenRegistry {
    return new TokenRegistry(tokens.map((t) => ({ role: t.role, sha256: sha256(t.token) })));
  }

  /** Checks every entry, whatever matches, so the time taken does not tell which (or whether) one did. */
  authenticate(token: string): Caller | undefined {
    const presented = sha256(token);
    let found: TokenEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.sha256, presented) && !found) found = entry;
    }
    return found
      ? { role: found.role, principal: `${found.role}:${found.sha256.toString('hex').slice(0, 12)}` }
      : undefined;
  }

  get size(): number {
    return this.entries.length;
  }
}

const TOKEN_FILE = 'api-tokens.json';

interface TokenFile {
  tokens: Array<{ role: Role; sha256: string; createdAt: string; label?: string }>;
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function readTokenFile(dataDir: string): TokenFile | undefined {
  const file = path.join(dataDir, TOKEN_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TokenFile;
}

/** Adds a token's hash to the data directory's token file (created with owner-only permissions). */
export function storeTokenHash(dataDir: string, role: Role, token: string, label?: string): void {
  const current = readTokenFile(dataDir) ?? { tokens: [] };
  current.tokens.push({
    role,
    sha256: sha256(token).toString('hex'),
    createdAt: new Date().toISOString(),
    label,
  });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, TOKEN_FILE), `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The tokens in force: the configured ones, or else those stored in the data directory; on a first start with
 * neither, a new admin token (returned once as `generatedAdminToken`). Its hash is stored only by `keepGenerated()`,
 * which the server calls once it listens and has shown the token: a start that fails before then keeps nothing, so
 * no token exists that nobody has seen. `generate: false` (a replica): no token is made, and without configured or
 * stored ones every caller is anonymous.
 */
export function loadTokens(
  configured: Array<{ role: Role; token: string }> | undefined,
  dataDir: string,
  options: { generate?: boolean } = {},
): { registry: TokenRegistry; generatedAdminToken?: string; keepGenerated(): void } {
  const nothingToKeep = (): void => undefined;
  if (configured && configured.length > 0) {
    return { registry: TokenRegistry.fromPlainTokens(configured), keepGenerated: nothingToKeep };
  }
  const stored = readTokenFile(dataDir);
  if (stored && stored.tokens.length > 0) {
    return {
      registry: new TokenRegistry(
        stored.tokens.map((t) => ({ role: t.role, sha256: Buffer.from(t.sha256, 'hex') })),
      ),
      keepGenerated: nothingToKeep,
    };
  }
  // A replica never makes a token of its own: every instance takes the same LEDGER_API_TOKENS, or serves anonymously.
  if (options.generate === false) return { registry: new TokenRegistry([]), keepGenerated: nothingToKeep };
  const token = generateToken();
  return {
    registry: TokenRegistry.fromPlainTokens([{ role: 'admin', token }]),
    generatedAdminToken: token,
    keepGenerated: () => storeTokenHash(dataDir, 'admin', token, 'generated on first start'),
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export interface AuthenticateOptions {
  /** Failed authentications allowed per address and minute, all at once if need be (0: no limit). */
  failedPerMinute?: number;
  now?: () => number;
}

/**
 * Sets `req.caller`: anonymous without a token, 401 for a token that is malformed or unknown, 400 for two
 * Authorization headers (Node keeps only the first). Failed authentications are counted per address: once an
 * address has used its budget, every request from it that carries a token is answered 429 without the token being
 * looked at, so a guesser cannot tell a right guess from a throttled one. Requests without a token still pass.
 */
export function authenticate(registry: TokenRegistry, options: AuthenticateOptions = {}): RequestHandler {
  const failures = new TokenBuckets(options.failedPerMinute ?? 0, 60, options.now);
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      req.caller = { role: 'anonymous', principal: 'anonymous' };
      next();
      return;
    }
    if ((req.headersDistinct.authorization?.length ?? 0) > 1) {
      next(problems.badRequest('Send one Authorization header, not several'));
      return;
    }
    const address = addressOf(req);
    const wait = failures.retryAfter(address);
    if (wait > 0) {
      next(problems.tooManyRequests(wait));
      return;
    }
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
    const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/i.exec(header);
    const caller = m?.[1] ? registry.authenticate(m[1]) : undefined;
    if (!caller) {
      failures.take(address);
      next(problems.unauthorized('The bearer token is missing, malformed or unknown'));
      return;
    }
    req.caller = caller;
    next();
  };
}

/** Lets through the given roles (admin always); anonymous callers get 401, other roles 403. */
export function requireRole(...allowed: Role[]): RequestHandler {
  // Admin may do everything, so it is named once, last: "the admin role", "the role clerk or admin".
  const roles = [...new Set<Role>([...allowed, 'admin'])];
  const needed =
    roles.length === 1
      ? `the ${roles.join('')} role`
      : `the role ${roles.slice(0, -1).join(', ')} or ${roles.slice(-1).join('')}`;
  return (req, _res, next) => {
    const role = req.caller?.role ?? 'anonymous';
    if (role === 'admin' || (allowed as string[]).includes(role)) next();
    else if (role === 'anonymous') next(problems.unauthorized(`This needs a bearer token with ${needed}`));
    else next(problems.forbidden(`Role ${role} may not do this; it needs ${needed}`));
  };
}
