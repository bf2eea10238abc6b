/** Erasure shreds a key, not an event: the name is gone everywhere it could be read, and the log still verifies. */
import fs from 'node:fs';
import path from 'node:path';
import { openLedgerApp } from '../support/ledgerApp';

describe('POST /persons/:id/erasure', () => {
  test("crypto-shreds the person's personal data", async () => {
    const t = await openLedgerApp();
    try {
      const name = 'Slettes Særnavnsen';
      const person = await t.post('/persons', {
        name,
        email: 'slettes@example.org',
        phone: '+47 900 00 001',
      });
      expect(person.status).toBe(201);
      const personId = person.body.id as string;
      const committee = await t.post('/committees', {
        name: 'Utvalg',
        kind: 'task',
        areas: [],
        mandate: { influence: true, decide: false, facilitate: false, support: false, arrange: false },
        coCreationForm: 'steered',
        period: { from: '2020-06-01', to: '2022-12-31' },
      });
      const committeeId = committee.body.id as string;
      await t.post(`/committees/${committeeId}/members`, {
        personId,
        role: 'member',
        actorGroup: 'resident',
        representationBasis: 'open',
        appointedOn: '2020-07-01',
      });
      await t.ledger.runner.waitFor(await t.head(), 5000);
      const before = await t.get(`/committees/${committeeId}`, 'clerk');
      expect(before.body.members.active[0].name).toBe(name);
      const [registered] = await t.ledger.store.readStream(`person-${personId}`);

      const erased = await t.post(`/persons/${personId}/erasure`, {
        erasedOn: '2022-01-10',
        reason: 'Begjæring om sletting',
      });
      expect(erased.status).toBe(201);
      await t.ledger.runner.waitFor(await t.head(), 5000);

      // The event is still there, unchanged (immutability); its data just cannot be opened any more.
      const [still] = await t.ledger.store.readStream(`person-${personId}`);
      expect(still).toEqual(registered);
      expect(await t.ledger.people.personal(personId)).toBeNull();
      const after = await t.get(`/committees/${committeeId}`, 'clerk');
      expect(after.body.members.active[0]).toMatchObject({ personId, name: null, erased: true });
      // Erasing again is a conflict; the key cannot be re-created by registering anew under the same id.
      expect(
        (await t.post(`/persons/${personId}/erasure`, { erasedOn: '2022-01-11', reason: 'igjen' })).status,
      ).toBe(409);
      // The log still verifies: the erased person's events are the bytes they always were.
      const verify = await t.get('/audit/verify', 'evaluator');
      expect(verify.status).toBe(200);
      expect(verify.body.ok).toBe(true);
      // No plaintext in any of the data directory's files.
      for (const file of fs.readdirSync(t.dataDir)) {
        const full = path.join(t.dataDir, file);
        if (!fs.statSync(full).isFile()) continue;
        const bytes = fs.readFileSync(full);
        for (const needle of [name, 'slettes@example.org', '+47 900 00 001'])
          expect(bytes.includes(Buffer.from(needle))).toBe(false);
      }
    } finally {
      await t.close();
    }
  });
});
