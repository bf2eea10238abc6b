/**
 * `npm run bench -- <name> [--events N]`: runs one benchmark (or all), prints its table and writes
 * bench/results/latest.json. Benchmarks compare against a baseline measured in the same run (QUALITY.md).
 */
import { parseArgs } from '../src/cli/args';
import { benchAppend } from './append';
import { benchDashboard } from './dashboard';
import { benchEventStoreDb } from './eventStoreDb';
import { benchHostileBodies } from './hostileBodies';
import { benchMirror } from './mirror';
import { benchProofs } from './proofs';
import { benchStart } from './start';
import { benchTiles } from './tiles';
import { benchViews } from './views';
import { benchWitnessing } from './witnessing';

const benches: Record<string, (args: { events?: number; scale?: number }) => Promise<void>> = {
  append: benchAppend,
  views: benchViews,
  rebuild: benchViews,
  asof: benchViews,
  proofs: benchProofs,
  start: benchStart,
  hostile: benchHostileBodies,
  dashboard: benchDashboard,
  mirror: benchMirror,
  tiles: benchTiles,
  witnessing: benchWitnessing,
  eventstoredb: benchEventStoreDb,
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = args.positionals.length > 0 ? args.positionals : ['append', 'views', 'proofs', 'start'];
  const events = typeof args.options.events === 'string' ? Number(args.options.events) : undefined;
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
      process.exit(2);
    }
    const scale = typeof args.options.scale === 'string' ? Number(args.options.scale) : undefined;
    await bench({ events, scale });
  }
}

void main();
