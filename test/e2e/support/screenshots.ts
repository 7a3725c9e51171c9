/**
 * Where the browser tests save the screenshots of the three views: into docs/screenshots (shown
 * by the README) when SWITCHBOARD_SCREENSHOTS=1, else into a temporary folder, so a test run does
 * not rewrite tracked files.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHOTS = process.env.SWITCHBOARD_SCREENSHOTS === '1' ? new URL('../../../docs/screenshots/', import.meta.url).pathname : join(tmpdir(), 'switchboard-screenshots/');
mkdirSync(SHOTS, { recursive: true });
