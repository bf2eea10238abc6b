/**
 * The mirror check (audit/tileMirror.ts) on folders written from a real MerkleLog (test/support/tileFolder.ts):
 * trees of every shape verify, and every change to any file — a byte, a deletion, a truncation, a stray, a
 * checkpoint of another size or key, a quorum not met — is caught and named.
 */
import fc from 'fast-check';
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cosign, encodeWitnessVerifierKey } from '../../../src/audit/cosignature';
import { generateSigningKey, parseVerifierKey, publicKeyFromPrivate } from '../../../src/audit/signedNote';
import { verifyMirror, type MirrorResult, type MirrorTrust } from '../../../src/audit/tileMirror';
import { TileFolder } from '../../../src/audit/tileSource';
import { entryBundlePath, tilePath } from '../../../src/audit/tlogTiles';
import { parsePolicy } from '../../../src/audit/witnessPolicy';
import {
  checkpointNote,
  sampleLog,
  writeFile,
  writeTileFolder,
  type SampleLog,
} from '../../support/sampleTiledLog';
import { makeTempDir } from '../../support/tempDir';

/** 256·256 + 3·256 + 5: full tiles at levels 0 and 1, partial ones at levels 0, 1 and 2. */
const SIZE = 66_309;

function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

const failure = (result: MirrorResult): { resource: string | null; problem: string } => {
  if (result.ok) throw new Error('the mirror verified');
  return { resource: result.resource, problem: result.problem };
};

describe('verifyMirror on a folder', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: SampleLog;
  let dir: string;
  let trust: MirrorTrust;
  const verify = (options: { entries?: 'required' | 'if-present'; at?: string } = {}) =>
    verifyMirror(new TileFolder(options.at ?? dir), trust, { entries: options.entries ?? 'if-present' });

  beforeAll(() => {
    temp = makeTempDir('ledger-mirror-');
    log = sampleLog(SIZE);
    dir = path.join(temp.dir, 'mirror');
    writeTileFolder(dir, log);
    trust = { key: parseVerifierKey(log.vkey) };
  });
  afterAll(() => {
    log.close();
    temp.cleanup();
  });

  it.each([0, 1, 255, 256, 257, 65_536, SIZE])(
    'given the tiles and entries of a tree of size %i, then it verifies every tile and bundle',
    async (size) => {
      const at = path.join(temp.dir, `size-${size}`);
      writeTileFolder(at, log, { treeSize: size });
      const result = await verify({ at });
      expect(result).toMatchObject({
        ok: true,
        checkpoint: { treeSize: size },
        earlierPartials: 0,
        beyondTree: 0,
      });
      expect(result.ok && result.tiles + result.entryBundles).toBe(filesUnder(at).length - 1);
    },
  );

  it('given a folder without entry bundles, then the tiles verify, and --entries asks for the missing bundles', async () => {
    const at = path.join(temp.dir, 'no-entries');
    writeTileFolder(at, log, { entries: false });
    expect(await verify({ at })).toMatchObject({ ok: true, entryBundles: 0 });
    expect(failure(await verify({ at, entries: 'required' }))).toEqual({
      resource: 'tile/entries/000',
      problem: 'is missing',
    });
  });

  it('given one byte changed in any file, then it fails naming that file', async () => {
    const files = filesUnder(dir);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (file, at, xor) => {
          const full = path.join(dir, file);
          const original = fs.readFileSync(full);
          const changed = Buffer.from(original);
          const offset = at % changed.length;
          changed[offset] = (changed[offset] as number) ^ xor;
          fs.writeFileSync(full, changed);
          try {
            const { resource, problem } = failure(await verify());
            // The root check proves the partial tiles together, so it names each of them when it fails.
            if (resource === null) expect(problem).toContain(file);
            else expect(resource).toBe(file);
          } finally {
            fs.writeFileSync(full, original);
          }
        },
      ),
      { numRuns: 40 },
    );
    expect(await verify()).toMatchObject({ ok: true });
  }, 120_000);

  describe('given a folder changed behind its back', () => {
    let at: string;
    beforeEach(() => {
      at = path.join(temp.dir, `changed-${Math.random().toString(36).slice(2)}`);
      writeTileFolder(at, log);
    });

    it('when a full tile is deleted, then it names the missing tile', async () => {
      fs.rmSync(path.join(at, 'tile/0/007'));
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/0/007',
        problem: `is missing (the checkpoint's tree of size ${SIZE} needs it)`,
      });
    });

    it('when a tile is truncated, then it names the tile and its length', async () => {
      fs.truncateSync(path.join(at, 'tile/1/000'), 8191);
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/1/000',
        problem: 'is 8191 bytes, not 256 hashes (8192 bytes)',
      });
    });

    it('when a tile grows past the largest a tile can be, then it is refused without being read', async () => {
      fs.writeFileSync(path.join(at, 'tile/0/003'), Buffer.alloc(10_000_000));
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/0/003',
        problem: 'is 10000000 bytes, more than the 8192 it can be',
      });
    });

    it('when a file that is no tile is put under tile/, then it names the file', async () => {
      writeFile(at, 'tile/notes.txt', 'garbage');
      writeFile(at, 'tile/0/1000', 'garbage');
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/0/1000',
        problem: 'is not a tile or an entry bundle (no tlog-tiles path), nor are 1 more files under tile/',
      });
    });

    it('when a garbage tile lies beyond the tree, then it names it; a well-formed one is counted, not proved', async () => {
      writeFile(at, 'tile/0/x999/000', Buffer.alloc(8192, 1));
      writeFile(at, 'tile/entries/x999/000.p/2', Buffer.from([0, 1, 0x41, 0, 1, 0x42]));
      expect(await verify({ at })).toMatchObject({ ok: true, beyondTree: 2 });
      writeFile(at, 'tile/1/x002/000.p/9', 'garbage');
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/1/x002/000.p/9',
        problem: `lies beyond the tree of size ${SIZE} and is not even a tile: 7 bytes, not 9 hashes (288 bytes)`,
      });
    });

    it('when two entries swap places (each hashing right elsewhere), then it names the bundle', async () => {
      const leaves = log.leaves.slice(0, 256);
      [leaves[3], leaves[4]] = [leaves[4] as Buffer, leaves[3] as Buffer];
      const { entryBundle } = await import('../../../src/audit/tlogTiles');
      writeFile(at, 'tile/entries/000', entryBundle(leaves));
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/entries/000',
        problem: 'entry 3 (leaf 3) does not hash to leaf hash 3 of tile/0/000',
      });
    });

    it('when the tiles of an earlier size are left beside, then they are checked as prefixes, and a changed one is named', async () => {
      const earlier = path.join(temp.dir, `earlier-${Math.random().toString(36).slice(2)}`);
      writeTileFolder(earlier, log, { treeSize: SIZE - 100 });
      for (const file of filesUnder(earlier).filter((f) => f.includes('.p/'))) {
        fs.mkdirSync(path.dirname(path.join(at, file)), { recursive: true });
        fs.copyFileSync(path.join(earlier, file), path.join(at, file));
      }
      // SIZE − 100 = 66,209: partial tiles 0/258.p/161, 1/001.p/2 and the bundle 258.p/161 are of earlier sizes.
      expect(await verify({ at })).toMatchObject({ ok: true, earlierPartials: 3 });
      const stale = path.join(at, 'tile/entries/258.p/161');
      const bytes = fs.readFileSync(stale);
      bytes[bytes.length - 2] = 0x41;
      fs.writeFileSync(stale, bytes);
      expect(failure(await verify({ at }))).toEqual({
        resource: 'tile/entries/258.p/161',
        problem: 'is not the first 161 entries of tile/entries/258',
      });
    });

    it('when the checkpoint is for another size, then the tiles it needs are missing, by name', async () => {
      fs.writeFileSync(path.join(at, 'checkpoint'), checkpointNote(log, SIZE - 2));
      expect(failure(await verify({ at }))).toEqual({
        resource: tilePath({ level: 0, index: 259, width: 3 }),
        problem: `is missing (the checkpoint's tree of size ${SIZE - 2} needs it)`,
      });
    });

    it('when the checkpoint is signed by another key, then it names the checkpoint', async () => {
      fs.writeFileSync(path.join(at, 'checkpoint'), checkpointNote(log, SIZE, generateSigningKey()));
      expect(failure(await verify({ at }))).toEqual({
        resource: 'checkpoint',
        problem: `is not signed by ${log.origin}`,
      });
    });

    it('when the checkpoint is missing, then it says so', async () => {
      fs.rmSync(path.join(at, 'checkpoint'));
      expect(failure(await verify({ at }))).toEqual({
        resource: 'checkpoint',
        problem: `there is no checkpoint at ${at}`,
      });
    });

    it('when the checkpoint signs another root for the same size, then the root check names the partial tiles', async () => {
      const { signCheckpoint } = await import('../../../src/audit/signedNote');
      const note = signCheckpoint(
        { origin: log.origin, treeSize: SIZE, rootHash: log.merkle.rootAt(SIZE - 1) },
        log.signingKey,
        log.origin,
      );
      fs.writeFileSync(path.join(at, 'checkpoint'), note);
      const { resource, problem } = failure(await verify({ at }));
      expect(resource).toBeNull();
      expect(problem).toMatch(
        /^the root hash the partial tiles give \(\S+\) is not the checkpoint's \(\S+\): one of tile\/2\/000\.p\/1, tile\/1\/001\.p\/3, tile\/0\/259\.p\/5 is wrong/,
      );
    });

    it('when an entry is not its position, then it says what it says', async () => {
      const small = sampleLog(3);
      const leaves = [...small.leaves];
      leaves[1] = Buffer.from('{"globalPosition":7}');
      const { MerkleLog } = await import('../../../src/audit/merkleLog');
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(':memory:');
      const merkle = new MerkleLog(db);
      const { leafHash } = await import('../../../src/audit/rfc9162');
      merkle.appendLeafHashes(leaves.map((leaf) => leafHash(leaf)));
      const forged: SampleLog = { ...small, merkle, leaves };
      const where = path.join(temp.dir, `position-${Math.random().toString(36).slice(2)}`);
      writeTileFolder(where, forged);
      const result = await verifyMirror(
        new TileFolder(where),
        { key: parseVerifierKey(small.vkey) },
        { entries: 'if-present' },
      );
      expect(failure(result)).toEqual({
        resource: entryBundlePath({ index: 0, width: 3 }),
        problem: 'entry 1 is leaf 1 but says globalPosition 7',
      });
      db.close();
      small.close();
    });
  });

  describe('given a witness policy', () => {
    const witnessKeys = [generateSigningKey(), generateSigningKey()];
    const witnessLines = witnessKeys.map(
      (key, i) =>
        `witness W${i} ${encodeWitnessVerifierKey(`witness${i}.example`, publicKeyFromPrivate(key))}`,
    );
    const policyOf = (quorum: string): MirrorTrust => ({
      policy: parsePolicy(
        `log ${log.vkey}\n${witnessLines.join('\n')}\ngroup both all W0 W1\nquorum ${quorum}\n`,
      ),
    });
    const cosigned = (note: string, signers: number[]): string => {
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      return signers.reduce(
        (result, i) =>
          result + cosign(text, witnessKeys[i] as KeyObject, `witness${i}.example`, 1_700_000_000),
        note,
      );
    };

    it('when the quorum cosigned, then it verifies and says who', async () => {
      const at = path.join(temp.dir, 'cosigned');
      writeTileFolder(at, log, { treeSize: 300 });
      fs.writeFileSync(path.join(at, 'checkpoint'), cosigned(checkpointNote(log, 300), [0, 1]));
      const result = await verifyMirror(new TileFolder(at), policyOf('both'), { entries: 'if-present' });
      expect(result).toMatchObject({ ok: true, signedBy: log.origin, cosignedBy: ['W0', 'W1'] });
    });

    it('when the quorum is not met, then it names the checkpoint and the witnesses missing', async () => {
      const at = path.join(temp.dir, 'one-cosigned');
      writeTileFolder(at, log, { treeSize: 300 });
      fs.writeFileSync(path.join(at, 'checkpoint'), cosigned(checkpointNote(log, 300), [0]));
      expect(
        failure(await verifyMirror(new TileFolder(at), policyOf('both'), { entries: 'if-present' })),
      ).toEqual({
        resource: 'checkpoint',
        problem:
          "its cosignatures do not meet the policy's quorum (both): valid from W0; invalid from none; missing from W1",
      });
    });

    it('when the checkpoint is signed by a log the policy does not name, then it says so', async () => {
      const other = sampleLog(1, 'other.example/log');
      const at = path.join(temp.dir, 'other-log');
      writeTileFolder(at, other);
      expect(
        failure(await verifyMirror(new TileFolder(at), policyOf('none'), { entries: 'if-present' })),
      ).toEqual({
        resource: 'checkpoint',
        problem: `is not signed by any log of the policy (${log.origin})`,
      });
      other.close();
    });
  });
});
