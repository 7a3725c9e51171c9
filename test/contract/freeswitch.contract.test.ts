import { pino } from 'pino';
import { FreeswitchDriver } from '../../src/pbx/freeswitch/driver.js';
import { findSipp, killAllChildren, startCaller, type SippProcess } from '../asterisk/harness.js';
import { findFreeswitch, HOW_TO_GET_FREESWITCH, startFreeswitch, startFsPhone, startFsTrunkPeer, trunkSide, type RunningFreeswitch } from '../freeswitch/harness.js';
import { pbxContract, type ContractPeer } from './pbx-contract.js';

const skip = !findFreeswitch() ? HOW_TO_GET_FREESWITCH : !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;

pbxContract(
  'freeswitch',
  async () => {
    const fs: RunningFreeswitch = await startFreeswitch();
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const driver = new FreeswitchDriver({
      host: '127.0.0.1',
      port: fs.eslPort,
      password: fs.eslPassword,
      app: fs.app,
      domain: fs.domain,
      trunkHost: fs.trunkHost,
      mohClasses: fs.mohClasses,
      logger,
    });
    try {
      await driver.start();
    } catch (err) {
      await fs.stop();
      throw err;
    }
    const far: SippProcess[] = [];
    const peer: ContractPeer = {
      // Our synthesized prompts (npm run prompts): a tone (< 2 s), a 5.6 s menu, a Spanish goodbye.
      prompts: { short: 'tone:beep', long: 'sound:switchboard/english-menu', spanish: 'sound:switchboard/goodbye' },
      async placeCall(s) {
        far.push(await startCaller(trunkSide(fs), { ...s, timeoutMs: 60_000 }));
      },
      async phone(address, behavior, opts = {}) {
        if (address.kind === 'sip') far.push(await startFsPhone(fs, { endpoint: address.endpoint, behavior, answerAfterMs: opts.answerAfterMs ?? 0 }));
        else far.push(await startFsTrunkPeer(fs, behavior, { answerAfterMs: opts.answerAfterMs ?? 0 }));
      },
      async registerFor(endpoint, forMs) {
        far.push(await startFsPhone(fs, { endpoint, behavior: 'answer', stayMs: forMs, waitRegistered: false }));
      },
      async until(p, timeoutMs, what) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what}: not settled within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          return await Promise.race([p, timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      async reset() {
        for (const s of far.splice(0)) {
          s.kill();
          await s.done;
        }
        await fs.api('hupall NORMAL_CLEARING').catch(() => undefined);
      },
      async close() {
        await peer.reset();
        await driver.stop();
        await fs.stop();
        killAllChildren();
      },
    };
    return { driver, peer };
  },
  { skip },
);
