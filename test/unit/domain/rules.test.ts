/**
 * The rule catalogue is complete and every rule is pinned by a specification: each rule name thrown in the domain
 * is in the catalogue, each catalogued rule is thrown somewhere, and each has a `thenThrows(…, 'rule')` test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalogue } from '../../../src/domain/rules';

const domainDir = join(__dirname, '../../../src/domain');
const testDir = __dirname;

function sourcesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesIn(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

const catalogued = new Set<string>(ruleCatalogue.map((r) => r.rule));
const domainSource = sourcesIn(domainDir)
  .filter((text) => !text.includes('const rules = ['))
  .join('\n');
const testSource = sourcesIn(testDir).join('\n');

/** Kebab-case literals in the domain that are not rule names. */
const notRules = new Set(['political-body', 'grant-ledger']);

function kebabLiterals(text: string): Set<string> {
  return new Set([...text.matchAll(/'([a-z][a-z0-9]*(?:-[a-z0-9]+)+)'/g)].map((m) => m[1] ?? ''));
}

describe('rule catalogue', () => {
  it('names each rule once, in kebab-case, with the kind of breach and a description', () => {
    expect(catalogued.size).toBe(ruleCatalogue.length);
    for (const entry of ruleCatalogue) {
      expect(entry.rule).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['state conflict', 'rule broken', 'unknown reference']).toContain(entry.kind);
      expect(entry.description.length).toBeGreaterThan(20);
    }
  });

  it('lists every rule name the domain throws', () => {
    const used = [...kebabLiterals(domainSource)].filter((name) => !notRules.has(name));
    expect(used.filter((name) => !catalogued.has(name))).toEqual([]);
  });

  it('lists no rule the domain never throws', () => {
    expect([...catalogued].filter((rule) => !domainSource.includes(`'${rule}'`))).toEqual([]);
  });

  it('has a failing-case specification for every rule', () => {
    const pinned = new Set(
      [...testSource.matchAll(/thenThrows\(\s*\w+,\s*'([a-z0-9-]+)'/g)].map((m) => m[1]),
    );
    expect([...catalogued].filter((rule) => !pinned.has(rule))).toEqual([]);
  });
});
