/**
 * Render the project's FreeSWITCH configuration for a FreeSWITCH installed on this machine:
 *   FS_ESL_PASSWORD=... FS_PHONE_PASSWORD=... npm run freeswitch:config -- --out DIR [--moh DIR]
 * Every value comes from FS_* variables (freeswitch-conf/README.md) or a loopback default; a
 * missing secret stops with the placeholder named. Prints the next steps.
 */
import { parseArgs } from 'node:util';
import { ConfigRenderError } from '../src/pbx/asterisk/render-config.js';
import { freeswitchConfigDefaults, freeswitchVarsFromEnv, renderFreeswitchConfig, type FreeswitchConfigVars } from '../src/pbx/freeswitch/render-config.js';

const USAGE = `usage: npm run freeswitch:config -- --out DIR [--moh DIR]

  --out DIR   where to write the configuration (FreeSWITCH's conf dir: freeswitch -conf DIR)
  --moh DIR   8 kHz wav files for music on hold (default FS_MOH_DIR, else
              /usr/share/freeswitch/sounds/music/8000)
Secrets and addresses come from FS_* variables (freeswitch-conf/README.md).
`;

let values;
try {
  ({ values } = parseArgs({ options: { out: { type: 'string' }, moh: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help || !values.out) {
  process.stderr.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const fromEnv = freeswitchVarsFromEnv();
const vars = {
  ...freeswitchConfigDefaults,
  ...fromEnv,
  MOH_DIR: values.moh ?? fromEnv.MOH_DIR ?? '/usr/share/freeswitch/sounds/music/8000',
} as FreeswitchConfigVars;
try {
  const written = await renderFreeswitchConfig({ confDir: new URL('../freeswitch-conf', import.meta.url).pathname, outDir: values.out, vars });
  console.log(`wrote ${written.length} files to ${values.out}
event socket ${vars.ESL_BIND}:${vars.ESL_PORT}, phones on SIP ${vars.SIP_BIND}:${vars.SIP_PORT} (users ${vars.PHONE_USERS}), trunk profile on ${vars.SIP_BIND}:${vars.TRUNK_SIP_PORT} (from ${vars.TRUNK_CIDR})
next:
  npm run prompts    # our prompts, linked as <sounds_dir>/<lang>/switchboard
  for l in en es; do mkdir -p SOUNDS/$l && ln -sfn "$PWD/sounds/switchboard/$l" SOUNDS/$l/switchboard; done
  freeswitch -nonat -conf ${values.out} -sounds SOUNDS
  SWITCHBOARD_PBX=freeswitch ESL_PORT=${vars.ESL_PORT} ESL_PASSWORD=… FS_MOH_CLASSES=${vars.MOH_CLASSES} npm start`);
} catch (err) {
  if (err instanceof ConfigRenderError) {
    console.error(`freeswitch:config: ${err.message} (set the FS_ variable of that name)`);
    process.exit(1);
  }
  throw err;
}
