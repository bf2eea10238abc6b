/**
 * What the app serves, read from its router, so that the route-by-role tests (S1, S5) notice a route they do not
 * walk; and a client for the live feed, whose answer never ends by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route as "METHOD /path" with express's parameter names, e.g. "GET /committees/:id" (mount paths left out). */
export function servedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: readonly Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          routes.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(routes)].sort();
}

/**
 * GET of a Server-Sent Events route on a listening copy of the app: the status, and for a 200 the text up to the
 * feed's "caught up" comment (everything it had to replay); otherwise the whole (problem) body.
 */
export async function readLiveFeed(
  app: Express,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = http.get(`http://127.0.0.1:${port}${path}`, { headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (res.statusCode === 200 && /^: caught up at /m.test(text)) {
            req.destroy();
            resolve({ status: 200, text });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject); // a no-op once resolved: destroying the request ends it with an error
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
