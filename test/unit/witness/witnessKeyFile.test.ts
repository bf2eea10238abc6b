import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cosign, parseWitnessVerifierKey, verifyCosignatureLine } from '../../../src/audit/cosignature';
import { checkpointBody } from '../../../src/audit/signedNote';
import {
  WitnessKeyError,
  createWitnessKeyFile,
  loadWitnessKeyFile,
} from '../../../src/witness/witnessKeyFile';
import { makeTempDir } from '../../support/tempDir';

const temp = makeTempDir('witness-key-');
afterAll(() => temp.cleanup());
let n = 0;
const freshFile = (): string => path.join(temp.dir, `key-${++n}.pem`);

describe('the witness key file', () => {
  test('written 0600 with its name, read back as the same key, its vkey verifying its cosignatures', () => {
    const file = freshFile();
    const written = createWitnessKeyFile(file, 'witness.example/w1');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('witness key name: witness.example/w1');
    // A plain PEM reader still reads it (text before "-----BEGIN" is skipped).
    expect(createPrivateKey(text).asymmetricKeyType).toBe('ed25519');

    const loaded = loadWitnessKeyFile(file);
    expect(loaded.name).toBe('witness.example/w1');
    expect(loaded.vkey).toBe(written.vkey);
    const vkey = parseWitnessVerifierKey(loaded.vkey);
    const body = checkpointBody({ origin: 'o.example/log', treeSize: 3, rootHash: Buffer.alloc(32, 1) });
    expect(verifyCosignatureLine(body, cosign(body, loaded.privateKey, loaded.name, 42), vkey)).toBe(42);
  });

  test('an existing file is never overwritten, not even an empty one', () => {
    const file = freshFile();
    fs.writeFileSync(file, '', { mode: 0o600 });
    expect(() => createWitnessKeyFile(file, 'witness.example/w1')).toThrow(/already exists/);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    const kept = freshFile();
    createWitnessKeyFile(kept, 'witness.example/w1');
    const before = fs.readFileSync(kept, 'utf8');
    expect(() => createWitnessKeyFile(kept, 'witness.example/w2')).toThrow(WitnessKeyError);
    expect(fs.readFileSync(kept, 'utf8')).toBe(before);
  });

  test.each(['', 'has space', 'a+b', 'tab\there', 'line\nbreak'])('the key name %j is refused', (name) => {
    const file = freshFile();
    expect(() => createWitnessKeyFile(file, name)).toThrow(/not a key name/);
    expect(fs.existsSync(file)).toBe(false);
  });

  test.each(['0640', '0604', '0660', '0602'])(
    'a key file of mode %s is refused, as an SSH client does',
    (mode) => {
      const file = freshFile();
      createWitnessKeyFile(file, 'witness.example/w1');
      fs.chmodSync(file, parseInt(mode, 8));
      expect(() => loadWitnessKeyFile(file)).toThrow(/open to group or others .* chmod 600/);
    },
  );

  test('a file changed behind its back: no name line, a bad name, no key, another kind of key', () => {
    const write = (text: string): string => {
      const file = freshFile();
      fs.writeFileSync(file, text, { mode: 0o600 });
      return file;
    };
    const pem = (type: 'ed25519' | 'ec'): string =>
      String(
        (type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519')
        ).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      );
    expect(() => loadWitnessKeyFile(write(pem('ed25519')))).toThrow(/not a witness key file/);
    expect(() => loadWitnessKeyFile(write(`witness key name: a b\n${pem('ed25519')}`))).toThrow(
      /not a valid key name/,
    );
    expect(() =>
      loadWitnessKeyFile(write('witness key name: w\n-----BEGIN PRIVATE KEY-----\nAAAA\n')),
    ).toThrow(/no readable PKCS #8 PEM/);
    expect(() => loadWitnessKeyFile(write(`witness key name: w\n${pem('ec')}`))).toThrow(
      /ec key, not Ed25519/,
    );
    expect(() => loadWitnessKeyFile(path.join(temp.dir, 'missing.pem'))).toThrow(/cannot read .* ENOENT/);
  });
});
