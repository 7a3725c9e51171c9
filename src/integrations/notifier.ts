/**
 * Fire-and-forget delivery of notifications: a small in-process queue with bounded concurrency,
 * a bounded backlog (the oldest waiting delivery is dropped when full), and retries with
 * exponential back-off. `send` never blocks and never throws; `stop` waits, bounded, for the rest.
 */
import type { Webhooks } from '../domain/config.js';
import type { Logger } from '../infra/logger.js';
import { safeUrl, type HttpClient, type HttpResult } from './http-client.js';
import type { WebhookKind, WebhookMetrics } from './metrics.js';

export interface Delivery {
  kind: WebhookKind;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** For logs: the call this delivery is about. */
  callId?: string;
}

export interface NotifierOptions {
  /** Deliveries in flight at once; default 4. */
  concurrency?: number;
  /** Deliveries waiting (ready or between retries); default 1000. */
  maxBacklog?: number;
  /** First retry delay; the n-th retry waits base × 2^(n-1), capped; default 250 ms. */
  backoffBaseMs?: number;
  /** Default 30 s. */
  backoffMaxMs?: number;
}

export interface NotifierDeps extends NotifierOptions {
  getConfig: () => Webhooks;
  http: HttpClient;
  log: Logger;
  metrics?: WebhookMetrics;
}

export interface NotifierStats {
  backlog: number;
  inFlight: number;
  delivered: number;
  failed: number;
  dropped: number;
}

export interface Notifier {
  send(delivery: Delivery): void;
  /** Stop taking deliveries; give queued ones one last attempt; abort what is left after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  stats(): NotifierStats;
}

interface Job {
  delivery: Delivery;
  /** Attempts made so far. */
  attempts: number;
  /** Retries allowed, from the config when the delivery was queued. */
  retries: number;
  timer?: NodeJS.Timeout;
}

/** Worth another attempt: no answer, or the server says it is (temporarily) unable. */
export function isRetryable(res: HttpResult): boolean {
  if (res.error === 'TIMEOUT' || res.error === 'NETWORK') return true;
  return res.error === 'HTTP_STATUS' && (res.status >= 500 || res.status === 408 || res.status === 429);
}

export function backoffMs(retry: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const { http, metrics } = deps;
  const log = deps.log;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const maxBacklog = Math.max(1, deps.maxBacklog ?? 1000);
  const baseMs = deps.backoffBaseMs ?? 250;
  const maxMs = deps.backoffMaxMs ?? 30_000;

  const ready: Job[] = [];
  /** Jobs between retries, in the order they started waiting. */
  const waiting = new Set<Job>();
  /** One controller per request in flight (a process-long signal given to AbortSignal.any would pile up listeners). */
  const controllers = new Set<AbortController>();
  let inFlight = 0;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const counts = { delivered: 0, failed: 0, dropped: 0 };
  let idleWaiters: (() => void)[] = [];

  const where = (d: Delivery) => ({ kind: d.kind, callId: d.callId, url: safeUrl(d.url) });

  function drop(job: Job, why: string): void {
    counts.dropped++;
    metrics?.observeWebhook(job.delivery.kind, 0, false);
    log.warn({ ...where(job.delivery), attempts: job.attempts, dropped: counts.dropped }, why);
  }

  function send(delivery: Delivery): void {
    if (stopping) {
      counts.dropped++;
      metrics?.observeWebhook(delivery.kind, 0, false);
      log.warn(where(delivery), 'notification dropped: notifier stopped');
      return;
    }
    if (ready.length + waiting.size >= maxBacklog) {
      const oldest = ready.shift() ?? first(waiting);
      if (oldest) {
        if (oldest.timer) clearTimeout(oldest.timer);
        waiting.delete(oldest);
        drop(oldest, 'notification dropped: backlog full');
      }
    }
    ready.push({ delivery, attempts: 0, retries: deps.getConfig().retries });
    pump();
  }

  function pump(): void {
    while (inFlight < concurrency && ready.length > 0) {
      const job = ready.shift()!;
      inFlight++;
      attempt(job)
        .catch((err: unknown) => log.error({ err, ...where(job.delivery) }, 'notification crashed'))
        .finally(() => {
          inFlight--;
          pump();
          settleIdle();
        });
    }
  }

  async function attempt(job: Job): Promise<void> {
    const cfg = deps.getConfig();
    const d = job.delivery;
    job.attempts++;
    const ctl = new AbortController();
    controllers.add(ctl);
    const res = await http.request({ method: d.method, url: d.url, body: d.body, timeoutMs: cfg.timeout_ms, signal: ctl.signal, secret: cfg.secret });
    controllers.delete(ctl);
    metrics?.observeWebhook(d.kind, res.ms / 1000, res.ok);
    if (res.ok) {
      counts.delivered++;
      log.debug({ ...where(d), status: res.status, attempts: job.attempts, ms: res.ms }, 'notification delivered');
      return;
    }
    const failure = { ...where(d), status: res.status, error: res.error, detail: res.detail, attempts: job.attempts, ms: res.ms };
    if (!stopping && isRetryable(res) && job.attempts <= job.retries) {
      const delay = backoffMs(job.attempts, baseMs, maxMs);
      log.debug({ ...failure, retryInMs: delay }, 'notification failed, will retry');
      waiting.add(job);
      job.timer = setTimeout(() => {
        job.timer = undefined;
        waiting.delete(job);
        ready.push(job);
        pump();
      }, delay);
      job.timer.unref();
      return;
    }
    counts.failed++;
    log.warn(failure, 'webhook failed');
  }

  function isIdle(): boolean {
    return inFlight === 0 && ready.length === 0 && waiting.size === 0;
  }

  function settleIdle(): void {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function stop(timeoutMs = 5000): Promise<void> {
    stopped ??= (async () => {
      stopping = true;
      // Deliveries between retries get their last attempt now.
      for (const job of waiting) {
        if (job.timer) clearTimeout(job.timer);
        job.timer = undefined;
        ready.push(job);
      }
      waiting.clear();
      pump();
      const idle = new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
      let deadline: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        deadline = setTimeout(() => resolve('late'), timeoutMs);
      });
      const outcome = await Promise.race([idle, late]);
      clearTimeout(deadline);
      if (outcome === 'late') {
        for (const job of ready.splice(0)) drop(job, 'notification dropped: shutdown');
        for (const ctl of controllers) ctl.abort(new Error('notifier stopped'));
        // Aborted requests settle at once; still, never wait past a short grace.
        await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      }
      log.info({ ...counts, inFlight }, 'notifier stopped');
    })();
    return stopped;
  }

  return {
    send,
    stop,
    stats: () => ({ backlog: ready.length + waiting.size, inFlight, ...counts }),
  };
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}
