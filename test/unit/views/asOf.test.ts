/** `asOf` as reads take it: a position, or an RFC 3339 timestamp that names an instant of the calendar. */
import { parseAsOf, parsePosition, parseTimestamp } from '../../../src/views/asOf';

describe('parsePosition', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['-1', -1],
    ['9007199254740991', 9007199254740991],
  ])('reads %s', (raw, position) => {
    expect(parsePosition(raw)).toBe(position);
  });

  it.each(['', '05', '00', '-0', '-2', '+1', '1.0', '1e3', '0x1f', ' 1', '1 ', '9007199254740992', '١'])(
    'refuses %j',
    (raw) => {
      expect(parsePosition(raw)).toBeUndefined();
    },
  );
});

describe('parseTimestamp', () => {
  it.each([
    ['2021-03-01T12:00:00Z', '2021-03-01T12:00:00.000Z'],
    ['2021-03-01T12:00:00+01:00', '2021-03-01T11:00:00.000Z'],
    ['2021-03-01T00:30:00-02:30', '2021-03-01T03:00:00.000Z'],
    ['2021-03-01T12:00:00-00:00', '2021-03-01T12:00:00.000Z'],
    ['2021-03-01T12:00:00.5Z', '2021-03-01T12:00:00.500Z'],
    // recordedAt has milliseconds: the rest of the fraction is cut, which keeps "recordedAt ≤ T" exact.
    ['2021-03-01T12:00:00.123999999Z', '2021-03-01T12:00:00.123Z'],
    ['2020-02-29T23:59:59Z', '2020-02-29T23:59:59.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (raw, iso) => {
    expect(parseTimestamp(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    '2021-02-29T00:00:00Z',
    '2021-04-31T00:00:00Z',
    '2021-13-01T00:00:00Z',
    '2021-03-00T00:00:00Z',
    '2021-03-01T24:00:00Z',
    '2021-03-01T23:60:00Z',
    '2021-03-01T23:59:60Z',
    '2021-03-01T12:00:00+24:00',
    '2021-03-01T12:00:00+01:60',
    '2021-03-01T12:00:00+0100',
    '2021-03-01T12:00:00',
    '2021-03-01T12:00Z',
    '2021-03-01t12:00:00z',
    '2021-03-01 12:00:00Z',
    '2021-03-01T12:00:00.Z',
    '2021-03-01T12:00:00.1234567890Z',
    '2021-03-01',
    '20210301T120000Z',
  ])('refuses %s', (raw) => {
    expect(parseTimestamp(raw)).toBeUndefined();
  });
});

describe('parseAsOf', () => {
  it('tells a position from a time', () => {
    expect(parseAsOf('12')).toEqual({ kind: 'position', position: 12 });
    expect(parseAsOf('2021-03-01T12:00:00Z')).toEqual({
      kind: 'time',
      time: new Date('2021-03-01T12:00:00Z'),
    });
  });

  it.each([
    ['05', /^is not a position: /],
    ['2021-02-30T00:00:00Z', /^is not a moment of the calendar: /],
    ['2021-03-01', /^is a date alone, which names no moment: .*2021-03-01T23:59:59\+01:00/],
    ['yesterday', /^must be a global position .* or a timestamp such as /],
  ])('says why %s is refused', (raw, reason) => {
    const parsed = parseAsOf(raw);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' ? parsed.reason : '').toMatch(reason);
  });
});
