/** The web application's build: web/src → web/dist, served by the engine at `/` (src/api/static-web.ts). */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev:web` against an engine on :8080.
    proxy: Object.fromEntries(['/auth', '/agents', '/lists', '/queues', '/config', '/users', '/api-keys', '/cdrs', '/cdrs.csv', '/recordings', '/cti', '/health'].map((p) => [p, { target: 'http://127.0.0.1:8080', ws: p === '/cti' }])),
  },
});
