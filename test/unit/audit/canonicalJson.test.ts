import fc from 'fast-check';
import { canonicalJson } from '../../../src/audit/canonicalJson';

/**
 * Input and expected output pairs from the RFC 8785 author's test data, github.com/cyberphone/json-canonicalization
 * testdata/input/*.json and testdata/output/*.json (weird.json is the §3.2.3 sorting example with more keys).
 * Non-ASCII characters are written as JavaScript escapes so that no editor normalises them; the expected text
 * holds them raw (not JSON-escaped), as the output files do.
 */
const RFC8785_EXAMPLES: ReadonlyArray<[string, string, string]> = [
  [
    'values.json (§3.2.2: literals, ES number form, string escaping)',
    '{"numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],' +
      ' "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    '{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],' +
      '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
  ],
  [
    'weird.json (§3.2.3: sorting by UTF-16 code units, surrogate pairs after U+FB33)',
    '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley",' +
      ' "\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
      ' "</script>": "Browser Challenge"}',
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  ],
  [
    'structures.json (nested objects and arrays, empty key, integer-like keys sorted as strings)',
    '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ { } ], "A": { }}',
    '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  ],
  [
    'french.json (no locale collation)',
    '{"peach": "This sorting order", "péché": "is wrong according to French",' +
      ' "pêche": "but canonicalization MUST", "sin": "ingnore locale"}',
    '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST",' +
      '"sin":"ingnore locale"}',
  ],
];

/** RFC 8785 Appendix B, number serialisation samples: IEEE 754 bit pattern → canonical text. */
const NUMBER_SAMPLES: ReadonlyArray<[string, string]> = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

describe('canonicalJson (RFC 8785)', () => {
  it.each(RFC8785_EXAMPLES)(
    'given the published example %s, when canonicalised, then it is the published output',
    (_name, input, output) => {
      expect(canonicalJson(JSON.parse(input))).toBe(output);
    },
  );

  it.each(NUMBER_SAMPLES)(
    'given the double with bits %s, when canonicalised, then it reads %s',
    (bits, text) => {
      expect(canonicalJson(Buffer.from(bits, 'hex').readDoubleBE(0))).toBe(text);
    },
  );

  it.each([Number.NaN, Infinity, -Infinity])('given the non-finite number %s, then it is refused', (n) => {
    expect(() => canonicalJson({ a: [n] })).toThrow(TypeError);
  });

  it('given integer-like keys, which JavaScript enumerates numerically, then they are still sorted as strings', () => {
    expect(canonicalJson({ 2: 'b', 10: 'a', b: 1, a: 2 })).toBe('{"10":"a","2":"b","a":2,"b":1}');
  });

  it('given undefined members, then they are left out, at every depth', () => {
    expect(canonicalJson({ a: undefined, b: { c: undefined, d: 1 } })).toBe('{"b":{"d":1}}');
  });

  it('given values JSON cannot carry faithfully, then each is refused rather than guessed', () => {
    for (const bad of [() => 1, Symbol('s'), 10n, new Date(0), new Map(), Buffer.from('x'), [1, undefined]]) {
      expect(() => canonicalJson({ bad })).toThrow(TypeError);
    }
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('given a null-prototype object, then it is serialised like a plain one', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
    expect(canonicalJson(bare)).toBe('{"a":2,"b":1}');
  });

  it('given control characters, U+2028 and a lone surrogate, then they are escaped exactly as JSON.stringify does', () => {
    const text = '\u0000\u0008\u0009\u000a\u000c\u000d\u001f\u007f\u2028\ud800';
    expect(canonicalJson(text)).toBe('"\\u0000\\b\\t\\n\\f\\r\\u001f\u007f\u2028\\ud800"');
  });
});

describe('canonicalJson properties', () => {
  const anyJson = fc.jsonValue({ stringUnit: 'binary' });

  it('given any JSON value, when canonicalised and parsed back, then it equals the value (-0 reads as 0)', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(withoutNegativeZero(value));
      }),
      { numRuns: 300 },
    );
  });

  it('given any JSON value, when its object keys are reinserted in another order, then the canonical text is the same', () => {
    fc.assert(
      fc.property(anyJson, fc.boolean(), (value, reverse) => {
        expect(canonicalJson(reordered(value, reverse))).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('given any JSON value, when canonicalised twice through a parse, then nothing changes (a fixed point)', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

/** A deep copy whose objects get their keys inserted reversed, or rotated by one. */
function reordered(value: unknown, reverse: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => reordered(item, reverse));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]): [string, unknown] => [k, reordered(v, reverse)]);
  const order = reverse ? entries.reverse() : [...entries.slice(1), ...entries.slice(0, 1)];
  return Object.fromEntries(order);
}

function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
}
