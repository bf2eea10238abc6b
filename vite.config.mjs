// Builds the dashboard (src/dashboard) into dist/dashboard, which the ledger serves at `/` (src/http/dashboard.ts).
// Hashed file names let the server cache assets for ever; index.html is served fresh.
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./src/dashboard', import.meta.url));

export default {
  root,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
};
