// Build the web application (web/ → web/dist) with Vite. Run by `npm ci` (prepare), `npm test`
// (pretest) and `npm run build:web`. Skips, saying why, where it cannot build: a production
// install without dev dependencies, or a Docker layer that has package.json but not web/ yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const config = fileURLToPath(new URL('../web/vite.config.ts', import.meta.url));
if (!existsSync(config)) {
  console.log('build-web: web/ is not here yet; skipped (run `npm run build:web` once it is)');
  process.exit(0);
}
let vite;
try {
  vite = await import('vite');
} catch {
  console.log('build-web: vite is not installed (production install?); skipped');
  process.exit(0);
}
await vite.build({ configFile: config, logLevel: 'warn' });
console.log('build-web: web/dist built');
