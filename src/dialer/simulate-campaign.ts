/**
 * A dialer campaign on the simulated PBX with a virtual clock (for `npm run bench:dialer` and the
 * pacing tests): agents answer at once and talk with the customer for an exponential handle
 * time; each customer answers with the answer rate of the hour (after 4–20 s) or rings out.
 * Reports the abandon rate (answered customers no agent took within 2 s), the agents'
 * occupancy and contacts per hour.
 */
import { Engine } from '../calls/engine.js';
import { parseConfig } from '../domain/config.js';
import { seededRandom } from '../domain/random.js';
import { VirtualClock } from '../infra/clock.js';
import { silentLogger } from '../infra/logger.js';
import { SimPbx } from '../pbx/sim/sim-pbx.js';
import { AgentTimeTracker } from '../stats/agent-time.js';
import { openStore } from '../store/store.js';
import { campaignSchema, membersBody, type DialerMode } from './campaign.js';
import { DialerService } from './dialer-service.js';

export interface CampaignSimOptions {
  mode: Extract<DialerMode, 'progressive' | 'predictive'>;
  hours?: number;
  agents?: number;
  /** Answer rate per hour of the day (the last one holds after); default 0.3 throughout. */
  answerRates?: number[];
  handleS?: number;
  abandonTarget?: number;
  seed?: number;
}

export interface CampaignSimReport {
  mode: string;
  abandonRate: number;
  occupancy: number;
  contactsPerHour: number;
  dialled: number;
  answered: number;
  abandoned: number;
}

export async function simulateCampaign(opts: CampaignSimOptions): Promise<CampaignSimReport> {
  const hours = opts.hours ?? 8;
  const agents = opts.agents ?? 20;
  const handleMs = (opts.handleS ?? 180) * 1000;
  const rates = opts.answerRates ?? [0.3];
  const random = seededRandom(opts.seed ?? 42);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;

  const start = Date.UTC(2026, 10, 2, 8, 0, 0);
  const clock = new VirtualClock(start);
  const pbx = new SimPbx(clock, { defaultPromptMs: 3000 });
  const store = openStore(':memory:');
  const parsed = parseConfig({
    numbers: [],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
    groups: [{ id: 'g' }],
    agents: Array.from({ length: agents }, (_, i) => ({ id: `a${i + 1}`, phone: { type: 'sip' as const, endpoint: `${2000 + i}` }, groups: ['g'] })),
  });
  if (!parsed.ok) throw new Error('bad simulation config');
  let n = 0;
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config: parsed.config, newCallId: () => `sim-${++n}` });
  const tracker = new AgentTimeTracker();
  engine.on('agent.state', (e) => tracker.onState(e));
  await engine.start();
  for (let i = 0; i < agents; i++) pbx.setPhone(`${2000 + i}`, { behavior: 'answer', answerAfterMs: 500 });

  // Enough members for the day; each number's behaviour is drawn when it is dialled (the hour's rate).
  const members = Math.ceil(agents * hours * 3600 / (opts.handleS ?? 180) / 0.1);
  const items = Array.from({ length: members }, (_, i) => ({ communications: [{ destination: `07${String(i).padStart(8, '0')}` }] }));
  const dialer = new DialerService(engine, store.dialers, silentLogger());
  dialer.create(campaignSchema.parse({ id: 'bench', queue: 'q', mode: opts.mode, caller_id: '0100000000', max_attempts: 1, max_concurrent: agents * 6, abandon_target: opts.abandonTarget ?? 0.03 }));
  for (let i = 0; i < items.length; i += 10_000) store.dialers.addMembers('bench', membersBody.parse({ items: items.slice(i, i + 10_000) }).items, start);
  dialer.on('attempt', (e) => {
    if (e.phase !== 'start') return;
    const hour = Math.floor((clock.now() - start) / 3600_000);
    const rate = rates[Math.min(hour, rates.length - 1)]!;
    const number = store.dialers.attempt(e.attemptId)!.destination;
    pbx.setPhone(number, random() < rate ? { behavior: 'answer', answerAfterMs: 4000 + random() * 16_000, talkMs: 5000 + exp(handleMs - 5000) } : { behavior: 'never' });
  });
  for (let i = 0; i < agents; i++) engine.loginAgent(`a${i + 1}`);
  dialer.act('bench', 'start');
  const end = start + hours * 3600_000;
  await clock.advanceTo(end);
  dialer.act('bench', 'stop');
  const now = clock.now();
  const occupancy = Array.from({ length: agents }, (_, i) => (tracker.times(`a${i + 1}`, now)?.occupancy ?? 0) / 100).reduce((s, x) => s + x, 0) / agents;
  const stats = store.dialers.stats('bench');
  const all = store.dialers.attempts('bench', { limit: 10_000_000, offset: 0 }).items;
  const answeredByPerson = all.filter((a) => a.answeredAt !== null && a.endedAt !== null);
  const abandoned = all.filter((a) => a.outcome === 'abandoned').length;
  await clock.runFor(3600_000);
  await engine.stop();
  store.close();
  return {
    mode: opts.mode,
    abandonRate: answeredByPerson.length === 0 ? 0 : abandoned / answeredByPerson.length,
    occupancy,
    contactsPerHour: stats.answered / hours,
    dialled: all.length,
    answered: answeredByPerson.length,
    abandoned,
  };
}
