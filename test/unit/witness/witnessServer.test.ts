import Database from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { verifyCosignature, verifyCosignatureLine } from '../../../src/audit/cosignature';
import {
  checkpointBody,
  encodeVerifierKey,
  generateSigningKey,
  parseVerifierKey,
  publicKeyFromPrivate,
  signCheckpoint,
  splitNote,
  verifyCheckpointNote,
} from '../../../src/audit/signedNote';
import {
  MAX_REQUEST_LENGTH,
  TLOG_SIZE_CONTENT_TYPE,
  encodeAddCheckpointRequest,
  parseAddCheckpointResponse,
} from '../../../src/audit/witness';
import { originHashOf } from '../../../src/witness/witnessState';
import { makeTempDir } from '../../support/tempDir';
import { ORIGIN, fork, log, logKey } from './witnessedLog';
import { WITNESS_VKEY, addCheckpoint, send, serveWitness, type ServedWitness } from './witnessServing';
import { rawExchange } from '../../support/rawHttp';

const NOW = 1_764_645_000;
const TEXT = 'text/plain; charset=utf-8';
const temp = makeTempDir('witness-server-');
afterAll(() => temp.cleanup());
let n = 0;
const freshDir = (): string => path.join(temp.dir, `w${++n}`);

let witness: ServedWitness;
beforeEach(async () => {
  const dir = freshDir();
  fs.mkdirSync(dir);
  witness = await serveWitness(dir);
});
afterEach(() => witness.stop());

/** The witness's cosignature lines in a 200, checked against its key over the checkpoint's text. */
function cosignedAt(body: string, checkpoint: string): number | null {
  const parsed = parseAddCheckpointResponse(200, body);
  if (parsed.kind !== 'cosigned') return null;
  const text = splitNote(checkpoint)?.text ?? '';
  const [line] = parsed.cosignatures;
  return parsed.cosignatures.length === 1 && line ? verifyCosignatureLine(text, line, WITNESS_VKEY) : null;
}

describe('POST /add-checkpoint answers with tlog-witness statuses and content types', () => {
  test('200: a cosignature the witness key verifies, at the witness clock; no request content type needed', async () => {
    const answer = await addCheckpoint(witness.url, log.request(0, 100));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(TEXT);
    expect(answer.body).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    expect(cosignedAt(answer.body, log.checkpointAt(100))).toBe(NOW);
    // It does not cosign another checkpoint of the same size.
    expect(cosignedAt(answer.body, fork.checkpointAt(150))).toBeNull();
  });

  test('409 text/x.tlog.size with the size last cosigned, for an old size that is not it', async () => {
    expect((await addCheckpoint(witness.url, log.request(0, 100))).status).toBe(200);
    const stale = await addCheckpoint(witness.url, log.request(0, 150));
    expect(stale).toMatchObject({ status: 409, body: '100\n' });
    expect(stale.headers['content-type']).toBe(TLOG_SIZE_CONTENT_TYPE);
    const ahead = await addCheckpoint(witness.url, log.request(120, 150));
    expect(ahead).toMatchObject({ status: 409, body: '100\n' });
    expect((await addCheckpoint(witness.url, log.request(100, 150))).status).toBe(200);
  });

  test('403: no signature of a trusted key, or a trusted key name and ID whose signature fails', async () => {
    const stranger = generateSigningKey();
    const unsigned = signCheckpoint(
      { origin: ORIGIN, treeSize: 5, rootHash: log.rootAt(5) },
      stranger,
      'x.example',
    );
    const unknownKey = await addCheckpoint(witness.url, `old 0\n\n${unsigned}`);
    expect(unknownKey).toMatchObject({ status: 403, body: 'no signature of a trusted key of this log\n' });

    const good = log.checkpointAt(5);
    // Flip a byte of the Ed25519 signature, keeping the key ID: a malformed note per signed-note.
    const line = good.slice(good.lastIndexOf('— '));
    const blob = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
    blob[10] = (blob[10] ?? 0) ^ 1;
    const forged = `${good.slice(0, good.lastIndexOf(' ') + 1)}${blob.toString('base64')}\n`;
    const badSignature = await addCheckpoint(witness.url, `old 0\n\n${forged}`);
    expect(badSignature.status).toBe(403);
    expect(badSignature.body).toMatch(/does not verify/);
    expect(witness.state.head(ORIGIN)).toBeNull();
  });

  test('404: a checkpoint of an origin the policy does not list', async () => {
    const otherKey = generateSigningKey();
    const other = signCheckpoint(
      { origin: 'other.example/log', treeSize: 1, rootHash: log.rootAt(1) },
      otherKey,
      'other.example/log',
    );
    const answer = await addCheckpoint(witness.url, `old 0\n\n${other}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatch(/unknown log origin "other\.example\/log"/);
  });

  test('422 for a proof that does not verify: an ALARM at error level with the origin, the sizes and both roots', async () => {
    expect((await addCheckpoint(witness.url, log.request(0, 150))).status).toBe(200);
    const answer = await addCheckpoint(witness.url, fork.request(150, 200));
    expect(answer.status).toBe(422);
    expect(answer.body).toBe('the consistency proof from size 150 to 200 does not verify\n');
    const alarm = witness.logLines().find((l) => String(l.msg).startsWith('ALARM'));
    expect(alarm).toMatchObject({
      level: 50,
      alarm: 'possible-fork',
      origin: ORIGIN,
      oldSize: 150,
      cosignedSize: 150,
      cosignedRoot: log.rootAt(150).toString('base64'),
      newSize: 200,
      newRoot: fork.rootAt(200).toString('base64'),
      checkpoint: fork.checkpointAt(200),
    });
    expect(String(alarm?.cosignedCheckpoint)).toContain(log.checkpointAt(150));
    expect(witness.state.head(ORIGIN)?.rootHash).toEqual(log.rootAt(150));
  });

  test('422 for the same size with another root, and for a proof from size 0', async () => {
    expect((await addCheckpoint(witness.url, log.request(0, 150))).status).toBe(200);
    const sameSize = encodeAddCheckpointRequest({
      oldSize: 150,
      proof: [],
      checkpoint: fork.checkpointAt(150),
    });
    expect(await addCheckpoint(witness.url, sameSize)).toMatchObject({
      status: 422,
      body: 'the root hash at size 150 differs from the one cosigned\n',
    });
    const fresh = freshDir();
    fs.mkdirSync(fresh);
    const other = await serveWitness(fresh);
    const proofFromZero = encodeAddCheckpointRequest({
      oldSize: 0,
      proof: [Buffer.alloc(32)],
      checkpoint: log.checkpointAt(3),
    });
    expect((await addCheckpoint(other.url, proofFromZero)).status).toBe(422);
    await other.stop();
  });

  test.each([
    ['not a request', 'hello'],
    ['CR LF line ends', log.request(0, 10).replaceAll('\n', '\r\n')],
    ['an old size with a leading zero', log.request(0, 10).replace('old 0', 'old 00')],
    ['a byte order mark', `\ufeff${log.request(0, 10)}`],
    ['no empty line before the checkpoint', `old 0\n${log.checkpointAt(10)}`],
    ['a proof line that is not a hash', `old 0\nAAAA\n\n${log.checkpointAt(10)}`],
  ])('400 for a malformed body: %s', async (_what, body) => {
    const answer = await addCheckpoint(witness.url, body);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe(TEXT);
  });

  test('400 for an old size above the checkpoint size, and for a body that is not UTF-8', async () => {
    const above = encodeAddCheckpointRequest({ oldSize: 11, proof: [], checkpoint: log.checkpointAt(10) });
    expect((await addCheckpoint(witness.url, above)).status).toBe(400);
    const latin1 = Buffer.concat([Buffer.from(log.request(0, 10)), Buffer.from([0xff, 0xfe])]);
    expect(await addCheckpoint(witness.url, latin1)).toMatchObject({
      status: 400,
      body: 'the request body is not UTF-8 text\n',
    });
  });

  test('same old size at once: exactly one of many concurrent requests is cosigned, the others get 409', async () => {
    const sizes = [100, 120, 140, 160, 180, 200, 220, 240];
    const answers = await Promise.all(sizes.map((size) => addCheckpoint(witness.url, log.request(0, size))));
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    const winner = sizes[answers.findIndex((a) => a.status === 200)] as number;
    expect(answers.filter((a) => a.status === 409).map((a) => a.body)).toEqual(
      sizes.slice(1).map(() => `${winner}\n`),
    );
    expect(witness.state.head(ORIGIN)?.treeSize).toBe(winner);
  });
});

describe('request hygiene', () => {
  test('413 for a declared length over the cap, before the body is sent, and the connection is closed', async () => {
    const answer = await rawExchange(
      witness.port,
      `POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: 10000000\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
  });

  test('413 for a chunked body that passes the cap as it arrives', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${witness.url}/add-checkpoint`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined); // the witness may close before the client is done writing
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i * chunk.length <= MAX_REQUEST_LENGTH + chunk.length; i++) req.write(chunk);
      req.end();
      setTimeout(() => reject(new Error('no answer')), 10_000).unref();
    });
    expect(answer).toBe(413);
  });

  test('a body exactly at the cap is read (and refused as malformed, not as too large)', async () => {
    const answer = await addCheckpoint(witness.url, 'x'.repeat(MAX_REQUEST_LENGTH));
    expect(answer.status).toBe(400);
  });

  test('405 with Allow for another method on the path; 404 elsewhere; never a stack trace', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      const answer = await send(witness.url, method, '/add-checkpoint');
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
    }
    for (const target of ['/', '/add-checkpoint/', '/ADD-CHECKPOINT', '/api/v1/audit/checkpoint', '/%00']) {
      const answer = await send(witness.url, 'POST', target, log.request(0, 1));
      expect(answer.status).toBe(404);
      expect(answer.body).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    expect(witness.state.head(ORIGIN)).toBeNull();
  });

  test('malformed HTTP is answered 400 and cut off; the witness keeps serving', async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(witness.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await addCheckpoint(witness.url, log.request(0, 10))).status).toBe(200);
  });

  test('a client that never finishes its headers, or its body, is answered 408 and cut off', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const slow = await serveWitness(dir, { headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const stalled = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(slow.port, '127.0.0.1', () => socket.write(text));
        let answer = '';
        socket.on('data', (c: Buffer) => (answer += c.toString()));
        socket.on('close', () => resolve(answer));
      });
    expect(await stalled('POST /add-checkpoint HTTP/1.1\r\nHost: w\r\n')).toMatch(/^HTTP\/1\.1 408 /);
    expect(
      await stalled('POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: 100\r\n\r\nold 0\n'),
    ).toMatch(/^HTTP\/1\.1 408 /);
    await slow.stop();
  });

  test('a state row changed while serving: 503 in plain words, logged, nothing cosigned', async () => {
    expect((await addCheckpoint(witness.url, log.request(0, 100))).status).toBe(200);
    const db = new Database(witness.state.file);
    db.prepare('UPDATE log_heads SET root_hash = zeroblob(8)').run();
    db.close();
    const answer = await addCheckpoint(witness.url, log.request(100, 150));
    expect(answer).toMatchObject({ status: 503, body: 'the witness cannot answer now; try again later\n' });
    expect(witness.logLines().some((l) => l.level === 50 && /nothing was cosigned/.test(String(l.msg)))).toBe(
      true,
    );
  });
});

describe('GET /<origin hash>/checkpoint, the monitoring retrieval', () => {
  const monitoringPath = `/${originHashOf(ORIGIN)}/checkpoint`;

  test('404 before the first cosignature; then the checkpoint with the log signature and the cosignature', async () => {
    expect((await send(witness.url, 'GET', monitoringPath)).status).toBe(404);
    await addCheckpoint(witness.url, log.request(0, 100));
    const answer = await send(witness.url, 'GET', monitoringPath);
    expect(answer.status).toBe(200);
    const logVkey = parseVerifierKey(encodeVerifierKey(ORIGIN, publicKeyFromPrivate(logKey)));
    expect(answer.body.startsWith(log.checkpointAt(100))).toBe(true);
    expect(verifyCheckpointNote(answer.body, logVkey.publicKey, logVkey.keyName)?.treeSize).toBe(100);
    expect(verifyCosignature(answer.body, WITNESS_VKEY)).toBe(NOW);
    expect(splitNote(answer.body)?.text).toBe(
      checkpointBody({ origin: ORIGIN, treeSize: 100, rootHash: log.rootAt(100) }),
    );
    const head = await send(witness.url, 'HEAD', monitoringPath);
    expect(head).toMatchObject({ status: 200, body: '' });
    const post = await send(witness.url, 'POST', monitoringPath, 'x');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    // The hash is lowercase hex: any other spelling is another path.
    expect((await send(witness.url, 'GET', monitoringPath.toUpperCase())).status).toBe(404);
  });
});

describe('a restart keeps the state', () => {
  test('a new server on the same file remembers the head: old size 0 is a conflict', async () => {
    expect((await addCheckpoint(witness.url, log.request(0, 100))).status).toBe(200);
    const file = witness.state.file;
    await witness.stop();
    witness = await serveWitness(path.dirname(file), { stateFile: file });
    expect(await addCheckpoint(witness.url, log.request(0, 150))).toMatchObject({
      status: 409,
      body: '100\n',
    });
    const next = await addCheckpoint(witness.url, log.request(100, 150));
    expect(cosignedAt(next.body, log.checkpointAt(150))).toBe(NOW);
  });
});
