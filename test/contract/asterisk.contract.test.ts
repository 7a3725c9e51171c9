import { pino } from 'pino';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import {
  findAsterisk,
  findSipp,
  HOW_TO_GET_ASTERISK,
  killAllChildren,
  startAsterisk,
  startCaller,
  startPhone,
  startTrunkPeer,
  type RunningAsterisk,
  type SippProcess,
} from '../asterisk/harness.js';
import { pbxContract, type ContractPeer } from './pbx-contract.js';

const skip = !findAsterisk() ? HOW_TO_GET_ASTERISK : !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;

pbxContract(
  'asterisk',
  async () => {
    const asterisk: RunningAsterisk = await startAsterisk();
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const driver = new AsteriskDriver({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger });
    try {
      await driver.start();
    } catch (err) {
      await asterisk.stop();
      throw err;
    }
    const far: SippProcess[] = [];
    const peer: ContractPeer = {
      prompts: { short: 'sound:beep', long: 'sound:tt-monkeys', spanish: 'sound:digits/1' },
      async placeCall(s) {
        far.push(await startCaller(asterisk, { ...s, timeoutMs: 60_000 }));
      },
      async phone(address, behavior, opts = {}) {
        if (address.kind === 'sip') far.push(await startPhone(asterisk, { endpoint: address.endpoint, behavior, answerAfterMs: opts.answerAfterMs ?? 0 }));
        else far.push(await startTrunkPeer(asterisk, behavior, { answerAfterMs: opts.answerAfterMs ?? 0 }));
      },
      async registerFor(endpoint, forMs) {
        far.push(await startPhone(asterisk, { endpoint, behavior: 'answer', stayMs: forMs, waitRegistered: false }));
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
      },
      async close() {
        await peer.reset();
        await driver.stop();
        await asterisk.stop();
        killAllChildren();
      },
    };
    return { driver, peer };
  },
  { skip },
);
