/**
 * Render the project's Asterisk configuration for an Asterisk installed on this machine (no docker):
 *   AST_ARI_PASSWORD=... AST_PHONE_PASSWORD=... npm run asterisk:config -- --out /etc/asterisk --modules DIR
 * The install's directories are derived from --modules (or --asterisk, the binary), else Debian's
 * package layout; each can be overridden. Every other value comes from AST_* variables (see
 * asterisk-conf/README.md) or a loopback default. Prints the directories used and the next steps.
 */
import { parseArgs } from 'node:util';
import { configDefaults, configVarsFromEnv, ConfigRenderError, renderAsteriskConfig, type AsteriskConfigVars } from '../src/pbx/asterisk/render-config.js';
import { LayoutError, resolveLayout } from '../src/pbx/asterisk/install-layout.js';

const USAGE = `usage: npm run asterisk:config -- --out DIR [options]

  --out DIR       where to write the configuration (becomes astetcdir; e.g. /etc/asterisk,
                  or <prefix>/etc/asterisk for a source install)
  --modules DIR   the install's modules directory; the other directories are derived from it:
                    /usr/lib/<arch>/asterisk/modules  Debian's package (/usr/share/asterisk, /var/…)
                    <prefix>/lib/asterisk/modules     a source install (<prefix>/var/lib/asterisk, …)
  --asterisk BIN  the asterisk binary, instead of --modules (<prefix>/sbin/asterisk)
  Each derived directory can be set explicitly:
  --lib DIR       astvarlibdir and astdbdir (astdb.sqlite3, keys)
  --data DIR      astdatadir (sounds/, moh/; our prompts go in <data>/sounds/<lang>/switchboard)
  --spool DIR     astspooldir (recordings in <spool>/recording)
  --run DIR       astrundir (control socket, pid file)
  --log DIR       astlogdir
  --cache DIR     astcachedir
  --sbin DIR      astsbindir
  With neither --modules nor --asterisk, Debian's package layout is assumed.
Secrets and addresses come from AST_* variables (asterisk-conf/README.md).
`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      out: { type: 'string' },
      modules: { type: 'string' },
      asterisk: { type: 'string' },
      lib: { type: 'string' },
      data: { type: 'string' },
      spool: { type: 'string' },
      run: { type: 'string' },
      log: { type: 'string' },
      cache: { type: 'string' },
      sbin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.out) {
  process.stderr.write(`--out is required\n\n${USAGE}`);
  process.exit(2);
}
let dirs;
try {
  dirs = resolveLayout(values);
} catch (err) {
  if (!(err instanceof LayoutError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const vars = {
  ...configDefaults,
  DIR_ETC: values.out,
  DIR_MOD: dirs.modules,
  DIR_VARLIB: dirs.lib,
  DIR_DB: dirs.lib,
  DIR_DATA: dirs.data,
  DIR_SPOOL: dirs.spool,
  DIR_RUN: dirs.run,
  DIR_LOG: dirs.log,
  DIR_CACHE: dirs.cache,
  DIR_SBIN: dirs.sbin,
  ...configVarsFromEnv(),
} as AsteriskConfigVars;
try {
  const written = await renderAsteriskConfig({ confDir: `${root}asterisk-conf`, dialplanDir: `${root}dialplan`, outDir: values.out, vars });
  const conf = `${values.out.replace(/\/$/, '')}/asterisk.conf`;
  process.stdout.write(
    [
      `wrote ${written.length} files to ${values.out}`,
      `directories: modules ${dirs.modules}, lib ${dirs.lib}, data ${dirs.data}, spool ${dirs.spool}, run ${dirs.run}, log ${dirs.log}, cache ${dirs.cache}, sbin ${dirs.sbin}`,
      'next:',
      `  npm run prompts && for l in en es; do mkdir -p ${dirs.data}/sounds/$l && ln -sfn "${root}sounds/switchboard/$l" ${dirs.data}/sounds/$l/switchboard; done`,
      `  mkdir -p ${dirs.spool}/recording`,
      `  start (not running yet):  ${dirs.sbin}/asterisk -C ${conf}`,
      `  restart (already running): ${dirs.sbin}/asterisk -C ${conf} -rx 'core restart now'`,
      '',
    ].join('\n'),
  );
} catch (err) {
  if (err instanceof ConfigRenderError) {
    process.stderr.write(`${err.message} (set the matching AST_* variable)\n`);
    process.exit(1);
  }
  throw err;
}
