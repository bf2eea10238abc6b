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
});
