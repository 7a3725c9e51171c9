/**
 * How the engine asks outside systems (CRM webhooks) for routing hints. Each hook is bounded by
 * the caller: the engine aborts `signal` at its deadline and routes normally without an answer.
 */
import type { Queue } from '../domain/config.js';

export interface LookupRequest {
  callId: string;
  /** The caller's number (seed 003 `cid`). */
  from: string;
  to: string;
  numberId: string | null;
}

/** What a CRM may decide for an arriving caller (seed 003: found, VIP, debt, preferred agent). */
export interface LookupResult {
  /** Caller priority in queues (higher is served first). */
  priority?: number;
  /** Skip the IVR and queue here. */
  queueId?: string;
  /** Offer this agent first when available. */
  agentId?: string;
  /** Values carried with the call into events and the CDR. */
  variables?: Record<string, string>;
  /** Skills the caller needs (skill → minimum level), where its queue routes on skills. */
  skills?: Record<string, number>;
}

export interface AgentListCall {
  callId: string;
  from: string;
  to: string;
}

/** One entry of a custom agent list (seed 000 `get_list_agents_url`, version 2). */
export interface CustomAgent {
  agentId: string;
  /** 1: the agent's app / SIP phone; 2: the agent's phone number through the trunk. */
  routingType: 1 | 2;
  phoneNumber?: string;
  answerTimeoutMs: number;
}

export interface CallHooks {
  lookup?(req: LookupRequest, signal: AbortSignal): Promise<LookupResult | undefined>;
  /** Per call id, the ordered agents who may take it; undefined (or a missing call) = normal routing. */
  agentList?(queue: Queue, calls: AgentListCall[], signal: AbortSignal): Promise<Map<string, CustomAgent[]> | undefined>;
}

/** Call events for notifications (seed 003 offering/bridged; seed 001 hang-up). */
export interface CallNotice {
  callId: string;
  direction: 'inbound' | 'outbound';
  queueId: string | null;
  agentId: string | null;
  /** The caller's number. */
  cid: string;
  dialled: string;
  variables: Record<string, string>;
  /** Dialer member and attempt ids, when the call comes from a campaign. */
  member?: string;
  attempt?: string;
}
