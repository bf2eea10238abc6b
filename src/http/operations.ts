/**
 * Every operation the app serves, in one list: the OpenAPI document is generated from it, and the route-by-role,
 * fuzz and contract tests walk it. Each router declares its own and registers its handlers from them.
 */
import { serviceOperations } from './app';
import type { Operation } from './operation';
import { openApiOperations } from './openapiOperations';
import { adminOperations } from './routes/admin';
import { auditOperations } from './routes/audit';
import { commandOperations } from './routes/commands';
import { exportOperations } from './routes/exports';
import { feedOperations } from './routes/feeds';
import { readOperations } from './routes/reads';
import { traceOperations } from './routes/trace';

/** The path an operation is served at: under /api/v1 unless it is a root route. */
export const API_BASE = '/api/v1';
export const servedPathOf = (operation: Operation): string =>
  operation.root ? operation.path : `${API_BASE}${operation.path}`;

export const operations: readonly Operation[] = [
  ...commandOperations,
  ...readOperations,
  ...traceOperations,
  ...feedOperations,
  ...auditOperations,
  ...exportOperations,
  ...adminOperations,
  ...serviceOperations,
  ...openApiOperations,
];
