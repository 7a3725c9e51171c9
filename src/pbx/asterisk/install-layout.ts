/**
 * Where an installed Asterisk keeps its files. `npm run asterisk:config` writes an asterisk.conf
 * whose [directories] must match the install, or Asterisk stops at start (`ASTdb initialization
 * failed` when astdbdir does not exist). The layout is derived from what the user tells us:
 *
 * - Debian's package (modules in /usr/lib/<arch>/asterisk/modules): data in /usr/share/asterisk,
 *   state in /var/lib, /var/spool, /var/run, /var/log, /var/cache, binary in /usr/sbin;
 * - a source install (`./configure --prefix=P`, modules in P/lib/asterisk/modules): with P=/usr
 *   the same /var directories, data in /var/lib/asterisk; any other prefix keeps everything
 *   under P (P/var/lib/asterisk, P/var/spool/asterisk, …, P/sbin).
 *
 * Explicit directories always win over derived ones.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface AsteriskDirs {
  modules: string;
  /** astvarlibdir and astdbdir (astdb.sqlite3, keys). */
  lib: string;
  /** astdatadir: sounds/, moh/, … */
  data: string;
  spool: string;
  run: string;
  log: string;
  cache: string;
  sbin: string;
}

export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

const FHS_STATE = { lib: '/var/lib/asterisk', spool: '/var/spool/asterisk', run: '/var/run/asterisk', log: '/var/log/asterisk', cache: '/var/cache/asterisk' };

/** The layout implied by a modules directory (…/lib[64][/<arch>]/asterisk/modules). */
export function layoutFromModules(modulesDir: string): AsteriskDirs {
  const modules = resolve(modulesDir);
  const m = /^(.*?)\/lib(?:64)?(\/[a-z0-9_]+-linux-gnu[a-z]*)?\/asterisk\/modules$/.exec(modules);
  if (!m) throw new LayoutError(`--modules ${modulesDir}: expected <prefix>/lib/asterisk/modules or /usr/lib/<arch>/asterisk/modules; give --lib, --data, --spool, --run, --log, --cache and --sbin explicitly`);
  const prefix = m[1] || '/';
  const multiarch = m[2] !== undefined;
  return layoutFromPrefix(prefix === '' ? '/' : prefix, modules, multiarch);
}

/** The layout implied by the binary (<prefix>/sbin/asterisk): its modules directory is looked for on disk. */
export function layoutFromBinary(bin: string, arch: string = process.arch): AsteriskDirs {
  const real = existsSync(bin) ? realpathSync(bin) : resolve(bin);
  const p = dirname(dirname(real)).replace(/\/$/, '');
  const candidates = [`${p}/lib/asterisk/modules`, `${p}/lib64/asterisk/modules`, `${p}/lib/${triplet(arch)}/asterisk/modules`];
  return layoutFromModules(candidates.find((d) => existsSync(d)) ?? candidates[0]!);
}

function triplet(arch: string): string {
  return `${arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'aarch64' : arch}-linux-gnu`;
}

function layoutFromPrefix(prefix: string, modules: string, debianPackage: boolean): AsteriskDirs {
  if (prefix === '/usr' || prefix === '/') {
    return { modules, ...FHS_STATE, data: debianPackage ? '/usr/share/asterisk' : '/var/lib/asterisk', sbin: '/usr/sbin' };
  }
  const p = prefix.replace(/\/$/, '');
  return {
    modules,
    lib: `${p}/var/lib/asterisk`,
    data: `${p}/var/lib/asterisk`,
    spool: `${p}/var/spool/asterisk`,
    run: `${p}/var/run/asterisk`,
    log: `${p}/var/log/asterisk`,
    cache: `${p}/var/cache/asterisk`,
    sbin: `${p}/sbin`,
  };
}

/** Debian package layout: the default when nothing tells where Asterisk is. */
export function debianLayout(arch: string = process.arch): AsteriskDirs {
  return layoutFromModules(`/usr/lib/${triplet(arch)}/asterisk/modules`);
}

/**
 * Resolve the directories: explicit values first, then what `--modules` or `--asterisk` (the
 * binary) imply, then Debian's package layout.
 */
export function resolveLayout(opts: Partial<AsteriskDirs> & { asterisk?: string | undefined }): AsteriskDirs {
  const base = opts.modules ? layoutFromModules(opts.modules) : opts.asterisk ? layoutFromBinary(opts.asterisk) : debianLayout();
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof AsteriskDirs)[]) {
    const v = opts[key];
    if (v !== undefined && v !== '') out[key] = resolve(v);
  }
  return out;
}
