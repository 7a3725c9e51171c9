import { VirtualClock } from '../../src/infra/clock.js';
import { addressOf, SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { pbxContract, type ContractPeer } from './pbx-contract.js';

const prompts = { short: 'sound:beep', long: 'sound:tt-monkeys', spanish: 'sound:digits/1' };

pbxContract('sim', async () => {
  const clock = new VirtualClock(1_000_000);
  const sim = new SimPbx(clock, { promptMs: { [prompts.short]: 500, [prompts.long]: 16_000, [prompts.spanish]: 900 } });
  await sim.start();
  const peer: ContractPeer = {
    prompts,
    async placeCall(s) {
      const script: Parameters<SimPbx['placeCall']>[0] = { to: s.to, from: s.from };
      if (s.keys) script.keys = s.keys;
      if (s.patienceMs !== undefined) script.patienceMs = s.patienceMs;
      sim.placeCall(script);
    },
    async phone(address, behavior, opts = {}) {
      const phone: Parameters<SimPbx['setPhone']>[1] = { behavior };
      if (opts.answerAfterMs !== undefined) phone.answerAfterMs = opts.answerAfterMs;
      sim.setPhone(addressOf(address), phone);
    },
    async registerFor(endpoint, forMs) {
      sim.setPhone(endpoint, { behavior: 'answer', online: false });
      sim.setOnline(endpoint, true);
      clock.schedule(clock.now() + forMs, () => sim.setOnline(endpoint, false));
    },
    async until(p, timeoutMs, what) {
      let done = false;
      const watched = p.then(
        (v) => ((done = true), v),
        (e: unknown) => {
          done = true;
          throw e;
        },
      );
      watched.catch(() => undefined);
      const end = clock.now() + timeoutMs;
      while (!done) {
        if (clock.now() >= end) throw new Error(`${what}: not settled within ${timeoutMs} ms of virtual time`);
        await clock.advanceTo(Math.min(end, clock.now() + 10));
      }
      return watched;
    },
    sleep: (ms) => clock.runFor(ms),
    async reset() {},
    async close() {
      await sim.stop();
    },
  };
  return { driver: sim, peer };
});
