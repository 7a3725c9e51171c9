/** The engine lanes' PBX lab on a real Asterisk (ARI for the look inside). */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import { startAsterisk, startCaller, startSipp, startTrunkPeer, waitRegistered, type RunningAsterisk, type SippProcess } from './harness.js';
import { oocScenario, type AgentBehavior, type LabChannel, type PbxLab } from './pbx-lab.js';

interface AriChannel {
  id: string;
  name: string;
  caller?: { number: string };
}

/** Remove every contact registered for `endpoint` (REGISTER Contact: *, Expires: 0). */
export async function unregisterAll(asterisk: RunningAsterisk, endpoint: string): Promise<void> {
  const sipp = await startSipp({
    scenario: 'uac-phone-unregister-all.xml',
    asterisk,
    auth: { user: endpoint, password: asterisk.phonePassword },
    keys: { user: endpoint },
    timeoutMs: 5000,
  });
  const r = await sipp.done;
  if (r.code !== 0) throw new Error(`unregistering ${endpoint} failed (${r.code}): ${r.errors}`);
}

/** An agent phone on a harness endpoint: REGISTER (digest) and handle every INVITE per `behavior`. */
export async function startAgentPhone(asterisk: RunningAsterisk, endpoint: string, behavior: AgentBehavior, timeoutMs = 120_000): Promise<SippProcess> {
  const ring = behavior.kind === 'never' ? 0 : (behavior.ringMs ?? 200);
  const sipp = await startSipp({
    scenario: 'uac-phone-register-stay-unregister.xml',
    asterisk,
    auth: { user: endpoint, password: asterisk.phonePassword },
    keys: { user: endpoint, stay: timeoutMs, expires: 300, ring },
    extraArgs: ['-oocsf', oocScenario(behavior), '-aa'],
    timeoutMs,
  });
  await waitRegistered(asterisk, endpoint, sipp.port);
  return sipp;
}

function labChannel(c: AriChannel): LabChannel {
  const out: LabChannel = { id: c.id, kind: 'other' };
  if (c.caller?.number) out.callerNumber = c.caller.number;
  if (c.name.startsWith('Snoop/')) out.kind = 'snoop';
  else if (c.name.startsWith('PJSIP/trunk')) out.kind = 'trunk';
  else {
    const m = /^PJSIP\/(.+)-[0-9a-f]+$/.exec(c.name);
    if (m) {
      out.kind = 'phone';
      out.endpoint = m[1]!;
    }
  }
  return out;
}

export interface AsteriskLab extends PbxLab {
  asterisk: RunningAsterisk;
  ari<T>(path: string, method?: 'GET' | 'DELETE'): Promise<T>;
}

export async function startAsteriskLab(): Promise<AsteriskLab> {
  const asterisk = await startAsterisk();
  const auth = 'Basic ' + Buffer.from(`${asterisk.ariUser}:${asterisk.ariPassword}`).toString('base64');
  const ari = async <T>(path: string, method: 'GET' | 'DELETE' = 'GET'): Promise<T> => {
    const res = await fetch(`${asterisk.ariUrl}/ari/${path}`, { method, headers: { authorization: auth }, signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`ARI ${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const channels = async () => (await ari<AriChannel[]>('channels')).map(labChannel);
  return {
    name: 'asterisk',
    asterisk,
    ari,
    driver: (logger: Logger) => new AsteriskDriver({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger }),
    phone: (endpoint, behavior, timeoutMs) => startAgentPhone(asterisk, endpoint, behavior, timeoutMs),
    unregisterAll: (endpoint) => unregisterAll(asterisk, endpoint),
    caller: (c) => startCaller(asterisk, c),
    trunkPeer: (behavior, opts) => startTrunkPeer(asterisk, behavior, opts),
    channels,
    async bridges() {
      const [bridges, chans] = await Promise.all([ari<{ id: string; channels: string[] }[]>('bridges'), channels()]);
      const byId = new Map(chans.map((c) => [c.id, c]));
      return bridges.map((b) => ({ id: b.id, channels: b.channels.map((id) => byId.get(id) ?? { id, kind: 'other' as const }) }));
    },
    async channelVar(id, name) {
      const r = await ari<{ value: string }>(`channels/${encodeURIComponent(id)}/variable?variable=${encodeURIComponent(name)}`);
      return r.value;
    },
    recordingFile: (name) => join(asterisk.spoolDir, 'recording', `${name}.wav`),
    async hangupAll() {
      const left = await ari<{ id: string }[]>('channels');
      await Promise.all(left.map((c) => ari(`channels/${encodeURIComponent(c.id)}`, 'DELETE').catch(() => undefined)));
      const bridges = await ari<{ id: string }[]>('bridges');
      await Promise.all(bridges.map((b) => ari(`bridges/${encodeURIComponent(b.id)}`, 'DELETE').catch(() => undefined)));
      const deadline = Date.now() + 5000;
      while ((await ari<unknown[]>('channels')).length > 0) {
        if (Date.now() > deadline) throw new Error('channels gone after the test: not seen within 5000 ms');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => asterisk.stop(),
  };
}
