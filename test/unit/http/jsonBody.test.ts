/**
 * The pre-parse scan of JSON bodies (S4): for any JSON text it finds the same nesting depth and element count as
 * walking the parsed value, whatever the strings hold, so it refuses exactly the bodies over a limit.
 */
import fc from 'fast-check';
import { checkJsonLimits } from '../../../src/http/jsonBody';
import { HttpProblem } from '../../../src/http/problem';

/** Depth and element count of a parsed value: the reference the scan must agree with. */
function shapeOf(value: unknown): { depth: number; elements: number } {
  if (value === null || typeof value !== 'object') return { depth: 0, elements: 0 };
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  let depth = 0;
  let elements = children.length;
  for (const child of children) {
    const inner = shapeOf(child);
    depth = Math.max(depth, inner.depth);
    elements += inner.elements;
  }
  return { depth: depth + 1, elements };
}

function brokenLimit(text: string, limits?: { maxDepth: number; maxElements: number }): unknown {
  try {
    checkJsonLimits(Buffer.from(text, 'utf8'), limits);
    return undefined;
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { status: error.status, ...error.extensions };
  }
}

// Strings full of the characters the scan counts, escaped quotes and multi-byte UTF-8 among them.
const trickyString = fc.string({
  unit: fc.constantFrom('[', ']', '{', '}', ',', '"', '\\', ':', 'æ', '🫐', 'a', ' '),
});
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5e3),
    trickyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('checkJsonLimits', () => {
  it('given any JSON text, when the limits are its own depth and element count, then it passes; one less is refused naming that limit', () => {
    fc.assert(
      fc.property(jsonValue, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const { depth, elements } = shapeOf(value);
        expect(brokenLimit(text, { maxDepth: depth, maxElements: elements })).toBeUndefined();
        if (depth > 0) {
          expect(brokenLimit(text, { maxDepth: depth - 1, maxElements: elements })).toEqual({
            status: 400,
            limit: 'depth',
            maximum: depth - 1,
          });
        }
        if (elements > 0) {
          expect(brokenLimit(text, { maxDepth: depth, maxElements: elements - 1 })).toEqual({
            status: 400,
            limit: 'elements',
            maximum: elements - 1,
          });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('given the default limits, then 32 levels and 100,000 elements pass and one more of either is refused', () => {
    const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
    const items = (n: number): string => `[${Array(n).fill('0').join(',')}]`;
    expect(brokenLimit(nested(32))).toBeUndefined();
    expect(brokenLimit(nested(33))).toMatchObject({ limit: 'depth', maximum: 32 });
    expect(brokenLimit(items(100_000))).toBeUndefined();
    expect(brokenLimit(items(100_001))).toMatchObject({ limit: 'elements', maximum: 100_000 });
  });
});
