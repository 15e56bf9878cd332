/** Builds the web workspace into dist/web, which `lockstep serve` serves at `/`. `vite --config src/web/vite.config.ts` serves it for development, with /v1 proxied to LOCKSTEP_API. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// eslint-disable-next-line no-restricted-syntax -- Vite reads its configuration from the default export.
export default defineConfig({
  root,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 500,
  },
  worker: { format: 'es' },
  server: {
    // eslint-disable-next-line no-restricted-syntax -- dev server only; the app itself never reads the environment.
    proxy: { '/v1': process.env['LOCKSTEP_API'] ?? 'http://127.0.0.1:8080' },
  },
});
