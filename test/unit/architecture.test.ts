/**
 * The layers of docs/architecture.md, as rules over the import graph: pure deciders and reducers, a store port that
 * is the only way to an adapter, thin HTTP and CLI layers. A rule broken here is a design change to discuss, not a
 * test to update.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

/** What a file imports: a path relative to the repository for the project's own files, else the package name. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map(({ fileName }) =>
      fileName.startsWith('.')
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName))
        : fileName,
    );
}

const graph = new Map(
  [...sourceFiles('src'), ...sourceFiles('projections'), ...sourceFiles('bench')].map((file) => [
    file,
    importsOf(file),
  ]),
);

/** Every import of a file under `from` that `forbidden` matches, as "file → import". */
function importsMatching(
  from: (file: string) => boolean,
  forbidden: (imported: string) => boolean,
): string[] {
  return [...graph]
    .filter(([file]) => from(file))
    .flatMap(([file, imports]) => imports.filter(forbidden).map((imported) => `${file} → ${imported}`));
}

const under = (prefix: string) => (file: string) => file.startsWith(prefix);

describe('the layers hold in the import graph', () => {
  test('the walk sees the code (a rule over no files proves nothing)', () => {
    expect(graph.get('src/domain/proposal/commands.ts')).toContain('src/domain/proposal/submission');
    expect(graph.get('src/ledger.ts')).toContain('src/store/sqlite/sqliteEventStore');
  });

  test('the domain is pure: no I/O, no HTTP, no store, no views, no clock module', () => {
    const outside = (imported: string) => !imported.startsWith('src/domain/') && imported !== 'zod';
    expect(importsMatching(under('src/domain/'), outside)).toEqual([]);
  });

  test('projections are pure reducers over the domain and the port’s event type', () => {
    const allowed = (imported: string) =>
      imported.startsWith('projections/') ||
      imported.startsWith('src/domain/') ||
      imported === 'src/store/eventStore';
    expect(importsMatching(under('projections/'), (i) => !allowed(i))).toEqual([]);
  });

  test('only the composition root and the port’s worker opener reach into an adapter', () => {
    const adapter = (imported: string) =>
      /^src\/store\/(?!eventStore$|baseEventStore$|workerLog$|eventSeal$)[^/]+\//.test(imported);
    const outsideItsFolder = (file: string) =>
      file.startsWith('src/') &&
      !/^src\/store\/[^/]+\//.test(file) &&
      !['src/ledger.ts', 'src/store/workerLog.ts'].includes(file);
    expect(importsMatching(outsideItsFolder, adapter)).toEqual([]);
    // The worker opener names the adapters' openers only.
    expect(
      importsMatching((f) => f === 'src/store/workerLog.ts', adapter).every((i) => /WorkerLog$/.test(i)),
    ).toBe(true);
  });

  test('the HTTP and CLI layers do not open databases themselves', () => {
    const database = (imported: string) => imported === 'better-sqlite3';
    expect(importsMatching((f) => f.startsWith('src/http/') || f.startsWith('src/cli/'), database)).toEqual(
      [],
    );
  });

  test('nothing but the HTTP layer knows express', () => {
    const express = (imported: string) => imported === 'express' || imported.startsWith('src/http/');
    const allowed = (file: string) =>
      file.startsWith('src/http/') ||
      file === 'src/server.ts' ||
      file.startsWith('bench/') ||
      file.startsWith('src/cli/');
    expect(
      importsMatching((f) => f.startsWith('src/') && !allowed(f) && !f.startsWith('src/dashboard/'), express),
    ).toEqual([]);
  });

  test("the witness is a service of its own: the C2SP formats of src/audit, never the ledger's store, views or API", () => {
    expect(graph.get('src/witness/witnessServer.ts')).toEqual(expect.arrayContaining(['src/audit/witness']));
    const formats = ['signedNote', 'cosignature', 'witness', 'witnessPolicy', 'rfc9162', 'consistencyProof'];
    const ledgerSide = (imported: string) =>
      imported.startsWith('src/') &&
      !imported.startsWith('src/witness/') &&
      !formats.some((name) => imported === `src/audit/${name}`) &&
      !['src/logger', 'src/dataDir'].includes(imported);
    expect(importsMatching(under('src/witness/'), ledgerSide)).toEqual([]);
  });
});
