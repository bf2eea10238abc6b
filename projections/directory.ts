/**
 * Directory: the arenas (innbyggertorg) and political bodies the ledger has registered, so that every arena or body
 * id a client receives can be resolved to a name (API.md, lookups). Neither names a person: both are public.
 */
import type { EventData, EventType } from '../src/domain/events';
import type { LedgerEvent, Projection } from './projection';

export interface ArenaEntry {
  arenaId: string;
  name: string;
  areas: string[];
}

export interface PoliticalBodyEntry {
  bodyId: string;
  name: string;
  kind: EventData<'PoliticalBodyRegistered'>['kind'];
  /** Null when the registration gave none. */
  seats: number | null;
}

export interface DirectoryState {
  arenas: Record<string, ArenaEntry>;
  bodies: Record<string, PoliticalBodyEntry>;
}

const eventTypes = ['ArenaRegistered', 'PoliticalBodyRegistered'] as const satisfies readonly EventType[];

export const directoryProjection: Projection<DirectoryState> = {
  name: 'directory',
  version: 1,
  eventTypes,
  initialState: () => ({ arenas: {}, bodies: {} }),
  apply: applyToDirectory,
};

function applyToDirectory(state: DirectoryState, event: LedgerEvent): DirectoryState {
  switch (event.type) {
    case 'ArenaRegistered': {
      const { arenaId, name, areas } = event.data;
      state.arenas[arenaId] ??= { arenaId, name, areas: [...areas] };
      break;
    }
    case 'PoliticalBodyRegistered':
      registerPoliticalBody(state.bodies, event.data);
      break;
    default:
      break; // not read by this view
  }
  return state;
}

/**
 * Adds a body to `bodies` as its registration describes it; the first registration of an id stands. Shared with the
 * influence view, which names bodies in its groups: the two can never disagree on a body's name.
 */
export function registerPoliticalBody(
  bodies: Record<string, PoliticalBodyEntry>,
  data: EventData<'PoliticalBodyRegistered'>,
): void {
  const { bodyId, name, kind, seats } = data;
  bodies[bodyId] ??= { bodyId, name, kind, seats: seats ?? null };
}

// ---------- queries ----------

export function arenaOf(state: DirectoryState, arenaId: string): ArenaEntry | undefined {
  const a = state.arenas[arenaId];
  return a === undefined ? undefined : { ...a, areas: [...a.areas] };
}

export function politicalBodyOf(state: DirectoryState, bodyId: string): PoliticalBodyEntry | undefined {
  const b = state.bodies[bodyId];
  return b === undefined ? undefined : { ...b };
}

/** Every arena, by name then id. */
export function listArenas(state: DirectoryState): ArenaEntry[] {
  return Object.values(state.arenas)
    .sort(byNameThenId((a) => a.arenaId))
    .map((a) => ({ ...a, areas: [...a.areas] }));
}

/** Every political body, by name then id. */
export function listPoliticalBodies(state: DirectoryState): PoliticalBodyEntry[] {
  return Object.values(state.bodies)
    .sort(byNameThenId((b) => b.bodyId))
    .map((b) => ({ ...b }));
}

function byNameThenId<T extends { name: string }>(idOf: (entry: T) => string) {
  return (a: T, b: T): number => compare(a.name, b.name) || compare(idOf(a), idOf(b));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
