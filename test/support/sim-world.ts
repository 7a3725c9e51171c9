/** A simulated world for integration tests: virtual clock, simulated PBX, in-memory store, engine. */
import { Engine, type AdmissionLimits } from '../../src/calls/engine.js';
import type { CallHooks } from '../../src/calls/hooks.js';
import { parseConfig, type Config, type ConfigInput } from '../../src/domain/config.js';
import { loadConfigFile } from '../../src/infra/config-file.js';
import { startPhoneCall } from '../../src/outbound/phone-call.js';
import { VirtualClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { SimPbx, type AgentPhoneScript, type SimOptions } from '../../src/pbx/sim/sim-pbx.js';
import { openStore, type Store } from '../../src/store/store.js';

export interface SimWorld {
  clock: VirtualClock;
  pbx: SimPbx;
  store: Store;
  engine: Engine;
  config: Config;
  close(): Promise<void>;
}

export function configFrom(input: ConfigInput): Config {
  const parsed = parseConfig(input);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.config;
}

export const exampleConfig = (): Config => loadConfigFile(new URL('../../config/example.yaml', import.meta.url).pathname);

export interface SimWorldOptions extends SimOptions {
  seed?: number;
  hooks?: CallHooks;
  /** Agent phones scripted before the engine starts (e.g. one not registered at start). */
  phones?: Record<string, AgentPhoneScript>;
  /** The engine's admission limits (overload shedding). */
  admission?: AdmissionLimits;
}

export async function simWorld(config: Config, opts: SimWorldOptions = {}): Promise<SimWorld> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 2, 8, 0, 0));
  const pbx = new SimPbx(clock, opts);
  for (const [address, script] of Object.entries(opts.phones ?? {})) pbx.setPhone(address, script);
  const store = openStore(':memory:');
  store.config.replaceAll(config);
  let n = 0;
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config: store.config.load(), newCallId: () => `call-${++n}`, seed: opts.seed ?? 1, phoneCall: (e, call) => startPhoneCall(e, call, silentLogger()), ...(opts.hooks ? { hooks: opts.hooks } : {}), ...(opts.admission ? { admission: opts.admission } : {}) });
  await engine.start();
  return {
    clock,
    pbx,
    store,
    engine,
    config,
    async close() {
      await engine.stop();
      store.close();
    },
  };
}
