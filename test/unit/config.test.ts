import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      eventStore: 'sqlite',
      apiTokens: undefined,
      citizenInitiativeThreshold: 300,
      rateLimit: { anonymousPerMinute: 1200, authenticatedPerMinute: 0, failedAuthPerMinute: 20 },
      timeouts: { headersMs: 10_000, requestMs: 30_000 },
      liveFeeds: { perToken: 10, total: 100 },
      logLevel: 'info',
    });
  });

  test('tokens: several per role', () => {
    const c = loadConfig({
      LEDGER_API_TOKENS:
        'admin=aaaaaaaaaaaaaaaaaaaa, clerk=bbbbbbbbbbbbbbbbbbbb,clerk=cccccccccccccccccccc,evaluator=dddddddddddddddddddd',
    });
    expect(c.apiTokens?.map((t) => t.role)).toEqual(['admin', 'clerk', 'clerk', 'evaluator']);
  });

  test.each([
    ['PORT', 'eighty', /PORT.*port number/],
    ['PORT', '70000', /PORT/],
    ['LEDGER_EVENT_STORE', 'postgres', /LEDGER_EVENT_STORE.*sqlite or eventstoredb/],
    ['LEDGER_API_TOKENS', 'root=xxxxxxxxxxxxxxxxxxxxx', /LEDGER_API_TOKENS.*role=token/],
    ['LEDGER_API_TOKENS', 'admin=short', /LEDGER_API_TOKENS/],
    ['LEDGER_CITIZEN_INITIATIVE_THRESHOLD', '-3', /LEDGER_CITIZEN_INITIATIVE_THRESHOLD/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL.*accepts/],
    ['LEDGER_RATE_LIMIT_FAILED_AUTH', '-1', /LEDGER_RATE_LIMIT_FAILED_AUTH.*failed authentications/],
    ['LEDGER_HEADERS_TIMEOUT_SECONDS', '0', /LEDGER_HEADERS_TIMEOUT_SECONDS.*seconds/],
    ['LEDGER_REQUEST_TIMEOUT_SECONDS', '1.5', /LEDGER_REQUEST_TIMEOUT_SECONDS.*seconds/],
    [
      'LEDGER_HEADERS_TIMEOUT_SECONDS',
      '40',
      /LEDGER_HEADERS_TIMEOUT_SECONDS.*must not exceed LEDGER_REQUEST/,
    ],
    ['LEDGER_LIVE_FEEDS_PER_TOKEN', '0', /LEDGER_LIVE_FEEDS_PER_TOKEN.*live feeds ≥ 1/],
    ['LEDGER_LIVE_FEEDS_TOTAL', 'many', /LEDGER_LIVE_FEEDS_TOTAL.*live feeds ≥ 1/],
    ['EVENTSTORE_CONNECTION_STRING', 'http://x', /EVENTSTORE_CONNECTION_STRING.*esdb/],
  ])('%s=%s is refused with a line naming the variable', (name, value, pattern) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(pattern);
  });

  test('eventstoredb needs a connection string', () => {
    expect(() => loadConfig({ LEDGER_EVENT_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_CONNECTION_STRING/);
  });
});
