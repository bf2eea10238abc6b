/**
 * Text fields of the command schemas refuse control characters, bidirectional controls and marks, and lone
 * surrogates (src/domain/events.ts), and take every other text: æøå, emoji, combining marks, any script, ordinary
 * punctuation. Prose fields (descriptions, texts, notes, summaries, reasons) also take TAB, LF and CR.
 * Random strings are drawn with and without such characters.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { AreaName, CaseNumber, LongText, Name, PersonalData, Reason, Title } from '../../src/domain/events';

const controls = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
];
const bidiControls = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const bidiMarks = [0x200e, 0x200f, 0x061c];
const lineBreaksAndTab = [0x09, 0x0a, 0x0d];

const asText = (codePoint: number): string => String.fromCodePoint(codePoint);
const refusedEverywhere = [
  ...controls.filter((c) => !lineBreaksAndTab.includes(c)),
  ...bidiControls,
  ...bidiMarks,
].map(asText);
const loneSurrogates = ['\ud800', '\udbff', '\udc00', '\udfff'];

/** Text people write: Norwegian letters, other scripts, emoji with joiners and modifiers, combining marks. */
const writtenText = [
  'æ',
  'ø',
  'å',
  'Æ',
  'Ø',
  'Å',
  'é',
  'e\u0301', // e + combining acute
  'n\u0303',
  'ŋ', // Northern Sami
  'č',
  'ß',
  'ж',
  'ש',
  'م',
  '中',
  '😀',
  '👩🏽‍🌾', // woman farmer: modifier and zero-width joiner
  '🇳🇴',
  '\u200d', // a joiner on its own is not refused: emoji need it
  ' ',
  '-',
  '/',
  '§',
  '«',
  '»',
  '–',
  '"',
  "'",
  '(',
  ')',
  '.',
  ',',
  ':',
  '?',
  '!',
  '%',
  '&',
  '€',
  '0',
  '9',
];

const cleanUnit = fc.oneof(
  fc.constantFrom(...writtenText),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !refusedEverywhere.includes(c)),
);
/** Strings with none of the refused characters (and, for single-line fields, no tab or line break). */
const cleanLine = fc
  .array(cleanUnit, { minLength: 1, maxLength: 15 })
  .map((units) => units.join('').replace(/[\t\n\r]/g, ''))
  .filter((s) => s.trim().length > 0);
const cleanProse = fc
  .array(fc.oneof(cleanUnit, fc.constantFrom('\t', '\n', '\r\n')), { minLength: 1, maxLength: 60 })
  .map((units) => units.join(''));

/** A refused character placed between two letters, where trimming cannot remove it. */
function withInside(text: fc.Arbitrary<string>, refused: readonly string[]) {
  return fc.tuple(text, fc.constantFrom(...refused), fc.nat()).map(([clean, bad, at]) => {
    const units = [...clean];
    const cut = at % (units.length + 1);
    return { text: `a${units.slice(0, cut).join('')}${bad}${units.slice(cut).join('')}b`, bad };
  });
}

const codeOf = (character: string): string =>
  `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

const lineFields: Array<[string, z.ZodType<string>]> = [
  ['Name', Name],
  ['Title', Title],
  ['AreaName', AreaName],
  ['CaseNumber', CaseNumber],
];
const proseFields: Array<[string, z.ZodType<string>]> = [
  ['LongText', LongText],
  ['Reason', Reason],
];
const emailField = PersonalData.shape.email;

/** Fits the field's length limit (CaseNumber takes 50 characters). */
const fitting = (schema: z.ZodType<string>, s: string): boolean =>
  schema !== CaseNumber || s.trim().length <= 50;

describe('text fields take written text', () => {
  test.each(lineFields)('%s accepts any single line without refused characters', (_name, schema) => {
    fc.assert(
      fc.property(cleanLine, (text) => {
        fc.pre(fitting(schema, text));
        expect(schema.safeParse(text)).toEqual({ success: true, data: text.trim() });
      }),
    );
  });

  test.each(proseFields)('%s accepts prose with tabs and line breaks', (_name, schema) => {
    fc.assert(
      fc.property(cleanProse, (text) => {
        expect(schema.safeParse(text)).toEqual({ success: true, data: text });
      }),
    );
  });

  test('the examples people write are accepted as they are', () => {
    const sample = 'Benker ved Øvre Tømte – «for alle», 3 stk. (ca. 20 000 kr) 😀 👩🏽‍🌾 e\u0301 ש';
    for (const [, schema] of [...lineFields.filter(([n]) => n !== 'CaseNumber'), ...proseFields])
      expect(schema.parse(sample)).toBe(sample);
    expect(LongText.parse('Første linje.\r\nAndre linje:\n\t– punkt')).toBe(
      'Første linje.\r\nAndre linje:\n\t– punkt',
    );
    expect(emailField.parse('kåre@asker.kommune.no')).toBe('kåre@asker.kommune.no');
  });
});

describe('text fields refuse control and bidirectional characters, naming them', () => {
  const refusedInLine = [...refusedEverywhere, ...lineBreaksAndTab.map(asText), ...loneSurrogates];
  const emailCase: [string, z.ZodType<string | undefined>, fc.Arbitrary<{ text: string; bad: string }>] = [
    'email',
    emailField,
    withInside(fc.constantFrom('ola', 'kåre.nordmann'), refusedInLine).map(({ text, bad }) => ({
      text: `${text}@asker.no`,
      bad,
    })),
  ];
  test.each([
    ...lineFields.map(([name, schema]) => [name, schema, withInside(cleanLine, refusedInLine)] as const),
    emailCase,
  ])('%s refuses them, and tabs and line breaks, anywhere inside', (_name, schema, inside) => {
    fc.assert(
      fc.property(inside, ({ text, bad }) => {
        const parsed = schema.safeParse(text);
        expect(parsed.success).toBe(false);
        const messages = parsed.error?.issues.map((issue) => issue.message) ?? [];
        expect(messages.some((m) => m.startsWith(`must not contain ${codeOf(bad)}, `))).toBe(true);
      }),
    );
  });

  test.each(proseFields)('%s refuses them, but not tabs and line breaks', (_name, schema) => {
    fc.assert(
      fc.property(withInside(cleanProse, [...refusedEverywhere, ...loneSurrogates]), ({ text, bad }) => {
        const parsed = schema.safeParse(text);
        expect(parsed.success).toBe(false);
        const messages = parsed.error?.issues.map((issue) => issue.message) ?? [];
        expect(messages.some((m) => m.startsWith(`must not contain ${codeOf(bad)}, `))).toBe(true);
      }),
    );
  });

  test('whatever string arrives, an accepted value holds no refused character', () => {
    const anyUnit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom(...refusedEverywhere, ...loneSurrogates, ...writtenText),
    );
    const anything = fc.array(anyUnit, { maxLength: 30 }).map((units) => units.join(''));
    const refusedInSingleLine = new RegExp(
      `[${[...refusedEverywhere, ...lineBreaksAndTab.map(asText)].join('')}]|\\p{Cs}`,
      'u',
    );
    const refusedInProse = new RegExp(`[${refusedEverywhere.join('')}]|\\p{Cs}`, 'u');
    fc.assert(
      fc.property(anything, (text) => {
        for (const [, schema] of lineFields) {
          const parsed = schema.safeParse(text);
          if (parsed.success) expect(parsed.data).not.toMatch(refusedInSingleLine);
        }
        for (const [, schema] of proseFields) {
          const parsed = schema.safeParse(text);
          if (parsed.success) expect(parsed.data).not.toMatch(refusedInProse);
          else expect(text).toMatch(refusedInProse);
        }
      }),
    );
  });

  test('the message says what the character is and where', () => {
    const issue = (schema: z.ZodType<string>, text: string) =>
      schema.safeParse(text).error?.issues[0]?.message;
    expect(issue(Name, 'Kari\u0000Nordmann')).toBe(
      'must not contain U+0000, a control character (character 5)',
    );
    expect(issue(Title, 'Sak \u202e4321/12')).toBe(
      'must not contain U+202E, a bidirectional control, which makes text display in another order than it is stored (character 5)',
    );
    expect(issue(CaseNumber, '21/\u200f1234')).toBe(
      'must not contain U+200F, an invisible bidirectional mark (character 4)',
    );
    expect(issue(AreaName, 'Heggedal\nVollen')).toBe(
      'must not contain U+000A, a tab or line break, and this field is a single line (character 9)',
    );
    expect(issue(LongText, '😀😀\u0085')).toBe('must not contain U+0085, a control character (character 3)');
    expect(issue(Reason, 'x\ud800')).toBe(
      'must not contain U+D800, half of a surrogate pair, which is not text (character 2)',
    );
  });
});
