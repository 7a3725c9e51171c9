/**
 * `npm run bench:dialer [-- --json] [-- --hours N]`: an 8-hour campaign on the simulated PBX with a
 * virtual clock, 20 agents, answer rate 30 %, handle time 180 s, in progressive and predictive
 * modes: abandon rate, agent occupancy and contacts per hour. Predictive target: abandon ≤ 3 %
 * with occupancy ≥ 85 %.
 */
import { simulateCampaign } from '../src/dialer/simulate-campaign.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const hoursArg = args.indexOf('--hours');
const hours = hoursArg >= 0 ? Number(args[hoursArg + 1]) : 8;

const rows = [];
for (const mode of (args.includes("--only-predictive") ? ["predictive"] : ["progressive", "predictive"]) as ("progressive" | "predictive")[]) {
  const t0 = performance.now();
  const r = await simulateCampaign({ mode, hours, agents: 20, answerRates: [0.3], handleS: 180 });
  rows.push({ mode: r.mode, abandonRate: r.abandonRate, occupancy: r.occupancy, contactsPerHour: r.contactsPerHour });
  if (!json) {
    console.log(
      `${mode.padEnd(12)} abandon ${(r.abandonRate * 100).toFixed(2)} %  occupancy ${(r.occupancy * 100).toFixed(1)} %  contacts/h ${r.contactsPerHour.toFixed(1)}  ` +
        `(dialled ${r.dialled}, answered ${r.answered}, abandoned ${r.abandoned}; ${hours} h simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
}
if (json) console.log(JSON.stringify(rows));
