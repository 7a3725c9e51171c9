import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Cdr } from '../domain/cdr.js';
import type { Config } from '../domain/config.js';
import type { AgentPresence } from '../routing/types.js';

/** What the metrics read from the engine: its events and its live snapshots. */
export interface MetricsSource {
  readonly currentConfig: Config;
  queueSnapshot(queueId: string): { waiting: number; longestWaitMs: number } | undefined;
  agentSnapshot(agentId: string): { presence: AgentPresence } | undefined;
  readonly pbxLink: { state: 'up' | 'down' | 'lost' };
  on(event: 'call.ended', listener: (cdr: Cdr) => void): unknown;
  off(event: 'call.ended', listener: (cdr: Cdr) => void): unknown;
  on(event: 'pbx.state', listener: (e: { state: 'up' | 'down' | 'lost' }) => void): unknown;
  off(event: 'pbx.state', listener: (e: { state: 'up' | 'down' | 'lost' }) => void): unknown;
}

export interface Metrics {
  readonly registry: Registry;
  /** Subscribe to the engine's events and read its snapshots at each scrape; returns an unsubscribe. */
  attach(engine: MetricsSource): () => void;
  /** A webhook delivery took `seconds`; `ok` false counts a failure. Called by the webhook module. */
  observeWebhook(kind: string, seconds: number, ok: boolean): void;
  /** A PBX request took `seconds`. Called by PBX drivers. */
  observePbx(op: string, seconds: number, ok: boolean): void;
  /** The text exposition format, and its content type. */
  render(): Promise<string>;
  readonly contentType: string;
}

const PRESENCES: AgentPresence[] = ['loggedout', 'ready', 'paused', 'ringing', 'dialing', 'oncall', 'wrapup'];

/** Prometheus metrics on their own registry (nothing global), so tests and apps never share counters. */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  let source: MetricsSource | undefined;

  // Registered first: its collect also starts every configured queue's answered and abandoned series
  // at 0, so rate() and increase() see a queue's first call (Grafana dashboard grafana/switchboard.json).
  const answeredInServiceLevel = new Counter({
    name: 'calls_answered_in_service_level_total',
    help: "Queue calls answered within the queue's service_level_s",
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      if (!source) return;
      for (const q of source.currentConfig.queues) {
        this.inc({ queue: q.id }, 0);
        for (const disposition of ['answered', 'abandoned'] as const) calls.inc({ queue: q.id, disposition }, 0);
      }
    },
  });
  const calls = new Counter({ name: 'calls_total', help: 'Calls ended, by queue and disposition', labelNames: ['queue', 'disposition'] as const, registers: [registry] });
  const shed = new Counter({ name: 'calls_shed_total', help: 'Calls turned away busy at the admission limit (SWITCHBOARD_MAX_LIVE_CALLS / SWITCHBOARD_MAX_PBX_REQUESTS); each has a refused CDR', registers: [registry] });
  const wait = new Histogram({
    name: 'wait_seconds',
    help: 'Time callers waited in queue until answered or gone',
    labelNames: ['queue'] as const,
    buckets: [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  new Gauge({
    name: 'calls_waiting',
    help: 'Calls waiting in each queue now',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (!source) return;
      for (const q of source.currentConfig.queues) this.set({ queue: q.id }, source.queueSnapshot(q.id)?.waiting ?? 0);
    },
  });
  new Gauge({
    name: 'queue_longest_wait_seconds',
    help: 'How long the longest-waiting call in each queue has waited now (0 when none)',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (!source) return;
      for (const q of source.currentConfig.queues) this.set({ queue: q.id }, (source.queueSnapshot(q.id)?.longestWaitMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'agents',
    help: 'Configured agents by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (!source) return;
      const counts = new Map<AgentPresence, number>(PRESENCES.map((p) => [p, 0]));
      for (const a of source.currentConfig.agents) {
        const presence = source.agentSnapshot(a.id)?.presence ?? 'loggedout';
        counts.set(presence, (counts.get(presence) ?? 0) + 1);
      }
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  const webhookDuration = new Histogram({
    name: 'webhook_duration_seconds',
    help: 'Webhook delivery time by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const webhookFailures = new Counter({ name: 'webhook_failures_total', help: 'Failed webhook deliveries by kind', labelNames: ['kind'] as const, registers: [registry] });
  const pbxDuration = new Histogram({
    name: 'pbx_request_duration_seconds',
    help: 'PBX request time by operation and outcome',
    labelNames: ['op', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  new Gauge({
    name: 'pbx_up',
    help: 'The PBX link: 1 when the event stream is up, 0 when it is down or the PBX is lost',
    registers: [registry],
    collect() {
      this.set(source?.pbxLink.state === 'up' ? 1 : 0);
    },
  });
  const pbxLinkChanges = new Counter({ name: 'pbx_link_changes_total', help: 'PBX link state changes, by new state (down: event stream lost; lost: the PBX itself)', labelNames: ['state'] as const, registers: [registry] });
  const onPbxState = (e: { state: 'up' | 'down' | 'lost' }) => pbxLinkChanges.inc({ state: e.state });

  const onCallEnded = (cdr: Cdr) => {
    const queue = cdr.queueId ?? 'none';
    calls.inc({ queue, disposition: cdr.disposition });
    if (cdr.disposition === 'refused' && cdr.hangupCause === 'overload') shed.inc();
    if (cdr.queueId && cdr.waitMs !== null) wait.observe({ queue }, cdr.waitMs / 1000);
    if (cdr.queueId && cdr.disposition === 'answered') {
      const threshold = source?.currentConfig.queues.find((q) => q.id === cdr.queueId)?.service_level_s ?? 20;
      if ((cdr.waitMs ?? 0) <= threshold * 1000) answeredInServiceLevel.inc({ queue });
    }
  };
  const outcome = (ok: boolean) => (ok ? 'ok' : 'error');

  return {
    registry,
    attach(engine) {
      source = engine;
      engine.on('call.ended', onCallEnded);
      engine.on('pbx.state', onPbxState);
      return () => {
        engine.off('call.ended', onCallEnded);
        engine.off('pbx.state', onPbxState);
        if (source === engine) source = undefined;
      };
    },
    observeWebhook(kind, seconds, ok) {
      webhookDuration.observe({ kind, outcome: outcome(ok) }, seconds);
      if (!ok) webhookFailures.inc({ kind });
    },
    observePbx(op, seconds, ok) {
      pbxDuration.observe({ op, outcome: outcome(ok) }, seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
