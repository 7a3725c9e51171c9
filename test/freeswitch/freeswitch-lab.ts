/** The engine lanes' PBX lab on a real FreeSWITCH (the event socket for the look inside). */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FreeswitchDriver } from '../../src/pbx/freeswitch/driver.js';
import { startCaller } from '../asterisk/harness.js';
import { oocScenario, type LabChannel, type PbxLab } from '../asterisk/pbx-lab.js';
import { startFreeswitch, startFsPhone, startFsTrunkPeer, trunkSide, unregisterAllFs, type RunningFreeswitch } from './harness.js';

interface FsChannelRow {
  uuid: string;
  name: string;
  cid_num?: string;
}

/** A FreeSWITCH channel name as the tests see it. */
export function labChannelOf(row: FsChannelRow): LabChannel {
  const out: LabChannel = { id: row.uuid, kind: 'other' };
  if (row.cid_num) out.callerNumber = row.cid_num;
  if (row.name.startsWith('loopback/')) out.kind = 'snoop';
  else if (row.name.startsWith('sofia/trunk/')) out.kind = 'trunk';
  else {
    const m = /^sofia\/internal\/(?:sip:)?([^@]+)@/.exec(row.name);
    if (m) {
      out.kind = 'phone';
      out.endpoint = m[1]!;
    }
  }
  return out;
}

export interface FreeswitchLab extends PbxLab {
  fs: RunningFreeswitch;
}

export async function startFreeswitchLab(): Promise<FreeswitchLab> {
  const fs = await startFreeswitch();
  const channels = async (): Promise<LabChannel[]> => {
    const text = (await fs.api('show channels as json')).trim();
    const rows = text.startsWith('{') ? ((JSON.parse(text) as { rows?: FsChannelRow[] }).rows ?? []) : [];
    const chans = rows.map(labChannelOf);
    // An outbound leg's caller profile is flipped once it runs an application (park, conference):
    // what the far end was sent as caller id is the From user of the INVITE.
    for (const c of chans) {
      if (c.kind !== 'trunk') continue;
      const from = (await fs.api(`uuid_getvar ${c.id} sip_from_user`).catch(() => '_undef_')).trim();
      if (from && from !== '_undef_') c.callerNumber = from;
    }
    return chans;
  };
  return {
    name: 'freeswitch',
    fs,
    driver: (logger: Logger) =>
      new FreeswitchDriver({ host: '127.0.0.1', port: fs.eslPort, password: fs.eslPassword, app: fs.app, domain: fs.domain, trunkHost: fs.trunkHost, mohClasses: fs.mohClasses, logger }),
    phone: (endpoint, behavior, timeoutMs) =>
      startFsPhone(fs, {
        endpoint,
        behavior: 'answer',
        scenario: oocScenario(behavior),
        answerAfterMs: behavior.kind === 'never' ? 0 : (behavior.ringMs ?? 200),
        timeoutMs,
      }),
    unregisterAll: (endpoint) => unregisterAllFs(fs, endpoint),
    caller: (c) => startCaller(trunkSide(fs), c),
    trunkPeer: (behavior, opts) => startFsTrunkPeer(fs, behavior, opts),
    channels,
    async bridges() {
      const text = (await fs.api('conference json_list')).trim();
      if (!text.startsWith('[')) return [];
      const confs = JSON.parse(text) as { conference_name: string; members?: { uuid?: string }[] }[];
      const byId = new Map((await channels()).map((c) => [c.id, c]));
      return confs.map((c) => ({
        id: c.conference_name,
        channels: (c.members ?? []).filter((m) => m.uuid).map((m) => byId.get(m.uuid!) ?? { id: m.uuid!, kind: 'other' as const }),
      }));
    },
    async channelVar(id, name) {
      const v = (await fs.api(`uuid_getvar ${id} ${name}`)).trim();
      return v === '_undef_' ? undefined : v;
    },
    recordingFile: (name) => join(fs.recordingsDir, `${name}.wav`),
    async hangupAll() {
      await fs.api('hupall NORMAL_CLEARING');
      const deadline = Date.now() + 5000;
      while ((await channels()).length > 0) {
        if (Date.now() > deadline) throw new Error('channels gone after the test: not seen within 5000 ms');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => fs.stop(),
  };
}
