/**
 * Serves the dashboard (issue 10): the Vite build in dist/dashboard. Its pages are addresses a reader can link and
 * cite (`/committees/<id>?asOf=…`), so each page path answers the same index.html and the app reads the address
 * (an address no page has too, as a 404, when a browser asks for it).
 * Assets have content hashes in their names and never change: they are cached for a year; index.html is revalidated
 * so a new release is picked up at once. Other paths fall through to the API's 404 problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { Router } from 'express';
import { markOperation } from './operation';
import { problems } from './problem';

/** The paths of the dashboard's pages (src/dashboard/state.ts `routes`), served as one route. */
export const DASHBOARD_PAGES = [
  '/',
  '/committees',
  '/committees/:id',
  '/participation',
  '/proposals',
  '/proposals/:id',
];

/** dist/dashboard of the checkout this file runs from (as dist/src/http/dashboard.js, or from source in tests). */
export function builtDashboardDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, 'dist', 'dashboard');
}

export function dashboardRouter(dir: string = builtDashboardDir()): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  // The app's JavaScript is 279 kB and 90 kB gzipped: compressed here, since a reader may have no proxy that does.
  // API answers reach this router only as 404s, and the live feeds never (compressing them would hold events back).
  router.use(
    compression({ filter: (req, res) => !req.path.startsWith('/api/') && compression.filter(req, res) }),
  );
  router.use(
    '/assets',
    markOperation('dashboardAsset'),
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: true,
      dotfiles: 'ignore',
    }),
  );
  router.get(DASHBOARD_PAGES, markOperation('dashboardPage'), (_req, res) => {
    if (!fs.existsSync(index)) {
      throw problems.unavailable('The dashboard is not built: run `npm run build` (npm start does it)');
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  // A browser that asks for an address no page has gets the dashboard's own "no such page" (with its navigation),
  // still as a 404; API paths, assets and clients that ask for JSON get the problem document.
  router.use((req, res, next) => {
    const page = req.method === 'GET' || req.method === 'HEAD';
    const elsewhere = req.path.startsWith('/api/') || req.path.startsWith('/assets/');
    if (!page || elsewhere || req.accepts(['json', 'html']) !== 'html' || !fs.existsSync(index)) {
      next();
      return;
    }
    res.status(404).setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
