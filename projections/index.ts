/**
 * The views the runner keeps. `allProjections` for the runner's loop (state types erased); the named exports and
 * `createProjections` for callers that need a view's own state type or a configured threshold.
 */
import { committeeProjection } from './committee';
import { directoryProjection } from './directory';
import { influenceProjection } from './influence';
import { participationProjection } from './participation';
import type { Projection } from './projection';
import { createProposalStatusProjection } from './proposalStatus';
import { traceIndexProjection } from './traceIndex';
import { votesProjection } from './votes';

export * from './projection';
export * from './proposalPath';
export * from './statistics';
export * from './proposalStatus';
export * from './influence';
export * from './participation';
export * from './committee';
export * from './traceIndex';
export * from './votes';
export * from './directory';
export * from './proposalTimeline';
export * from './publicViews';
export type { PublicRate } from './suppression';

export interface ProjectionOptions {
  /** Supports a citizens' initiative needs (LEDGER_CITIZEN_INITIATIVE_THRESHOLD); default 300. */
  citizenInitiativeThreshold?: number;
}

/** Every view, typed, with the configured threshold. */
export function createProjections(options: ProjectionOptions = {}) {
  return {
    proposalStatus: createProposalStatusProjection(options.citizenInitiativeThreshold),
    influence: influenceProjection,
    participation: participationProjection,
    committee: committeeProjection,
    traceIndex: traceIndexProjection,
    votes: votesProjection,
    directory: directoryProjection,
  } as const;
}

export type LedgerProjections = ReturnType<typeof createProjections>;

/** Every view as the runner loops over them: state is opaque JSON to it. */
export function projectionList(projections: LedgerProjections): ReadonlyArray<Projection<unknown>> {
  return Object.values(projections);
}

/** Every view with the default threshold. */
export const allProjections: ReadonlyArray<Projection<unknown>> = projectionList(createProjections());
