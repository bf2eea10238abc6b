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
import { tlogOperations } from './routes/tlog';
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
  ...tlogOperations,
  ...exportOperations,
  ...adminOperations,
  ...serviceOperations,
  ...openApiOperations,
];

/** Each operation's served path as a pattern: a `:name` segment stands for any one segment. */
const servedPatterns = operations.map((operation) => ({
  method: operation.method.toUpperCase(),
  pattern: new RegExp(
    `^${servedPathOf(operation)
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`,
    // Express matches paths without regard to case, and so does this.
    'i',
  ),
}));

/**
 * The methods the service answers at a served path ('/api/v1/votes/…'), as an Allow header lists them: GET brings
 * HEAD, and OPTIONS is always answered. Empty for a path no operation serves.
 */
export function methodsAt(servedPath: string): string[] {
  const methods = new Set(servedPatterns.filter((p) => p.pattern.test(servedPath)).map((p) => p.method));
  if (methods.size === 0) return [];
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return [...methods].sort();
}
