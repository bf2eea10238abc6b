/**
 * R5's hostile requests, as fast-check generators: bodies for every command route (anything JSON, or plausible
 * field names with hostile values: SQL and JSON injection strings, huge and broken strings, bad dates, wrong types,
 * unknown fields), hostile path ids, queries and credentials for every read route, and malformed payloads (broken
 * JSON, wrong content types, deep nesting, huge strings). test/api/fuzz.test.ts sends them to the app in process;
 * `npm run drill -- fuzz` (bench/drills/fuzz.ts) sends them to the built server as a process.
 */
import fc from 'fast-check';
import { DASHBOARD_PAGES } from '../../src/http/dashboard';
import { operations, servedPathOf } from '../../src/http/operations';
import type { DrillTokens } from './drillServer';

/** The routes that take a body: every command, from the declared operations. */
export const bodyRoutes = operations.filter((o) => o.method === 'post' && o.body !== undefined);

export const hostileStrings = [
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '\u0000\u0001\u0002',
  '\ud800',
  '9'.repeat(400),
  '2021-02-30',
  '0000-00-00',
  '-1',
  'NaN',
  '1e309',
  'æøå'.repeat(2000),
  '😀'.repeat(5000),
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, -1e308, [], {}),
  fc.string({ maxLength: 50 }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A body: anything JSON, or an object built from plausible field names with hostile values. */
export const fieldNames = [
  'name',
  'areas',
  'kind',
  'seats',
  'email',
  'phone',
  'birthYear',
  'area',
  'erasedOn',
  'reason',
  'arenaId',
  'theme',
  'mandate',
  'coCreationForm',
  'period',
  'establishedBy',
  'personId',
  'role',
  'actorGroup',
  'representationBasis',
  'appointedOn',
  'leftOn',
  'year',
  'amountNok',
  'dissolvedOn',
  'title',
  'committeeIds',
  'startedOn',
  'phase',
  'committeeId',
  'heldOn',
  'attendeeCount',
  'attendeePersonIds',
  'agendaProposalIds',
  'processId',
  'description',
  'origin',
  'submittedBy',
  'submittedOn',
  'amendedOn',
  'supportedOn',
  'withdrawnOn',
  'outcome',
  'text',
  'voteId',
  'grantNok',
  'decidedOn',
  'toBodyId',
  'caseNumber',
  'referredOn',
  'summary',
  'votesFor',
  'votesAgainst',
  'status',
  'progressPct',
  'note',
  'reportedOn',
  'proposalId',
  'meetingId',
  'question',
  'rule',
  'openedOn',
  'choice',
  'castOn',
  'closedOn',
  'id',
  '__proto__',
  'constructor',
  'extra',
];
export const bodyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 12 }),
);

/** URL-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes a careless client would send. */
export function percentEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

export const pathIdArb = fc.oneof(
  fc.uuid(),
  fc.constantFrom('x', '1', '..%2f..', '%00', "1'OR'1'='1", 'null'),
);

/** Two or three path ids: hostile ones, or 'committee' / 'proposal' for a real record's (see concretePath). */
export const pathIdsArb = (n: number): fc.Arbitrary<string[]> =>
  fc.array(fc.oneof(pathIdArb, fc.constantFrom('committee', 'proposal')), { minLength: n, maxLength: n });

/** The template with its parameters filled from `ids`, 'committee' and 'proposal' standing for the real records'. */
export function concretePath(
  template: string,
  ids: readonly string[],
  known: { committeeId: string; proposalId: string },
): string {
  let i = 0;
  return template.replace(/:([A-Za-z]+)/g, () => {
    const pick = ids[i++ % ids.length] as string;
    return encodeURIComponent(
      pick === 'committee' ? known.committeeId : pick === 'proposal' ? known.proposalId : pick,
    );
  });
}

/** Every GET served, mount included: the declared operations and the dashboard's pages. */
export const readPaths = (): string[] => [
  ...operations.filter((o) => o.method === 'get').map(servedPathOf),
  ...DASHBOARD_PAGES,
];

const queryKeys = [
  'asOf',
  'minPosition',
  'from',
  'to',
  'limit',
  'cursor',
  'committeeId',
  'stage',
  'origin',
  'theme',
  'groupBy',
  'position',
  'treeSize',
  'fromSize',
  'format',
  'proposalId',
  '__proto__',
  'constructor',
  'x',
];
const queryValue = fc.oneof(
  fc.constantFrom(...hostileStrings.map((v) => v.slice(0, 300))),
  fc.constantFrom(
    '-1',
    '0',
    '05',
    '1e3',
    '0x10',
    '2021-02-30T00:00:00Z',
    '2021-05-01',
    '9'.repeat(30),
    'csv',
    'ndjson',
  ),
  fc.integer({ min: -5, max: 100_000 }).map(String),
  fc.string({ maxLength: 40 }),
);
const query = fc
  .array(fc.tuple(fc.constantFrom(...queryKeys), queryValue), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${percentEncoded(v)}`).join('&'));
const rawJunk = fc.constantFrom(
  '',
  '%',
  '%zz',
  '%00',
  '&&&',
  '=',
  'asOf',
  'asOf=1&asOf=2',
  'a[b]=c',
  '%E2%80%AE',
);

/** A query string (without the '?'): generated pairs of known and hostile keys and values, or raw junk. */
export const queryArb: fc.Arbitrary<string> = fc.oneof(query, rawJunk);

/** Request headers: no credentials, each role's, unknown, malformed, and hostile Last-Event-IDs. */
export const credentialsArb = (tokens: DrillTokens): fc.Arbitrary<Record<string, string>> =>
  fc.constantFrom<Record<string, string>>(
    {},
    { Authorization: `Bearer ${tokens.admin}` },
    { Authorization: `Bearer ${tokens.evaluator}` },
    { Authorization: `Bearer ${tokens.clerk}` },
    { Authorization: 'Bearer not-a-token-at-all-0000' },
    { Authorization: 'Basic YWRtaW46YWRtaW4=' },
    { Authorization: 'Bearer ' },
    { Authorization: `Bearer ${tokens.evaluator}`, 'Last-Event-ID': '-5' },
    { Authorization: `Bearer ${tokens.evaluator}`, 'Last-Event-ID': '99999999999999999999' },
  );

/** Malformed payloads for POST /proposals, each with its content type (JSON when none is given). */
export function malformedPayloads(committeeId: string): Array<[string, string?]> {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
  return [
    ['{"title": '],
    ['not json at all'],
    [''],
    ['null'],
    ['[]'],
    ['"a string"'],
    [deep],
    [deepObject],
    [JSON.stringify({ title: 'x'.repeat(900_000) })],
    [
      JSON.stringify({
        committeeId,
        title: 'x',
        description: 'y',
        origin: 'resident',
        submittedOn: '2021-01-01',
        extra: 1,
      }),
    ],
    ['{"a":1}', 'text/plain'],
    ['<xml/>', 'application/xml'],
    ['a=1&b=2', 'application/x-www-form-urlencoded'],
    [JSON.stringify({ name: 'x' }), 'application/json; charset=latin1'],
  ];
}

/** A valid proposal whose title holds bytes that are not UTF-8: refused with a 400, not stored as U+FFFD. */
export function notUtf8Proposal(committeeId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(`{"committeeId":"${committeeId}","title":"`),
      Buffer.from([0xff, 0xfe, 0xc0, 0xa2]),
      Buffer.from('","description":"y","origin":"resident","submittedOn":"2021-01-01"}'),
    ]),
  );
}

/** What must never reach a client: a stack frame, a module path, a source position. */
export const LEAKED_INTERNALS = /\n\s+at |node_modules|\.ts:\d+/;
