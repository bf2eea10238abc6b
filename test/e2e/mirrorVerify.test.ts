/**
 * `ledger mirror verify` as users run it (the built bin): on a folder, and on a URL served by a small node:http
 * server over the same folder, honest and hostile (a tile of a gigabyte, an endless tile, no answer at all).
 */
import fc from 'fast-check';
import type { KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cosign, encodeWitnessVerifierKey } from '../../src/audit/cosignature';
import { generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { runLedger, runLedgerAsync } from '../support/ledgerBin';
import { makeTempDir } from '../support/tempDir';
import {
  checkpointNote,
  sampleLog,
  writeFile,
  writeTileFolder,
  type SampleLog,
} from '../support/sampleTiledLog';

/** Full tiles at levels 0 and 1, partial ones at levels 0 (width 112), 1 (17) and 2 (1): tlog-tiles' example. */
const SIZE = 70_000;
const ORIGIN = 'ledger.example/api/v1/audit/tlog';
const TOKEN = 'evaluator-token-that-must-never-show';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/audit/tlog`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A static server over a folder under /api/v1/audit/tlog/, asking for the token on entry bundles (as the API does). */
function folderHandler(
  dir: string,
  also?: (resource: string, response: http.ServerResponse) => boolean,
): Handler {
  return (request, response) => {
    const resource = (request.url ?? '').replace(/^\/api\/v1\/audit\/tlog\//, '');
    if (also?.(resource, response)) return;
    if (resource.startsWith('tile/entries/') && request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    const file = path.join(dir, resource);
    if (
      !resource.split('/').every((part) => part !== '..') ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(fs.readFileSync(file));
  };
}

describe('ledger mirror verify', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: SampleLog;
  let dir: string;
  let brokenPolicy: string;
  const fresh = (name: string, options?: Parameters<typeof writeTileFolder>[2]): string => {
    const at = path.join(temp.dir, name);
    writeTileFolder(at, log, options);
    return at;
  };

  beforeAll(() => {
    temp = makeTempDir('ledger-mirror-cli-');
    log = sampleLog(SIZE, ORIGIN);
    dir = fresh('mirror');
    brokenPolicy = path.join(temp.dir, 'broken.policy');
    fs.writeFileSync(brokenPolicy, `log ${log.vkey}\nquorum nobody\n`);
  });
  afterAll(() => {
    log.close();
    temp.cleanup();
  });

  it('given --help, then it explains itself and exits 0', () => {
    const run = runLedger(['mirror', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ledger mirror verify URL\|DIR /);
    for (const option of ['--key', '--policy', '--entries', '--token', '--timeout', 'Exit code']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('given an exported folder and the log key, then it verifies every tile and entry and exits 0', () => {
    // --entries before the folder is still a flag, not the folder's name.
    const run = runLedger(['mirror', 'verify', '--entries', dir, '--key', log.vkey]);
    expect(run.stderr).toMatch(/mirror verify: \d+\/\d+ files/);
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toBe(
      `ok: ${dir} holds the log ${log.origin} at tree size ${SIZE}, root ${log.merkle.rootAt(SIZE).toString('base64')}\n` +
        `  checkpoint signed by ${log.origin}\n` +
        `  277 tiles verified, 274 entry bundles (${SIZE} entries) verified\n`,
    );
  });

  it.each([
    [[], /give the log key \(--key VKEY\) or a witness policy/],
    [['--key', 'not-a-key'], /--key: a verifier key is <name>\+<key id>\+<key>/],
    [['--policy', '/nonexistent/policy'], /cannot read the policy \/nonexistent\/policy: ENOENT/],
    [
      ['--policy', 'BROKEN_POLICY'],
      /broken\.policy: tlog-policy line 2: "nobody" is not a witness or group defined/,
    ],
    [['--key', 'KEY', '--timeout', '5'], /--token and --timeout are for URLs, not folders/],
  ])('given %j, then it refuses with exit 2 and says why', (options, message) => {
    const args = (options as string[]).map((option) =>
      option === 'BROKEN_POLICY' ? brokenPolicy : option === 'KEY' ? log.vkey : option,
    );
    const run = runLedger(['mirror', 'verify', dir, ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
  });

  it('given a folder that is not there, or no action, then it is bad usage (exit 2)', () => {
    expect(runLedger(['mirror', 'verify', path.join(temp.dir, 'nowhere'), '--key', log.vkey])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/is neither a folder nor an http\(s\) URL/),
    });
    expect(runLedger(['mirror', 'check', dir, '--key', log.vkey]).status).toBe(2);
  });

  it('given one byte changed in any file of the folder, then the bin exits 1 naming that file', () => {
    const at = fresh('any-byte');
    const files = (fs.readdirSync(at, { recursive: true }) as string[])
      .map((file) => file.split(path.sep).join('/'))
      .filter((file) => fs.statSync(path.join(at, file)).isFile());
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (file, offset, xor) => {
          const full = path.join(at, file);
          const original = fs.readFileSync(full);
          const changed = Buffer.from(original);
          changed[offset % changed.length] = (changed[offset % changed.length] as number) ^ xor;
          fs.writeFileSync(full, changed);
          try {
            const run = runLedger(['mirror', 'verify', at, '--key', log.vkey]);
            expect(run.status).toBe(1);
            // A partial tile is proved only with the others, by the root: that message names each of them.
            const name = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            expect(run.stdout).toMatch(new RegExp(`^FAILED: (${name}: |the root hash .*${name})`));
          } finally {
            fs.writeFileSync(full, original);
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 60_000);

  describe('given a folder changed behind its back', () => {
    it.each<[string, (at: string) => void, string]>([
      [
        'one byte of a full level-1 tile',
        (at) => {
          const file = path.join(at, 'tile/1/000');
          const bytes = fs.readFileSync(file);
          bytes[4000] = (bytes[4000] as number) ^ 0x10;
          fs.writeFileSync(file, bytes);
        },
        'FAILED: tile/1/000: its hashes give ',
      ],
      [
        'one byte of an entry',
        (at) => {
          const file = path.join(at, 'tile/entries/017');
          const bytes = fs.readFileSync(file);
          bytes[100] = (bytes[100] as number) ^ 0x01;
          fs.writeFileSync(file, bytes);
        },
        'FAILED: tile/entries/017: entry 1 (leaf 4353) does not hash to leaf hash 1 of tile/0/017',
      ],
      ['a deleted tile', (at) => fs.rmSync(path.join(at, 'tile/0/100')), 'FAILED: tile/0/100: is missing'],
      [
        'a truncated tile',
        (at) => fs.truncateSync(path.join(at, 'tile/0/273.p/112'), 100),
        'FAILED: tile/0/273.p/112: is 100 bytes, not 112 hashes (3584 bytes)',
      ],
      [
        'an extra garbage file',
        (at) => writeFile(at, 'tile/0/x001/999', 'garbage'),
        `FAILED: tile/0/x001/999: lies beyond the tree of size ${SIZE} and is not even a tile: 7 bytes, not 256 hashes`,
      ],
      [
        'a file that is no tile',
        (at) => writeFile(at, 'tile/entries/index.html', '<html>'),
        'FAILED: tile/entries/index.html: is not a tile or an entry bundle (no tlog-tiles path)',
      ],
      [
        'a checkpoint for another size',
        (at) => fs.writeFileSync(path.join(at, 'checkpoint'), checkpointNote(log, SIZE - 1000)),
        `FAILED: tile/1/001.p/13: is missing (the checkpoint's tree of size ${SIZE - 1000} needs it)`,
      ],
      [
        'a checkpoint signed by another key',
        (at) =>
          fs.writeFileSync(path.join(at, 'checkpoint'), checkpointNote(log, SIZE, generateSigningKey())),
        `FAILED: checkpoint: is not signed by ${ORIGIN}`,
      ],
      [
        'a FIFO in place of a tile (opening it would wait for a writer for ever)',
        (at) => {
          fs.rmSync(path.join(at, 'tile/0/100'));
          execFileSync('mkfifo', [path.join(at, 'tile/0/100')]);
        },
        'FAILED: tile/0/100: is not a file',
      ],
      [
        'a FIFO in place of the checkpoint',
        (at) => {
          fs.rmSync(path.join(at, 'checkpoint'));
          execFileSync('mkfifo', [path.join(at, 'checkpoint')]);
        },
        'checkpoint: is not a file',
      ],
    ])('when %s, then it exits 1 naming what is wrong', (name, change, message) => {
      const at = fresh(name.replace(/\W+/g, '-'));
      change(at);
      const run = runLedger(['mirror', 'verify', at, '--key', log.vkey]);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(message);
    });
  });

  it('given the tiles of a larger tree beside the checkpoint (an export under way), then it verifies and says they are not proved', () => {
    // The checkpoint of 69,700 leaves, and the tiles of 70,000 copied in as an export would before its checkpoint.
    const at = fresh('export-under-way', { treeSize: SIZE - 300 });
    fs.cpSync(path.join(dir, 'tile'), path.join(at, 'tile'), { recursive: true });
    const run = runLedger(['mirror', 'verify', at, '--key', log.vkey]);
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toContain(`at tree size ${SIZE - 300}, root `);
    // tile/0/272 (full), 0/273.p/112, 1/001.p/17 and the bundles entries/272 and 273.p/112 lie beyond 69,700.
    expect(run.stdout).toContain(
      "note: 5 files under tile/ lie beyond this tree (a later tree's, or an export under way): well formed, but this checkpoint does not prove them\n",
    );
  });

  describe('given a witness policy file', () => {
    const witnessKeys: KeyObject[] = [generateSigningKey(), generateSigningKey()];
    let policyFile: string;
    let at: string;
    const cosigned = (signers: number[]): string => {
      const note = checkpointNote(log);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      return signers.reduce(
        (result, i) => result + cosign(text, witnessKeys[i] as KeyObject, `w${i}.example`, 1_764_000_000),
        note,
      );
    };
    beforeAll(() => {
      at = fresh('witnessed', { entries: false });
      policyFile = path.join(temp.dir, 'policy');
      fs.writeFileSync(
        policyFile,
        [
          `log ${log.vkey}`,
          ...witnessKeys.map(
            (key, i) =>
              `witness W${i} ${encodeWitnessVerifierKey(`w${i}.example`, publicKeyFromPrivate(key))}`,
          ),
          'group both all W0 W1',
          'quorum both',
          '',
        ].join('\n'),
      );
    });

    it('when both witnesses cosigned, then it verifies', () => {
      fs.writeFileSync(path.join(at, 'checkpoint'), cosigned([0, 1]));
      const run = runLedger(['mirror', 'verify', at, '--policy', policyFile]);
      expect(run).toMatchObject({ status: 0 });
      expect(run.stdout).toContain(`checkpoint signed by ${log.origin}, cosigned by W0, W1 (quorum met)`);
      expect(run.stdout).toContain('entry bundles not checked');
    });

    it('when one did not, then the quorum is not met: exit 1', () => {
      fs.writeFileSync(path.join(at, 'checkpoint'), cosigned([1]));
      const run = runLedger(['mirror', 'verify', at, '--policy', policyFile]);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe(
        "FAILED: checkpoint: its cosignatures do not meet the policy's quorum (both): valid from W1; invalid from none; missing from W0\n",
      );
    });
  });

  describe('given a URL', () => {
    it('when a static server publishes the folder, then it verifies the tiles, and with the token the entries', async () => {
      const server = await serve(folderHandler(dir));
      try {
        const tilesOnly = await runLedgerAsync(['mirror', 'verify', server.url, '--key', log.vkey]);
        expect(tilesOnly).toMatchObject({ status: 0 });
        expect(tilesOnly.stdout).toContain(
          `ok: ${server.url} holds the log ${log.origin} at tree size ${SIZE}`,
        );
        expect(tilesOnly.stdout).toContain('277 tiles verified, entry bundles not checked');

        const refused = await runLedgerAsync([
          'mirror',
          'verify',
          server.url,
          '--key',
          log.vkey,
          '--entries',
        ]);
        expect(refused.status).toBe(1);
        expect(refused.stdout).toContain(
          `FAILED: tile/entries/000: ${server.url}/tile/entries/000 answered 401: entry bundles need an evaluator's or admin's token`,
        );

        const entries = await runLedgerAsync(
          ['mirror', 'verify', server.url, '--key', log.vkey, '--entries'],
          {
            LEDGER_TOKEN: TOKEN,
          },
        );
        expect(entries).toMatchObject({ status: 0 });
        expect(entries.stdout).toContain(`274 entry bundles (${SIZE} entries) verified`);
        for (const run of [tilesOnly, refused, entries]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
      } finally {
        await server.close();
      }
    });

    it('when the server fails now and then (503, a dropped connection), then the retries carry it through', async () => {
      const failed = new Set<string>();
      const server = await serve(
        folderHandler(dir, (resource, response) => {
          if (failed.has(resource) || !/^tile\/0\/0[0-4]/.test(resource)) return false;
          failed.add(resource);
          if (resource.endsWith('1')) response.socket?.destroy();
          else response.writeHead(503).end();
          return true;
        }),
      );
      try {
        const run = await runLedgerAsync(['mirror', 'verify', server.url, '--key', log.vkey]);
        expect(run).toMatchObject({ status: 0 });
        expect(failed.size).toBe(50);
      } finally {
        await server.close();
      }
    });

    it('when a tile is changed on the server, then it names the tile', async () => {
      const server = await serve(
        folderHandler(dir, (resource, response) => {
          if (resource !== 'tile/0/232') return false;
          response.writeHead(200).end(Buffer.alloc(8192, 7));
          return true;
        }),
      );
      try {
        const run = await runLedgerAsync(['mirror', 'verify', server.url, '--key', log.vkey]);
        expect(run.status).toBe(1);
        expect(run.stdout).toMatch(
          /^FAILED: tile\/0\/232: its hashes give \S+, but hash 232 of tile\/1\/000/,
        );
      } finally {
        await server.close();
      }
    });

    it('when a tile is said to be a gigabyte, or never ends, then it is refused after at most a tile and a bit', async () => {
      let streamed = 0;
      const server = await serve(
        folderHandler(dir, (resource, response) => {
          if (resource === 'tile/0/005') {
            response.writeHead(200, { 'content-length': String(1024 ** 3) });
            response.write(Buffer.alloc(65536));
            return true;
          }
          return false;
        }),
      );
      try {
        const declared = await runLedgerAsync(['mirror', 'verify', server.url, '--key', log.vkey]);
        expect(declared.status).toBe(1);
        expect(declared.stdout).toBe(
          'FAILED: tile/0/005: is 1073741824 bytes, more than the 8192 it can be\n',
        );
      } finally {
        await server.close();
      }
      const endless = await serve(
        folderHandler(dir, (resource, response) => {
          if (resource !== 'tile/0/005') return false;
          response.writeHead(200);
          const chunk = Buffer.alloc(65536, 1);
          const pour = (): void => {
            while (!response.destroyed && response.write(chunk)) streamed += chunk.length;
            if (!response.destroyed) response.once('drain', pour);
          };
          response.on('close', () => response.removeAllListeners('drain'));
          pour();
          return true;
        }),
      );
      try {
        const run = await runLedgerAsync(['mirror', 'verify', endless.url, '--key', log.vkey]);
        expect(run.status).toBe(1);
        expect(run.stdout).toBe('FAILED: tile/0/005: the answer holds more than 8192 bytes\n');
        // The client stopped reading: what the server got rid of is socket buffers, not a gigabyte.
        expect(streamed).toBeLessThan(32 * 1024 ** 2);
      } finally {
        await endless.close();
      }
    });

    it('when the server never answers, then each attempt times out and it says so (exit 1)', async () => {
      const server = await serve(
        folderHandler(dir, (resource) => resource === 'tile/1/000'), // the request is left hanging
      );
      try {
        const run = await runLedgerAsync([
          'mirror',
          'verify',
          server.url,
          '--key',
          log.vkey,
          '--timeout',
          '0.5',
        ]);
        expect(run.status).toBe(1);
        expect(run.stdout).toBe(
          `FAILED: tile/1/000: no answer from ${server.url}/tile/1/000: no complete answer within 0.5 s (3 attempts)\n`,
        );
      } finally {
        await server.close();
      }
    });

    it('when nothing listens there, then it could not verify: exit 1 with the reason', async () => {
      const server = await serve(() => undefined);
      const { url } = server;
      await server.close();
      const run = await runLedgerAsync(['mirror', 'verify', url, '--key', log.vkey, '--timeout', '2']);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe(
        `FAILED: checkpoint: no answer from ${url}/checkpoint: ECONNREFUSED (3 attempts)\n`,
      );
    });
  });
});
