/**
 * Webhooks out, wired in one place: the CRM hooks the engine awaits (lookup, custom agent list),
 * and the notifications it fires and forgets (offering, bridged, hang-up).
 * The config is read on every use, so a live config change applies at once.
 */
import type { CallHooks, CallNotice } from '../calls/hooks.js';
import type { Cdr } from '../domain/cdr.js';
import type { Webhooks } from '../domain/config.js';
import type { Logger } from '../infra/logger.js';
import { createAgentList } from './agent-list.js';
import { createHttpClient, type FetchImpl } from './http-client.js';
import { createLookup } from './lookup.js';
import type { WebhookMetrics } from './metrics.js';
import { createNotifier, type NotifierOptions, type NotifierStats } from './notifier.js';
import { callEventBody, hangupUrl } from './payloads.js';

export type { WebhookMetrics } from './metrics.js';

export interface WebhooksDeps {
  getConfig: () => Webhooks;
  log: Logger;
  metrics?: WebhookMetrics;
  fetchImpl?: FetchImpl;
  /** Concurrency, backlog and back-off of notifications. */
  notifier?: NotifierOptions;
}

export interface WebhookNotify {
  offering(n: CallNotice): void;
  bridged(n: CallNotice): void;
  hangup(cdr: Cdr): void;
}

export interface WebhooksService {
  /** Pass to the engine (`EngineDeps.hooks`). */
  hooks: CallHooks;
  /** Call on engine events; never blocks, never throws. */
  notify: WebhookNotify;
  /** Wait (at most `timeoutMs`, default 5 s) for queued notifications, then abort the rest. */
  stop(timeoutMs?: number): Promise<void>;
  stats(): NotifierStats;
}

export function createWebhooks(deps: WebhooksDeps): WebhooksService {
  const log = deps.log.child({ mod: 'webhooks' });
  const { getConfig, metrics } = deps;
  const http = createHttpClient(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {});
  const lookup = createLookup({ getConfig, http, log, metrics });
  const agentList = createAgentList({ getConfig, http, log, metrics });
  const notifier = createNotifier({ ...deps.notifier, getConfig, http, log, metrics });

  const callEvent = (event: 'offering' | 'bridged', n: CallNotice) => {
    const cfg = getConfig();
    const url = event === 'offering' ? cfg.offering_url : cfg.bridged_url;
    if (!url) return;
    log.debug({ kind: event, callId: n.callId, agentId: n.agentId, cid: n.cid }, 'notification queued');
    notifier.send({ kind: event, method: 'POST', url, body: callEventBody(event, n), callId: n.callId });
  };

  const guard =
    <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        log.error({ err, kind: what }, 'notification not queued');
      }
    };

  return {
    hooks: { lookup, agentList },
    notify: {
      offering: guard('offering', (n: CallNotice) => callEvent('offering', n)),
      bridged: guard('bridged', (n: CallNotice) => callEvent('bridged', n)),
      hangup: guard('hangup', (cdr: Cdr) => {
        const url = getConfig().hangup_url;
        if (!url) return;
        notifier.send({ kind: 'hangup', method: 'GET', url: hangupUrl(url, cdr), callId: cdr.callId });
      }),
    },
    stop: (timeoutMs) => notifier.stop(timeoutMs),
    stats: () => notifier.stats(),
  };
}
