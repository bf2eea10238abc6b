/**
 * The one configuration module: the environment, read through a zod schema once at start-up.
 * A bad value stops the process (exit code 2) with one line naming the variable and what it accepts.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseVerifierKey } from './audit/signedNote';

/** pino's levels, which LOG_LEVEL takes. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const tokenList = z.string().transform((s, ctx) => {
  const tokens: Array<{ role: Role; token: string }> = [];
  for (const part of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq);
    const token = part.slice(eq + 1);
    if (eq < 1 || !isRole(role) || token.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message:
          'accepts role=token pairs separated by commas; roles admin, clerk, evaluator; tokens of 16+ characters',
      });
      return z.NEVER;
    }
    tokens.push({ role, token });
  }
  return tokens;
});

/** Exact origins (scheme, host, port: `https://dashboard.example.no`), separated by commas. */
const originList = z.string().transform((s, ctx) => {
  const origins: string[] = [];
  for (const part of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    // A browser never sends `*` in a host, so a wildcard would match nothing: refusing it tells the operator so.
    if (
      !URL.canParse(part) ||
      new URL(part).origin !== part ||
      !/^https?:/.test(part) ||
      part.includes('*')
    ) {
      ctx.addIssue({
        code: 'custom',
        message:
          'accepts origins separated by commas, each written exactly as a browser sends it: http(s)://host[:port], no path, trailing slash or wildcard',
      });
      return z.NEVER;
    }
    origins.push(part);
  }
  return origins;
});

export const roles = ['admin', 'clerk', 'evaluator'] as const;
export type Role = (typeof roles)[number];
function isRole(s: string): s is Role {
  return (roles as readonly string[]).includes(s);
}

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: 'accepts a TCP port number 0–65535' })
    .int({ message: 'accepts a TCP port number 0–65535' })
    .min(0, { message: 'accepts a TCP port number 0–65535' })
    .max(65535, { message: 'accepts a TCP port number 0–65535' })
    .default(3000),
  HOST: z.string().min(1, { message: 'accepts a host name or IP address' }).default('127.0.0.1'),
  LEDGER_DATA_DIR: z.string().min(1, { message: 'accepts a directory path' }).default('./data'),
  LEDGER_EVENT_STORE: z
    .enum(['sqlite', 'eventstoredb'], { message: 'accepts sqlite or eventstoredb' })
    .default('sqlite'),
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//, {
      message: 'accepts an esdb:// (or esdb+discover://) connection string',
    })
    .optional(),
  LEDGER_API_TOKENS: tokenList.optional(),
  LEDGER_CITIZEN_INITIATIVE_THRESHOLD: z.coerce
    .number({ message: 'accepts a whole number of supports ≥ 1' })
    .int({ message: 'accepts a whole number of supports ≥ 1' })
    .min(1, { message: 'accepts a whole number of supports ≥ 1' })
    .default(300),
  LEDGER_CHECKPOINT_KEY_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_EVENT_SEAL_KEY_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_CHECKPOINT_JOURNAL_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_CHECKPOINT_ORIGIN: z
    .string()
    .regex(/^[\x21-\x2a\x2c-\x7e]{1,200}$/, {
      message: 'accepts 1–200 visible ASCII characters without spaces or "+" (it names the signing key)',
    })
    .optional(),
  LEDGER_CHECKPOINT_EVERY_EVENTS: z.coerce
    .number({ message: 'accepts a whole number of events ≥ 1' })
    .int({ message: 'accepts a whole number of events ≥ 1' })
    .min(1, { message: 'accepts a whole number of events ≥ 1' })
    .default(1000),
  LEDGER_CHECKPOINT_EVERY_SECONDS: z.coerce
    .number({ message: 'accepts a whole number of seconds ≥ 1' })
    .int({ message: 'accepts a whole number of seconds ≥ 1' })
    .min(1, { message: 'accepts a whole number of seconds ≥ 1' })
    .max(86400, { message: 'accepts a whole number of seconds ≥ 1 (at most 86400)' })
    .default(60),
  LEDGER_RATE_LIMIT_ANONYMOUS: z.coerce
    .number({ message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .int({ message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .min(0, { message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .default(1200),
  LEDGER_RATE_LIMIT_TOKEN: z.coerce
    .number({ message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .int({ message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .min(0, { message: 'accepts a whole number of requests per minute ≥ 0 (0: no limit)' })
    .default(0),
  LEDGER_RATE_LIMIT_FAILED_AUTH: z.coerce
    .number({ message: 'accepts a whole number of failed authentications per minute ≥ 0 (0: no limit)' })
    .int({ message: 'accepts a whole number of failed authentications per minute ≥ 0 (0: no limit)' })
    .min(0, { message: 'accepts a whole number of failed authentications per minute ≥ 0 (0: no limit)' })
    .default(20),
  LEDGER_HEADERS_TIMEOUT_SECONDS: z.coerce
    .number({ message: 'accepts a whole number of seconds 1–3600' })
    .int({ message: 'accepts a whole number of seconds 1–3600' })
    .min(1, { message: 'accepts a whole number of seconds 1–3600' })
    .max(3600, { message: 'accepts a whole number of seconds 1–3600' })
    .default(10),
  LEDGER_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number({ message: 'accepts a whole number of seconds 1–3600' })
    .int({ message: 'accepts a whole number of seconds 1–3600' })
    .min(1, { message: 'accepts a whole number of seconds 1–3600' })
    .max(3600, { message: 'accepts a whole number of seconds 1–3600' })
    .default(30),
  LEDGER_LIVE_FEEDS_PER_TOKEN: z.coerce
    .number({ message: 'accepts a whole number of live feeds ≥ 1' })
    .int({ message: 'accepts a whole number of live feeds ≥ 1' })
    .min(1, { message: 'accepts a whole number of live feeds ≥ 1' })
    .default(10),
  LEDGER_LIVE_FEEDS_TOTAL: z.coerce
    .number({ message: 'accepts a whole number of live feeds ≥ 1' })
    .int({ message: 'accepts a whole number of live feeds ≥ 1' })
    .min(1, { message: 'accepts a whole number of live feeds ≥ 1' })
    .default(100),
  LEDGER_CORS_ORIGINS: originList.optional(),
  LEDGER_WITNESS_POLICY_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_ROLE: z.enum(['writer', 'replica'], { message: 'accepts writer or replica' }).default('writer'),
  LEDGER_CHECKPOINT_VERIFIER_KEY: z
    .string()
    .min(1, { message: "accepts the writer's verifier key (name+hash+key, as `ledger serve` prints it)" })
    .optional(),
  LEDGER_SQLITE_EVENTS_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_PERSONAL_KEYS_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_PSEUDONYM_KEY_FILE: z.string().min(1, { message: 'accepts a file path' }).optional(),
  LEDGER_WRITER_URL: z
    .string()
    .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), {
      message: "accepts the writer's base URL, http(s)://host[:port]",
    })
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: 'accepts fatal, error, warn, info, debug, trace or silent' })
    .default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStore: 'sqlite' | 'eventstoredb';
  eventStoreConnectionString: string | undefined;
  apiTokens: Array<{ role: Role; token: string }> | undefined;
  citizenInitiativeThreshold: number;
  /** The checkpoint signing key (PEM); unset: checkpoint-signing-key.pem in the data dir, created on first start. */
  checkpointKeyFile: string | undefined;
  /** The key that seals every appended event; unset: event-seal-key in the data dir, created with a new ledger. */
  sealKeyFile: string | undefined;
  /** The second copy of the signed checkpoint history; unset: checkpoint-journal.ndjson in the data dir. */
  checkpointJournalFile: string | undefined;
  /** The log's name in checkpoints; unset: the one fixed at first start (participation-ledger/<host name>). */
  checkpointOrigin: string | undefined;
  checkpointEveryEvents: number;
  checkpointEverySeconds: number;
  /**
   * Requests per minute per address for callers without a token, per token, and failed authentications per
   * address (0: no limit).
   */
  rateLimit: { anonymousPerMinute: number; authenticatedPerMinute: number; failedAuthPerMinute: number };
  /**
   * How long a client may take to send a request's headers, and the whole request with its body; slower ones are
   * answered 408 and cut off. Responses are not timed: the live feed stays open.
   */
  timeouts: { headersMs: number; requestMs: number };
  /** Live feeds (SSE) open at once per token, and in all. */
  liveFeeds: { perToken: number; total: number };
  /** Origins whose pages may call the API from a browser (CORS); empty: none but the server's own. */
  corsOrigins: string[];
  /**
   * A tlog-policy file naming the witnesses asked to cosign every checkpoint (`witness <name> <vkey> <url>`) and the
   * quorum; unset: no witnesses are asked.
   */
  witnessPolicyFile: string | undefined;
  /**
   * `writer` (default) takes commands and signs checkpoints; a `replica` follows the store, keeps its own views and
   * Merkle tree, serves every read, and answers commands with a problem naming the writer (docs/deploy.md).
   */
  role: 'writer' | 'replica';
  /**
   * The writer's checkpoint verifier key (signed-note vkey): a replica serves only checkpoints that verify under it
   * and whose root its own tree reproduces. Required for a replica, which never holds the signing key.
   */
  checkpointVerifierKey: string | undefined;
  /** The SQLite events file; unset: events.sqlite in the data dir. A SQLite replica opens the writer's, read-only. */
  sqliteEventsFile: string | undefined;
  /** The personal-data key store; unset: personal-data-keys.sqlite in the data dir. Replicas share the writer's. */
  personalKeysFile: string | undefined;
  /** The pseudonym secret; unset: pseudonym-secret in the data dir. Every instance must share one (same pseudonyms). */
  pseudonymKeyFile: string | undefined;
  /** The writer's base URL: where a replica sends clients' commands and fetches the signed checkpoints it serves. */
  writerUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; empty strings count as unset so `PORT=` falls back to the default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`invalid ${variable}: ${issue?.message ?? 'bad value'}`);
  }
  const e = parsed.data;
  if (e.LEDGER_EVENT_STORE === 'eventstoredb' && !e.EVENTSTORE_CONNECTION_STRING) {
    throw new ConfigError(
      'invalid EVENTSTORE_CONNECTION_STRING: required when LEDGER_EVENT_STORE=eventstoredb (accepts an esdb:// connection string)',
    );
  }
  if (e.LEDGER_ROLE === 'replica' && !e.LEDGER_WRITER_URL) {
    throw new ConfigError(
      "invalid LEDGER_WRITER_URL: required when LEDGER_ROLE=replica (accepts the writer's base URL, http(s)://host[:port])",
    );
  }
  if (e.LEDGER_ROLE === 'replica') replicaChecks(e);
  if (e.LEDGER_HEADERS_TIMEOUT_SECONDS > e.LEDGER_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(
      'invalid LEDGER_HEADERS_TIMEOUT_SECONDS: must not exceed LEDGER_REQUEST_TIMEOUT_SECONDS (the headers are part of the request)',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.LEDGER_DATA_DIR),
    eventStore: e.LEDGER_EVENT_STORE,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    apiTokens: e.LEDGER_API_TOKENS,
    citizenInitiativeThreshold: e.LEDGER_CITIZEN_INITIATIVE_THRESHOLD,
    checkpointKeyFile: e.LEDGER_CHECKPOINT_KEY_FILE ? path.resolve(e.LEDGER_CHECKPOINT_KEY_FILE) : undefined,
    sealKeyFile: e.LEDGER_EVENT_SEAL_KEY_FILE ? path.resolve(e.LEDGER_EVENT_SEAL_KEY_FILE) : undefined,
    checkpointJournalFile: e.LEDGER_CHECKPOINT_JOURNAL_FILE
      ? path.resolve(e.LEDGER_CHECKPOINT_JOURNAL_FILE)
      : undefined,
    checkpointOrigin: e.LEDGER_CHECKPOINT_ORIGIN,
    checkpointEveryEvents: e.LEDGER_CHECKPOINT_EVERY_EVENTS,
    checkpointEverySeconds: e.LEDGER_CHECKPOINT_EVERY_SECONDS,
    rateLimit: {
      anonymousPerMinute: e.LEDGER_RATE_LIMIT_ANONYMOUS,
      authenticatedPerMinute: e.LEDGER_RATE_LIMIT_TOKEN,
      failedAuthPerMinute: e.LEDGER_RATE_LIMIT_FAILED_AUTH,
    },
    timeouts: {
      headersMs: e.LEDGER_HEADERS_TIMEOUT_SECONDS * 1000,
      requestMs: e.LEDGER_REQUEST_TIMEOUT_SECONDS * 1000,
    },
    liveFeeds: { perToken: e.LEDGER_LIVE_FEEDS_PER_TOKEN, total: e.LEDGER_LIVE_FEEDS_TOTAL },
    corsOrigins: e.LEDGER_CORS_ORIGINS ?? [],
    witnessPolicyFile: e.LEDGER_WITNESS_POLICY_FILE ? path.resolve(e.LEDGER_WITNESS_POLICY_FILE) : undefined,
    role: e.LEDGER_ROLE,
    checkpointVerifierKey: e.LEDGER_CHECKPOINT_VERIFIER_KEY,
    sqliteEventsFile: e.LEDGER_SQLITE_EVENTS_FILE ? path.resolve(e.LEDGER_SQLITE_EVENTS_FILE) : undefined,
    personalKeysFile: e.LEDGER_PERSONAL_KEYS_FILE ? path.resolve(e.LEDGER_PERSONAL_KEYS_FILE) : undefined,
    pseudonymKeyFile: e.LEDGER_PSEUDONYM_KEY_FILE ? path.resolve(e.LEDGER_PSEUDONYM_KEY_FILE) : undefined,
    writerUrl: e.LEDGER_WRITER_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * A replica verifies the writer's checkpoints and never signs, so it needs the writer's verifier key and must not be
 * given the signing key. It shares the writer's files rather than making its own (docs/deploy.md, "Replicas"): a
 * replica that created its own seal key, personal-data key store or pseudonym secret would quietly disagree with the
 * writer (refuse every event, show erased names, give other pseudonyms), so each must be named.
 */
function replicaChecks(e: z.infer<typeof envSchema>): void {
  if (e.LEDGER_CHECKPOINT_KEY_FILE !== undefined) {
    throw new ConfigError(
      "invalid LEDGER_CHECKPOINT_KEY_FILE: a replica never holds the writer's signing key (only the writer signs); unset it and set LEDGER_CHECKPOINT_VERIFIER_KEY",
    );
  }
  if (e.LEDGER_CHECKPOINT_VERIFIER_KEY === undefined) {
    throw new ConfigError(
      "invalid LEDGER_CHECKPOINT_VERIFIER_KEY: required when LEDGER_ROLE=replica (the writer's verifier key, name+hash+key, as `ledger serve` prints it)",
    );
  }
  try {
    parseVerifierKey(e.LEDGER_CHECKPOINT_VERIFIER_KEY);
  } catch (error) {
    throw new ConfigError(`invalid LEDGER_CHECKPOINT_VERIFIER_KEY: ${(error as Error).message}`);
  }
  const shared: Array<[keyof typeof e, string]> = [
    ['LEDGER_EVENT_SEAL_KEY_FILE', "the writer's event seal key, with which the replica checks every event"],
    ['LEDGER_PERSONAL_KEYS_FILE', "the writer's personal-data key store, opened read-only"],
    [
      'LEDGER_PSEUDONYM_KEY_FILE',
      "the writer's pseudonym secret, so that pseudonyms are the same everywhere",
    ],
  ];
  if (e.LEDGER_EVENT_STORE === 'sqlite')
    shared.unshift(['LEDGER_SQLITE_EVENTS_FILE', "the writer's events file, opened read-only"]);
  for (const [variable, what] of shared) {
    if (e[variable] === undefined) {
      throw new ConfigError(`invalid ${variable}: required when LEDGER_ROLE=replica (${what})`);
    }
  }
}

/** Every environment variable the configuration reads, in the order the schema declares them (for `--help`). */
export const environmentVariables: readonly string[] = Object.keys(envSchema.shape);
