import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('routing core modules', () => {
  it('load under Node when the virtual-queue rules are imported before the core entry', () => {
    // Plain Node ESM (through tsx), not vitest's module runner: it is Node that enforces the
    // temporal dead zone across a circular import, so a fresh process starts the graph here.
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "const vq = await import('./src/routing/virtual-queue.ts'); const core = await import('./src/routing/decide.ts'); console.log(vq.HOLD_TIMER, typeof core.decide);"],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('vqhold function');
  });
});
