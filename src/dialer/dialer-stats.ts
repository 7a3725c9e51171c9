/**
 * Campaign statistics for REST and /metrics: dialled, answered, abandon rate and machine rate
 * (of the customers who answered), contacts per hour (the last hour), and the occupancy of the
 * campaign queue's logged-in agents right now.
 */
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { DialerService } from './dialer-service.js';

export interface CampaignStats {
  dialled: number;
  answered: number;
  abandonRate: number;
  machineRate: number;
  contactsPerHour: number;
  occupancy: number;
}

const BUSY = new Set(['ringing', 'dialing', 'oncall', 'wrapup']);

export function campaignStats(service: DialerService, dialerId: string): CampaignStats | undefined {
  const row = service.repo.get(dialerId);
  if (!row) return undefined;
  const s = service.repo.stats(dialerId);
  const now = service.engine.clock.now();
  const lastHour = service.repo.answeredSince(dialerId, now - 3600_000);
  const agents = service.engine.currentConfig.agents
    .map((a) => service.engine.agentSnapshot(a.id))
    .filter((a) => a && a.presence !== 'loggedout' && a.queues.some((q) => q.queueId === row.config.queue));
  return {
    dialled: s.attempts,
    answered: s.answered,
    abandonRate: s.reached === 0 ? 0 : s.abandoned / s.reached,
    machineRate: s.reached === 0 ? 0 : s.machine / s.reached,
    contactsPerHour: lastHour.contacts,
    occupancy: agents.length === 0 ? 0 : agents.filter((a) => BUSY.has(a!.presence)).length / agents.length,
  };
}

/** Gauges per campaign (label `dialer`), read at each scrape. */
export function registerDialerMetrics(registry: Registry, service: DialerService): void {
  const gauge = (name: string, help: string, pick: (s: CampaignStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['dialer'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const d of service.repo.list()) {
          const s = campaignStats(service, d.id);
          if (s) this.set({ dialer: d.id }, pick(s));
        }
      },
    });
  gauge('dialer_attempts', 'Dialer attempts stored (dialled)', (s) => s.dialled);
  gauge('dialer_answered', 'Dialer attempts that reached an agent (or ended the IVR)', (s) => s.answered);
  gauge('dialer_abandon_ratio', 'Abandoned share of the customers who answered', (s) => s.abandonRate);
  gauge('dialer_machine_ratio', 'Answering-machine share of the customers who answered', (s) => s.machineRate);
  gauge('dialer_contacts_per_hour', 'Contacts in the last hour', (s) => s.contactsPerHour);
  gauge('dialer_agent_occupancy_ratio', "Share of the campaign queue's logged-in agents busy now", (s) => s.occupancy);
}
