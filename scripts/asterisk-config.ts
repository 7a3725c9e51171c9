/**
 * Render the project's Asterisk configuration for an Asterisk installed on this machine (no docker):
 *   AST_ARI_PASSWORD=... AST_PHONE_PASSWORD=... npm run asterisk:config -- --out /etc/asterisk
 * Directories default to the usual package layout; override with --modules, --data, --spool, --lib.
 * Every other value comes from AST_* variables (see asterisk-conf/README.md) or a loopback default.
 */
import { parseArgs } from 'node:util';
import { configDefaults, configVarsFromEnv, ConfigRenderError, renderAsteriskConfig, type AsteriskConfigVars } from '../src/pbx/asterisk/render-config.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    modules: { type: 'string', default: '/usr/lib/asterisk/modules' },
    lib: { type: 'string', default: '/var/lib/asterisk' },
    data: { type: 'string', default: '/var/lib/asterisk' },
    spool: { type: 'string', default: '/var/spool/asterisk' },
    sbin: { type: 'string', default: '/usr/sbin' },
  },
});
if (!values.out) {
  process.stderr.write('usage: npm run asterisk:config -- --out DIR [--modules DIR] [--lib DIR] [--data DIR] [--spool DIR]\n');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const vars = {
  ...configDefaults,
  DIR_ETC: values.out,
  DIR_MOD: values.modules,
  DIR_VARLIB: values.lib,
  DIR_DB: values.lib,
  DIR_DATA: values.data,
  DIR_SPOOL: values.spool,
  DIR_RUN: '/var/run/asterisk',
  DIR_LOG: '/var/log/asterisk',
  DIR_CACHE: '/var/cache/asterisk',
  DIR_SBIN: values.sbin,
  ...configVarsFromEnv(),
} as AsteriskConfigVars;
try {
  const written = await renderAsteriskConfig({ confDir: `${root}asterisk-conf`, dialplanDir: `${root}dialplan`, outDir: values.out, vars });
  process.stdout.write(`wrote ${written.length} files to ${values.out}\n`);
} catch (err) {
  if (err instanceof ConfigRenderError) {
    process.stderr.write(`${err.message} (set the matching AST_* variable)\n`);
    process.exit(1);
  }
  throw err;
}
