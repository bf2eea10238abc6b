/**
 * Issue 12, tiles: every recorded event fits a tlog-tiles entry (its leaf text at most 65,535 bytes, the uint16 an
 * entry bundle prefixes it with), and the write path refuses one that would not with a 413 problem, recording
 * nothing. Amendments are the events that can be too long (src/audit/entrySize.ts); texts of 1- to 4-byte
 * characters at every length up to the schemas' limits are sent through the real app.
 */
import fc from 'fast-check';
import { fullMandate, openLedgerApp, type LedgerApp } from '../support/ledgerApp';
import { leafTextBySpec } from '../support/leafBySpec';

const MAX_ENTRY = 65_535;
/** Bytes the refusal may err by: the bound counts position and revision at 16 digits each. */
const SLACK = 64;

/** A text of `units` UTF-16 units of one character (a pair counts two). */
const textOf = (character: string, units: number): string =>
  character.repeat(Math.floor(units / character.length)) || 'x';

describe('every event fits a tlog-tiles entry', () => {
  let t: LedgerApp;
  let proposalId = '';

  beforeAll(async () => {
    t = await openLedgerApp();
    const committeeId = await t.recordId('/committees', {
      name: 'Oppgaveutvalg for lange tekster',
      kind: 'task',
      areas: ['Heggedal'],
      mandate: fullMandate,
      coCreationForm: 'equal',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    proposalId = await t.recordId('/proposals', {
      committeeId,
      title: 'Lange tekster',
      description: 'Kort.',
      origin: 'resident',
      submittedOn: '2021-03-01',
    });
  });
  afterAll(() => t.close());

  /** The stored leaf text, in bytes, of the event at `position`. */
  const leafBytes = async (position: number): Promise<number> => {
    for await (const event of t.ledger.store.readAll(position, { limit: 1 })) {
      return Buffer.byteLength(leafTextBySpec(event), 'utf8');
    }
    throw new Error(`no event at ${position}`);
  };

  it('given the longest description of 3-byte characters, then a submission is recorded and fits', async () => {
    const res = await t.post('/proposals', {
      committeeId: (await t.get(`/proposals/${proposalId}`)).body.committeeId as string,
      title: textOf('€', 300),
      description: textOf('€', 20_000),
      origin: 'resident',
      submittedOn: '2021-03-01',
    });
    expect(res.status).toBe(201);
    expect(await leafBytes(res.body.globalPosition as number)).toBeLessThanOrEqual(MAX_ENTRY);
  });

  it('given an amendment of the longest 3-byte description, title and reason, then 413 and nothing recorded', async () => {
    const head = await t.head();
    const res = await t.post(`/proposals/${proposalId}/amendments`, {
      title: textOf('€', 300),
      description: textOf('€', 20_000),
      amendedOn: '2021-03-02',
      reason: textOf('€', 2_000),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ type: expect.stringContaining('entry-too-large'), status: 413 });
    expect(res.body.detail).toMatch(/ProposalAmended event would be \d+ bytes/);
    expect(await t.head()).toBe(head);
  });

  it('given amendments of any length and character width, then each is recorded and fits, or refused with 413 only when it would not fit', async () => {
    // 3-byte characters most often: only they make an amendment too long.
    const character = fc.oneof(
      { arbitrary: fc.constant('€'), weight: 4 },
      { arbitrary: fc.constantFrom('a', 'é', '😀', '"', '\n'), weight: 2 },
    );
    // Lengths near the limits half of the time, so that both outcomes are met.
    const units = (max: number) => fc.oneof(fc.integer({ min: 1, max }), fc.integer({ min: max - 500, max }));
    const outcomes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        character,
        units(20_000),
        character,
        units(2_000),
        async (c1, descriptionUnits, c2, reasonUnits) => {
          const description = textOf(c1, descriptionUnits);
          const reason = textOf(c2, reasonUnits).trim() || 'x';
          const head = await t.head();
          const res = await t.post(`/proposals/${proposalId}/amendments`, {
            description,
            amendedOn: '2021-03-02',
            reason,
          });
          outcomes.add(res.status);
          if (res.status === 201) {
            expect(await leafBytes(res.body.globalPosition as number)).toBeLessThanOrEqual(MAX_ENTRY);
          } else {
            expect(res.status).toBe(413);
            expect(await t.head()).toBe(head);
            // Refused only near or over the limit: the texts alone, as JSON, come within the envelope of it.
            const texts = Buffer.byteLength(JSON.stringify({ description, reason }), 'utf8');
            expect(texts).toBeGreaterThan(MAX_ENTRY - 1_000 - SLACK);
          }
        },
      ),
      { numRuns: 80, examples: [['€', 20_000, '€', 2_000]] },
    );
    expect([...outcomes].sort()).toEqual([201, 413]);
  }, 120_000);
});
