import fc from 'fast-check';
import { Suppression } from '../../../projections/suppression';

describe('small-count suppression', () => {
  it('hides positive counts below the threshold and lists them; zero and the threshold itself stay', () => {
    const s = new Suppression(5);
    expect([s.count('a', 0), s.count('b', 1), s.count('c', 4), s.count('d', 5)]).toEqual([0, null, null, 5]);
    expect(s.paths).toEqual(['b', 'c']);
  });

  it('hides nothing below a threshold of 0 or 1', () => {
    for (const below of [0, 1]) {
      const s = new Suppression(below);
      expect(s.cells([{ path: 'x', n: 1 }])).toEqual([1]);
      expect(s.paths).toEqual([]);
    }
  });

  it('hides the smallest visible positive cell too when only one cell of a breakdown is hidden', () => {
    const s = new Suppression(5);
    expect(
      s.breakdown('byRole', [
        ['leader', 1],
        ['member', 9],
        ['deputy', 6],
        ['youth', 0],
      ]),
    ).toEqual({ leader: null, member: 9, deputy: null, youth: 0 });
    expect(s.paths).toEqual(['byRole.leader', 'byRole.deputy']);
  });

  it('needs no complement when two or more cells are hidden, or when nothing else is positive', () => {
    const s = new Suppression(5);
    expect(
      s.cells([
        { path: 'a', n: 1 },
        { path: 'b', n: 2 },
        { path: 'c', n: 9 },
      ]),
    ).toEqual([null, null, 9]);
    expect(
      s.cells([
        { path: 'd', n: 3 },
        { path: 'e', n: 0 },
      ]),
    ).toEqual([null, 0]);
  });

  it('keeps free-text keys such as __proto__ as plain keys', () => {
    const s = new Suppression(0);
    const out = s.breakdown('byArea', [
      ['__proto__', 7],
      ['constructor', 2],
    ]);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(out))).toEqual({ ['__proto__']: 7, constructor: 2 });
  });

  it('hides a rate whose parts are hidden', () => {
    const s = new Suppression(5);
    expect(s.rate('r', null, 9)).toEqual({ value: null, numerator: null, denominator: 9 });
    expect(s.rate('q', 3, 0)).toEqual({ value: null, numerator: 3, denominator: 0 });
    expect(s.paths).toEqual(['r']);
  });

  describe('running totals (supports per month and up to it)', () => {
    it('hides no more than the threshold asks when no hidden count could be recovered', () => {
      const s = new Suppression(5);
      expect(s.runningTotals('m', [6, 0, 9])).toEqual([
        { added: 6, cumulative: 6 },
        { added: 0, cumulative: 6 },
        { added: 9, cumulative: 15 },
      ]);
      expect(s.paths).toEqual([]);
      expect(new Suppression(0).runningTotals('m', [1, 2])).toEqual([
        { added: 1, cumulative: 1 },
        { added: 2, cumulative: 3 },
      ]);
    });

    it('property: what is shown is true, small counts are hidden, and no hidden count is a difference of shown totals', () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 12 }), { maxLength: 10 }), (counts) => {
          const s = new Suppression(5);
          const shown = s.runningTotals('m', counts);
          const small = (n: number) => n > 0 && n < 5;
          let total = 0;
          const paths: string[] = [];
          shown.forEach((row, i) => {
            total += counts[i] as number;
            if (row.added !== null) expect(row.added).toBe(counts[i]);
            else paths.push(`m.${i}.added`);
            if (row.cumulative !== null) expect(row.cumulative).toBe(total);
            else paths.push(`m.${i}.cumulative`);
            if (small(counts[i] as number)) expect(row.added).toBeNull();
            if (small(total)) expect(row.cumulative).toBeNull();
          });
          expect(s.paths).toEqual(paths);
          // Known totals: the start, every shown total, and the last one when not small (shown elsewhere as the sum).
          const known = [-1, ...shown.flatMap((row, i) => (row.cumulative !== null ? [i] : []))];
          if (counts.length > 0 && !small(total)) known.push(counts.length - 1);
          for (let k = 1; k < known.length; k++) {
            const stretch = shown.slice((known[k - 1] as number) + 1, (known[k] as number) + 1);
            expect(stretch.filter((row) => row.added === null).length).not.toBe(1);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
