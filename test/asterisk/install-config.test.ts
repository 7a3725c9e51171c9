/**
 * README's "With an Asterisk you already run" path on the installed Asterisk: `npm run
 * asterisk:config` told only where the install is (its binary) renders an asterisk.conf whose
 * directories are the install's own, and Asterisk starts from it without an error line.
 * Only the control socket and log directories are pointed at a private directory (--run, --log),
 * so the test never touches a running system Asterisk's socket.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAsterisk, freePort, HOW_TO_GET_ASTERISK, repoRoot } from './harness.js';

const install = findAsterisk();
const tsx = join(repoRoot, 'node_modules/.bin/tsx');

describe.skipIf(!install)(`asterisk:config for an installed Asterisk${install ? '' : ` (skipped: ${HOW_TO_GET_ASTERISK})`}`, () => {
  let dir: string;
  let etc: string;
  let child: ChildProcess | undefined;
  let output = '';
  let rendered: { status: number | null; stdout: string; stderr: string };
  let ariUrl: string;
  const auth = 'Basic ' + Buffer.from('switchboard:test-ari-secret').toString('base64');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-install-'));
    etc = join(dir, 'etc');
    const [httpPort, sipPort, rtp] = [await freePort(), await freePort(), await freePort(11)];
    ariUrl = `http://127.0.0.1:${httpPort}`;
    const env = {
      ...process.env,
      AST_ARI_PASSWORD: 'test-ari-secret',
      AST_PHONE_PASSWORD: 'test-phone-secret',
      AST_HTTP_PORT: String(httpPort),
      AST_SIP_PORT: String(sipPort),
      AST_RTP_START: String(rtp + (rtp % 2)),
      AST_RTP_END: String(rtp + (rtp % 2) + 9),
    };
    const r = spawnSync(tsx, [join(repoRoot, 'scripts/asterisk-config.ts'), '--out', etc, '--asterisk', install!.bin, '--run', join(dir, 'run'), '--log', join(dir, 'log')], { env, encoding: 'utf8', timeout: 60_000 });
    rendered = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    if (r.status !== 0) return;
    mkdirSync(join(dir, 'run'));
    mkdirSync(join(dir, 'log'));
    child = spawn('timeout', ['-k', '5', '120', install!.bin, '-C', join(etc, 'asterisk.conf'), '-f', '-n'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const ok = await fetch(`${ariUrl}/ari/asterisk/info`, { headers: { authorization: auth }, signal: AbortSignal.timeout(1000) }).then((x) => x.ok, () => false);
      if (ok) break;
      await new Promise((res) => setTimeout(res, 150));
    }
  }, 90_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const gone = new Promise((res) => child!.once('exit', res));
      process.kill(-child.pid, 'SIGTERM');
      const t = setTimeout(() => child?.pid && process.kill(-child.pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('derives every directory from the binary and names them, with the start commands', () => {
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const conf = readFileSync(join(etc, 'asterisk.conf'), 'utf8');
    const dirs = Object.fromEntries([...conf.matchAll(/^(ast\w+dir) => (.+)$/gm)].map((m) => [m[1], m[2]]));
    expect(dirs.astmoddir).toBe(install!.modulesDir);
    expect(dirs.astsbindir).toBe(join(install!.bin, '..'));
    for (const key of ['astmoddir', 'astdbdir', 'astvarlibdir', 'astdatadir', 'astspooldir', 'astsbindir']) {
      expect(existsSync(dirs[key]!), `${key} ${dirs[key]}`).toBe(true);
    }
    expect(existsSync(join(dirs.astdatadir!, 'sounds'))).toBe(true);
    expect(rendered.stdout).toContain(`start (not running yet):  ${install!.bin} -C ${etc}/asterisk.conf`);
    expect(rendered.stdout).toContain(`${dirs.astdatadir}/sounds/$l/switchboard`);
  });

  it('starts Asterisk from the rendered configuration with ARI up and no error logged', async () => {
    expect(child?.exitCode ?? null).toBeNull();
    const info = await fetch(`${ariUrl}/ari/asterisk/info`, { headers: { authorization: auth } });
    expect(info.status).toBe(200);
    const settings = spawnSync(install!.bin, ['-C', join(etc, 'asterisk.conf'), '-rx', 'core show settings'], { encoding: 'utf8', timeout: 10_000 }).stdout;
    const conf = readFileSync(join(etc, 'asterisk.conf'), 'utf8');
    const dataDir = /^astdatadir => (.+)$/m.exec(conf)![1]!;
    expect(settings).toMatch(new RegExp(`Data directory:\\s+${dataDir.replace(/[/.]/g, '\\$&')}`));
    const messages = readFileSync(join(dir, 'log/messages.log'), 'utf8');
    expect(output).not.toMatch(/ASTdb initialization failed/);
    expect(`${output}\n${messages}`.split('\n').filter((l) => /ERROR\[/.test(l))).toEqual([]);
  });
});
