/**
 * The dashboard's witness policy check (src/dashboard/proof/witnessPolicy.ts) on hostile input: it never throws and
 * never says "met" for what it cannot read. Its agreement with the ledger's reading is in
 * test/unit/audit/policyAgreement.test.ts.
 */
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../../../src/audit/signedNote';
import { verifyTrace } from '../../../../src/dashboard/proof/verifyTrace';
import {
  MAX_POLICY_LENGTH,
  checkUnderPolicy,
  parsePolicy,
} from '../../../../src/dashboard/proof/witnessPolicy';
import { cosignatureLine, cosignedBy, makeWitness } from '../../../support/witnessFixtures';

const logKey = generateSigningKey();
const origin = 'ledger.example/asker';
const note = signCheckpoint({ origin, treeSize: 9, rootHash: Buffer.alloc(32, 1) }, logKey, origin);
const [a, b] = [makeWitness('a.example/w'), makeWitness('b.example/w')];
const policyText = `log ${encodeVerifierKey(origin, publicKeyFromPrivate(logKey))}\nwitness A ${a.vkey}\nwitness B ${b.vkey}\ngroup both all A B\nquorum both\n`;

async function policy() {
  const parsed = await parsePolicy(policyText);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.policy;
}

describe("the dashboard's witness policy", () => {
  it('given both cosignatures, then met; given one, not met, counting 1 of the 2 required', async () => {
    expect(await checkUnderPolicy(await policy(), cosignedBy(note, [a, b]))).toMatchObject({
      met: true,
      logSigned: true,
      required: 2,
      counted: 2,
    });
    expect(await checkUnderPolicy(await policy(), cosignedBy(note, [a]))).toMatchObject({
      met: false,
      required: 2,
      counted: 1,
      cosigned: ['A'],
      missing: ['B'],
    });
  });

  it('given a policy text over the limit, then it is refused without being parsed', async () => {
    expect(await parsePolicy(`${'#'.repeat(MAX_POLICY_LENGTH)}\nquorum none\n`)).toMatchObject({
      ok: false,
      line: 0,
    });
  });

  it.each([
    ['not a string', 42],
    ['an empty note', ''],
    ['a note over 64 KiB', note + cosignatureLine(note, a) + `\u2014 x.example/w ${'A'.repeat(70_000)}\n`],
    ['a note with over 100 signature lines', cosignedBy(note, [a, b]) + cosignatureLine(note, a).repeat(99)],
    [
      'a signature line with a blob over 256 bytes',
      cosignedBy(note, [a, b]) + `\u2014 x.example/w ${Buffer.alloc(300, 1).toString('base64')}\n`,
    ],
  ])('given %s, then not met, never a throw', async (_, input) => {
    expect((await checkUnderPolicy(await policy(), input)).met).toBe(false);
  });

  it('given a trace that is not one, then verifyTrace with a policy says not verified, never a throw', async () => {
    for (const trace of [
      null,
      {},
      { checkpoint: 'x', events: [] },
      { checkpoint: { signedNote: note }, events: [] },
    ])
      expect((await verifyTrace(trace, { policy: await policy() })).ok).toBe(false);
  });
});
