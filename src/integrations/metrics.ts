/** What the webhooks report to the metrics registry (Prometheus lives in src/stats). */
export interface WebhookMetrics {
  /** One observation per HTTP attempt (or per dropped delivery, with seconds 0 and ok false). */
  observeWebhook(kind: WebhookKind, seconds: number, ok: boolean): void;
}

export type WebhookKind = 'lookup' | 'agent_list' | 'offering' | 'bridged' | 'hangup';
