/**
 * The image and the compose file (issue 13), checked without a Docker engine (none runs here): docker-compose.yml
 * parsed with `yaml` and interpolated as compose does; every ledger service's environment read by the config schema;
 * profiles, volumes, health checks and depends_on as docs/deploy.md describes; the Dockerfile read instruction by
 * instruction for the properties the image promises. That production dependencies suffice is
 * test/e2e/imageDependencies.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { environmentVariables, loadConfig } from '../../src/config';

const root = path.resolve(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

// ---------- compose ----------

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's interpolation (compose-spec "Interpolation"): `$$` is a dollar, `${NAME}`, `${NAME:-default}` and
 * `${NAME:?error}`; an unset variable without a default is empty. Throws on a form it does not know, so the file
 * cannot use one the test would misread.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?$/.exec(braced ?? '');
      if (!m) throw new Error(`unknown interpolation ${whole}`);
      const [, name, op, arg] = m as unknown as [string, string, string | undefined, string | undefined];
      const set = env[name];
      const empty = set === undefined || (op?.startsWith(':') === true && set === '');
      if (op?.endsWith('-')) return empty ? (arg ?? '') : (set as string);
      if (op?.endsWith('?')) {
        if (empty) throw new Error(`${name}: ${arg ?? 'required'}`);
        return set as string;
      }
      return set ?? '';
    },
  );
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services;
const LEDGER_IMAGE = 'participation-ledger:local';
const ledgerServices = Object.entries(services).filter(([, s]) => s.image === LEDGER_IMAGE);
const inProfile = (profile: string | undefined) =>
  Object.keys(services)
    .filter((name) =>
      profile === undefined ? !services[name]?.profiles : services[name]?.profiles?.includes(profile),
    )
    .sort();

/** What an operator's .env holds for the cluster (docs/deploy.md): tokens and the writer's verifier key. */
const operatorEnv = {
  LEDGER_API_TOKENS:
    'admin=compose-admin-token-000001,clerk=compose-clerk-token-000002,evaluator=compose-eval-token-00003',
  LEDGER_CHECKPOINT_VERIFIER_KEY: encodeVerifierKey(
    'participation-ledger/compose-cluster',
    publicKeyFromPrivate(generateSigningKey()),
  ),
};

/** A service's environment as the container sees it: interpolated, every value a string (compose's YAML numbers). */
function environmentOf(
  service: ComposeService,
  env: Record<string, string> = operatorEnv,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [
      k,
      interpolate(v === null ? '' : String(v), env),
    ]),
  );
}

/** `name:/target[:ro]` → its parts; only named volumes (no host paths) are used. */
function mountsOf(service: ComposeService): Array<{ source: string; target: string; readOnly: boolean }> {
  return (service.volumes ?? []).map((spec) => {
    const [source = '', target = '', mode] = spec.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
}

describe('docker-compose.yml', () => {
  test('by default one EventStoreDB node and the ledger; the cluster profile three nodes, a writer and two replicas', () => {
    expect(inProfile(undefined)).toEqual(['eventstoredb', 'ledger']);
    expect(inProfile('cluster')).toEqual([
      'esdb-1',
      'esdb-2',
      'esdb-3',
      'ledger-replica-1',
      'ledger-replica-2',
      'ledger-writer',
    ]);
    const profiles = new Set(Object.values(services).flatMap((s) => s.profiles ?? []));
    expect([...profiles]).toEqual(['cluster']);
  });

  test('every EventStoreDB node runs 24.10 insecure; the cluster nodes are three, each seeded with the other two', () => {
    const nodes = Object.entries(services).filter(([, s]) => s.image?.startsWith('eventstore/'));
    expect(nodes.map(([, s]) => s.image)).toEqual(Array(4).fill('eventstore/eventstore:24.10'));
    for (const [name, node] of nodes) {
      const env = environmentOf(node);
      expect({ name, insecure: env.EVENTSTORE_INSECURE }).toEqual({ name, insecure: 'true' });
      expect({ name, projections: env.EVENTSTORE_RUN_PROJECTIONS }).toEqual({ name, projections: 'None' });
    }
    const cluster = ['esdb-1', 'esdb-2', 'esdb-3'];
    for (const name of cluster) {
      const env = environmentOf(services[name] as ComposeService);
      expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('3');
      expect(env.EVENTSTORE_DISCOVER_VIA_DNS).toBe('false');
      const seeds = (env.EVENTSTORE_GOSSIP_SEED ?? '').split(',').map((s) => s.split(':')[0]);
      expect({ name, seeds: seeds.sort() }).toEqual({ name, seeds: cluster.filter((n) => n !== name) });
    }
    expect(environmentOf(services.eventstoredb as ComposeService).EVENTSTORE_CLUSTER_SIZE).toBe('1');
  });

  test('every environment variable of every ledger service is one the config schema reads', () => {
    expect(ledgerServices.map(([name]) => name).sort()).toEqual([
      'ledger',
      'ledger-replica-1',
      'ledger-replica-2',
      'ledger-writer',
    ]);
    const known = new Set(environmentVariables);
    for (const [name, service] of ledgerServices) {
      const unknown = Object.keys(service.environment ?? {}).filter((v) => !known.has(v));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  test('each ledger service’s environment passes loadConfig, with the roles, stores and files docs/deploy.md names', () => {
    const configs = Object.fromEntries(
      ledgerServices.map(([name, service]) => [name, loadConfig(environmentOf(service))]),
    );
    for (const [name, config] of Object.entries(configs)) {
      expect({ name, store: config.eventStore, host: config.host, dataDir: config.dataDir }).toEqual({
        name,
        store: 'eventstoredb',
        host: '0.0.0.0',
        dataDir: '/data',
      });
      expect(config.personalKeysFile).toBe('/keys/personal-data-keys.sqlite');
      expect(config.pseudonymKeyFile).toBe('/keys/pseudonym-secret');
      expect(config.sealKeyFile).toBe('/keys/event-seal-key');
      // Tokens come from the operator's environment, never from the file.
      expect(config.apiTokens?.map((t) => t.role).sort()).toEqual(['admin', 'clerk', 'evaluator']);
    }
    expect(configs.ledger?.role).toBe('writer');
    expect(configs['ledger-writer']?.role).toBe('writer');
    // A writer's checkpoint journal lives on a volume of its own, not in the data directory (docs/audit.md).
    for (const name of ['ledger', 'ledger-writer']) {
      const journal = configs[name]?.checkpointJournalFile ?? '';
      const mount = mountsOf(services[name] as ComposeService).find((m) =>
        journal.startsWith(`${m.target}/`),
      );
      expect({ name, journalOn: mount?.target }).toEqual({ name, journalOn: '/journal' });
      expect(mount?.readOnly).toBe(false);
    }
    for (const name of ['ledger-replica-1', 'ledger-replica-2']) {
      const replica = configs[name];
      expect(replica?.role).toBe('replica');
      expect(replica?.checkpointVerifierKey).toBe(operatorEnv.LEDGER_CHECKPOINT_VERIFIER_KEY);
      // The writer's address inside the compose network: its service name and the port it listens on.
      const writer = new URL(replica?.writerUrl ?? '');
      expect(writer.hostname).toBe('ledger-writer');
      expect(Number(writer.port)).toBe(configs['ledger-writer']?.port);
    }
  });

  test('the single ledger starts without the cluster’s variables (it makes an admin token)', () => {
    const config = loadConfig(environmentOf(services.ledger as ComposeService, {}));
    expect(config.apiTokens).toBeUndefined();
    expect(config.role).toBe('writer');
  });

  test('no secret is written in the file: tokens and the verifier key only through the environment', () => {
    for (const [name, service] of ledgerServices) {
      for (const variable of ['LEDGER_API_TOKENS', 'LEDGER_CHECKPOINT_VERIFIER_KEY']) {
        const raw = service.environment?.[variable];
        if (raw === undefined) continue;
        expect({ name, variable, raw: String(raw) }).toEqual({
          name,
          variable,
          raw: expect.stringMatching(new RegExp(`^\\$\\{${variable}(:?[-?].*)?\\}$`)),
        });
      }
    }
  });

  test('each ledger connects to EventStoreDB nodes of its own set and waits for them (and replicas for the writer) to be healthy', () => {
    for (const [name, service] of ledgerServices) {
      const url = environmentOf(service).EVENTSTORE_CONNECTION_STRING ?? '';
      const hosts = url
        .replace(/^esdb:\/\//, '')
        .split('?')[0]!
        .split(',')
        .map((h) => h.split(':')[0] as string);
      expect(hosts.length).toBeGreaterThan(0);
      const sameProfile = (other: string) =>
        JSON.stringify(services[other]?.profiles ?? null) === JSON.stringify(service.profiles ?? null);
      expect({ name, hosts: hosts.filter((h) => !sameProfile(h)) }).toEqual({ name, hosts: [] });
      const waitsFor = Object.entries(service.depends_on ?? {});
      for (const host of hosts) expect(service.depends_on?.[host]?.condition).toBe('service_healthy');
      for (const [dependency, { condition }] of waitsFor) {
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        expect(services[dependency]?.healthcheck?.test).toBeDefined();
      }
      if (environmentOf(service).LEDGER_ROLE === 'replica') {
        expect(service.depends_on?.['ledger-writer']?.condition).toBe('service_healthy');
      }
    }
  });

  test('health checks: the ledgers ask /readyz with node (the slim image has no curl), EventStoreDB its /health/live', () => {
    for (const [name, service] of Object.entries(services)) {
      const check = service.healthcheck?.test;
      expect({ name, check: Array.isArray(check) ? check[0] : check }).toEqual({
        name,
        check: expect.stringMatching(/^CMD(-SHELL)?$/),
      });
      const text = (check as string[]).join(' ');
      if (service.image === LEDGER_IMAGE) {
        expect((check as string[])[1]).toBe('node');
        expect(text).toContain('/readyz');
        expect(text).not.toMatch(/curl|wget/);
      } else expect(text).toContain('/health/live');
    }
  });

  test('named volumes: each ledger its own data directory; the cluster’s key store shared, read-only in the replicas', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const dataVolumes: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const mount of mountsOf(service)) {
        // A named volume, declared: no host path, which would leave permissions and backups to chance.
        expect({ name, source: mount.source, declared: declared.has(mount.source) }).toEqual({
          name,
          source: mount.source,
          declared: true,
        });
      }
    }
    for (const [name, service] of ledgerServices) {
      const mounts = mountsOf(service);
      const data = mounts.find((m) => m.target === '/data');
      const keys = mounts.find((m) => m.target === '/keys');
      expect({ name, data: data?.readOnly, keys: keys !== undefined }).toEqual({
        name,
        data: false,
        keys: true,
      });
      dataVolumes.push(data?.source ?? '');
      const replica = environmentOf(service).LEDGER_ROLE === 'replica';
      expect({ name, keysReadOnly: keys?.readOnly }).toEqual({ name, keysReadOnly: replica });
    }
    expect(new Set(dataVolumes).size).toBe(ledgerServices.length);
    const clusterKeys = ['ledger-writer', 'ledger-replica-1', 'ledger-replica-2'].map(
      (name) => mountsOf(services[name] as ComposeService).find((m) => m.target === '/keys')?.source,
    );
    expect(new Set(clusterKeys).size).toBe(1);
    // The single ledger's key store is another ledger's: not the cluster's.
    expect(mountsOf(services.ledger as ComposeService).find((m) => m.target === '/keys')?.source).not.toBe(
      clusterKeys[0],
    );
    for (const node of ['eventstoredb', 'esdb-1', 'esdb-2', 'esdb-3']) {
      expect(mountsOf(services[node] as ComposeService).map((m) => m.target)).toEqual([
        '/var/lib/eventstore',
      ]);
    }
  });

  test('the interpolation the test applies is compose’s (a required variable refuses, $$ is a dollar)', () => {
    expect(interpolate('${A:-x}', {})).toBe('x');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('$${A}', { A: 'no' })).toBe('${A}');
    expect(() => interpolate('${A:?needed}', {})).toThrow('A: needed');
    expect(() => interpolate('${A/x/y}', {})).toThrow('unknown interpolation');
  });
});

// ---------- Dockerfile ----------

interface Instruction {
  keyword: string;
  args: string;
  stage: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped, each with the stage it is in. */
function dockerfile(): { instructions: Instruction[]; stages: Array<{ name: string; base: string }> } {
  const logical: string[] = [];
  let current = '';
  for (const raw of read('Dockerfile').split('\n')) {
    if (/^\s*#/.test(raw) && current === '') continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  const instructions: Instruction[] = [];
  const stages: Array<{ name: string; base: string }> = [];
  for (const line of logical) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction: ${line}`);
    const [, keyword, args] = m as unknown as [string, string, string];
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: from?.[1] ?? '', name: from?.[2] ?? String(stages.length) });
    }
    instructions.push({ keyword, args, stage: stages.at(-1)?.name ?? '' });
  }
  return { instructions, stages };
}

describe('Dockerfile', () => {
  const { instructions, stages } = dockerfile();
  const runtime = stages.at(-1)?.name ?? '';
  const inStage = (stage: string, keyword?: string) =>
    instructions.filter((i) => i.stage === stage && (keyword === undefined || i.keyword === keyword));
  /** A stage and the stages it is built FROM, nearest first. */
  const lineage = (stage: string): string[] => {
    const own = stages.find((s) => s.name === stage);
    return own ? [stage, ...lineage(own.base)] : [];
  };
  const runsIn = (stage: string) => lineage(stage).flatMap((s) => inStage(s, 'RUN').map((i) => i.args));

  test('multi-stage, every stage from node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const bases = lineage(stage.name).map((s) => stages.find((x) => x.name === s)?.base);
      expect({ stage: stage.name, base: bases.at(-1) }).toEqual({
        stage: stage.name,
        base: 'node:20-bookworm-slim',
      });
    }
  });

  test('a build stage installs everything and builds; the runtime stage installs nothing and copies production node_modules', () => {
    const building = stages.filter((s) => runsIn(s.name).some((r) => /\bnpm run build\b/.test(r)));
    expect(building.length).toBe(1);
    expect(runsIn(building[0]?.name ?? '').some((r) => /\bnpm ci\b(?!.*--omit=dev)/.test(r))).toBe(true);
    // The runtime stage runs no npm at all (so no dev install, no build).
    expect(inStage(runtime, 'RUN').filter((i) => /\bnpm\b|\byarn\b|\bpnpm\b/.test(i.args))).toEqual([]);
    const copies = inStage(runtime, 'COPY').map((i) => i.args);
    const modules = copies.find((c) => /\bnode_modules\b/.test(c)) ?? '';
    const from = /--from=(\S+)/.exec(modules)?.[1] ?? '';
    expect(from).not.toBe('');
    // node_modules come from a stage that installed production dependencies only, with a compiler for better-sqlite3.
    const installs = runsIn(from).filter((r) => /\bnpm (ci|install)\b/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    expect(installs.every((r) => /--omit=dev/.test(r))).toBe(true);
    expect(runsIn(from).some((r) => /python3/.test(r) && /\bmake\b/.test(r) && /g\+\+/.test(r))).toBe(true);
    // The built tree comes from the building stage.
    expect(copies.some((c) => c.includes(`--from=${building[0]?.name ?? ''}`) && /\bdist\b/.test(c))).toBe(
      true,
    );
  });

  test('it runs as a user that is not root, from before CMD to the end', () => {
    const last = instructions.filter((i) => i.stage === runtime);
    const users = last.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args.split(':')[0] ?? '';
    expect(['', 'root', '0']).not.toContain(user);
    expect(last.findIndex((i) => i === users.at(-1))).toBeLessThan(
      last.findIndex((i) => i.keyword === 'CMD'),
    );
  });

  test('HEALTHCHECK asks /readyz with node (no curl in the slim image)', () => {
    const checks = inStage(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const args = checks[0]?.args ?? '';
    const command = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/readyz');
    expect(args).not.toMatch(/curl|wget/);
  });

  test('CMD runs the built server as `npm start` does after its build, without npm', () => {
    const cmd = inStage(runtime, 'CMD');
    expect(cmd).toHaveLength(1);
    const argv = JSON.parse(cmd[0]?.args ?? '') as string[]; // exec form: signals reach node, not a shell
    expect(argv[0]).toBe('node');
    expect(argv).not.toContain('npm');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const afterBuild = pkg.scripts.start?.split('&&').at(-1)?.trim().split(/\s+/);
    expect(argv).toEqual(afterBuild);
    expect(fs.existsSync(path.join(root, 'scripts/build.js'))).toBe(true);
  });

  test('the image’s data directory is a volume; the server listens on every interface inside the container', () => {
    const env = inStage(runtime, 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(env).toMatch(/LEDGER_DATA_DIR=\/data/);
    expect(inStage(runtime, 'VOLUME').map((i) => i.args)).toEqual(['["/data"]']);
  });

  test('.dockerignore keeps data, keys, host builds and dependencies out, and nothing the build copies', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const pattern of ['node_modules', 'dist', 'data', '.env', '**/*.pem', '**/*.sqlite', '.git']) {
      expect(ignored).toContain(pattern);
    }
    const copied = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(3);
    for (const source of copied) {
      expect({ source, exists: fs.existsSync(path.join(root, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: ignored.includes(source.split('/')[0] as string) }).toEqual({
        source,
        ignored: false,
      });
    }
  });
});
