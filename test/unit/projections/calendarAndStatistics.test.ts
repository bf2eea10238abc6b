import { addCalendarMonths, daysBetween, isWithin, yearOf } from '../../../projections/calendar';
import { median, rate } from '../../../projections/statistics';

describe('calendar days between business dates', () => {
  it.each([
    ['2021-03-01', '2021-03-01', 0],
    ['2021-03-01', '2021-03-02', 1],
    ['2021-03-01', '2021-06-15', 106], // 31 (→04-01) + 30 (→05-01) + 31 (→06-01) + 14
    ['2020-02-28', '2020-03-01', 2], // 2020 is a leap year
    ['2021-02-28', '2021-03-01', 1],
    ['2021-12-31', '2022-01-01', 1],
    ['2021-06-15', '2021-03-01', -106],
  ])('%s → %s is %d', (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });
});

describe('adding calendar months', () => {
  it.each([
    ['2021-03-20', 6, '2021-09-20'],
    ['2021-08-31', 6, '2022-02-28'], // clamped to the month's end
    ['2019-08-31', 6, '2020-02-29'], // … of a leap year
    ['2021-10-15', 6, '2022-04-15'], // across the year
    ['2021-12-31', 1, '2022-01-31'],
    ['2021-01-31', 3, '2021-04-30'],
  ])('%s + %d months is %s', (date, months, expected) => {
    expect(addCalendarMonths(date, months)).toBe(expected);
  });
});

describe('periods', () => {
  it('bounds are inclusive and an open end does not limit', () => {
    expect(isWithin('2021-01-01', '2021-01-01', '2021-12-31')).toBe(true);
    expect(isWithin('2021-12-31', '2021-01-01', '2021-12-31')).toBe(true);
    expect(isWithin('2022-01-01', '2021-01-01', '2021-12-31')).toBe(false);
    expect(isWithin('1999-01-01', undefined, '2021-12-31')).toBe(true);
    expect(isWithin('2099-01-01', '2021-01-01', undefined)).toBe(true);
    expect(yearOf('2021-06-15')).toBe('2021');
  });
});

describe('measures', () => {
  it('median: the middle value, the mean of the middle two, or null', () => {
    expect(median([])).toBeNull();
    expect(median([167, 52, 130])).toBe(130);
    expect(median([130, 121, 167, 129])).toBe(129.5);
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]); // not sorted in place
  });

  it('rate: keeps its parts, and is null over nothing', () => {
    expect(rate(2, 3)).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect(rate(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0 });
  });
});
