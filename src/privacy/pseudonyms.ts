/**
 * Pseudonyms for person ids in evaluator reads and research exports: HMAC-SHA-256 under a server secret, stable
 * across reads and exports (so researchers can link records) but not reversible without the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { idInStream, streamIdOf } from '../domain/events';
import type { RecordedEvent } from '../store/eventStore';
import { PersonalDataVault } from './personalDataVault';

/** The secret's file in the data directory, unless LEDGER_PSEUDONYM_KEY_FILE names another. */
export const PSEUDONYM_SECRET_FILE = 'pseudonym-secret';

/** What a pseudonym looks like: `p-` and 20 hex digits of the HMAC. */
const PSEUDONYM = /^p-[0-9a-f]{20}$/;

export function isPseudonym(text: string): boolean {
  return PSEUDONYM.test(text);
}

export class Pseudonyms {
  private readonly cache = new Map<string, string>();

  constructor(private readonly secret: Buffer) {}

  /** Reads the secret from the data directory, creating it (owner-only) on first use. */
  static open(dataDir: string): Pseudonyms {
    return Pseudonyms.openFile(path.join(dataDir, PSEUDONYM_SECRET_FILE));
  }

  /**
   * Reads the secret from `file`, creating it (owner-only) on first use unless `mustExist`: a replica shares the
   * writer's secret, and one of its own would give every person other pseudonyms there.
   */
  static openFile(file: string, options: { mustExist?: boolean } = {}): Pseudonyms {
    if (!fs.existsSync(file)) {
      if (options.mustExist) throw new Error(`there is no pseudonym secret at ${file}`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return new Pseudonyms(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
  }

  of(personId: string): string {
    let p = this.cache.get(personId);
    if (p === undefined) {
      p = `p-${createHmac('sha256', this.secret).update(personId).digest('hex').slice(0, 20)}`;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(personId, p);
    }
    return p;
  }
}

/** The fields of event data (DOMAIN.md) that hold one person id, and those that hold a list of them. */
const PERSON_ID_FIELDS = new Set(['personId', 'submittedBy']);
const PERSON_ID_LIST_FIELDS = new Set(['attendeePersonIds']);

/**
 * An event as evaluators see it: every person id replaced by its pseudonym, in the data (at any depth, so that a
 * field nested in a correction is caught too), in a person stream's id and in the id of the person's data key.
 * Everything else, sealed personal data included, stays as stored.
 */
export function pseudonymisedEvent(event: RecordedEvent, pseudonyms: Pseudonyms): RecordedEvent {
  const rendered: RecordedEvent = { ...event, data: pseudonymisedData(event.data, pseudonyms) };
  if (event.streamId.startsWith(streamIdOf('person', ''))) {
    const personId = idInStream(event.streamId, 'person');
    rendered.streamId = streamIdOf('person', pseudonyms.of(personId));
    if (event.dataKeyId === PersonalDataVault.keyIdFor(personId))
      rendered.dataKeyId = PersonalDataVault.keyIdFor(pseudonyms.of(personId));
  }
  return rendered;
}

function pseudonymisedData(value: unknown, pseudonyms: Pseudonyms): unknown {
  if (Array.isArray(value)) return value.map((v) => pseudonymisedData(v, pseudonyms));
  if (value === null || typeof value !== 'object') return value;
  // fromEntries, not assignment: a key such as `__proto__` must stay a plain key.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (PERSON_ID_FIELDS.has(key) && typeof v === 'string') return [key, pseudonyms.of(v)];
      if (PERSON_ID_LIST_FIELDS.has(key) && Array.isArray(v))
        return [key, v.map((id) => (typeof id === 'string' ? pseudonyms.of(id) : id))];
      return [key, pseudonymisedData(v, pseudonyms)];
    }),
  );
}
