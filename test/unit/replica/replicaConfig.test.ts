/** The start-up checks of a replica's configuration: each missing or forbidden setting is an error naming its variable. */
import { ConfigError, loadConfig } from '../../../src/config';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../../src/audit/signedNote';

const verifierKey = encodeVerifierKey(
  'participation-ledger/writer',
  publicKeyFromPrivate(generateSigningKey()),
);

/** A replica's configuration that passes every check; each test takes one thing away or adds one. */
const replica: Record<string, string> = {
  LEDGER_ROLE: 'replica',
  LEDGER_WRITER_URL: 'http://writer.example:3000/',
  LEDGER_CHECKPOINT_VERIFIER_KEY: verifierKey,
  LEDGER_SQLITE_EVENTS_FILE: '/shared/events.sqlite',
  LEDGER_EVENT_SEAL_KEY_FILE: '/shared/event-seal-key',
  LEDGER_PERSONAL_KEYS_FILE: '/shared/personal-data-keys.sqlite',
  LEDGER_PSEUDONYM_KEY_FILE: '/shared/pseudonym-secret',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('a replica’s configuration', () => {
  test('the complete one is accepted, the writer URL without its trailing slash', () => {
    const config = loadConfig(replica);
    expect(config).toMatchObject({
      role: 'replica',
      writerUrl: 'http://writer.example:3000',
      checkpointVerifierKey: verifierKey,
      sqliteEventsFile: '/shared/events.sqlite',
      personalKeysFile: '/shared/personal-data-keys.sqlite',
      pseudonymKeyFile: '/shared/pseudonym-secret',
    });
  });

  test('a writer needs none of it', () => {
    expect(loadConfig({}).role).toBe('writer');
  });

  test.each([
    'LEDGER_WRITER_URL',
    'LEDGER_CHECKPOINT_VERIFIER_KEY',
    'LEDGER_SQLITE_EVENTS_FILE',
    'LEDGER_EVENT_SEAL_KEY_FILE',
    'LEDGER_PERSONAL_KEYS_FILE',
    'LEDGER_PSEUDONYM_KEY_FILE',
  ])('without %s it does not start, and the message names the variable', (variable) => {
    const { [variable]: _left, ...rest } = replica;
    expect(refusal(rest)).toMatch(new RegExp(`^invalid ${variable}: required when LEDGER_ROLE=replica`));
  });

  test('an EventStoreDB replica needs no SQLite events file', () => {
    const { LEDGER_SQLITE_EVENTS_FILE: _file, ...rest } = replica;
    const config = loadConfig({
      ...rest,
      LEDGER_EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
    });
    expect(config.role).toBe('replica');
  });

  test("the writer's signing key configured on a replica is refused, naming the variable", () => {
    expect(refusal({ ...replica, LEDGER_CHECKPOINT_KEY_FILE: '/keys/checkpoint-signing-key.pem' })).toMatch(
      /^invalid LEDGER_CHECKPOINT_KEY_FILE: a replica never holds the writer's signing key/,
    );
  });

  test.each([
    ['not a key at all', 'hello'],
    ['a key id that does not match', verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')],
    ['a truncated key', verifierKey.slice(0, -4)],
  ])('a verifier key that does not parse (%s) is refused, naming the variable', (_what, key) => {
    expect(refusal({ ...replica, LEDGER_CHECKPOINT_VERIFIER_KEY: key })).toMatch(
      /^invalid LEDGER_CHECKPOINT_VERIFIER_KEY: /,
    );
  });

  test('a writer URL that is not http(s) is refused', () => {
    expect(refusal({ ...replica, LEDGER_WRITER_URL: 'ftp://writer.example' })).toMatch(
      /^invalid LEDGER_WRITER_URL/,
    );
  });
});
