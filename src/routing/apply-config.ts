/**
 * Applying a routing configuration to the live state, part of the pure core: queues and agents
 * added, changed or removed (their calls and sessions settled), memberships and tier ranks
 * rebuilt, then every agent's indexes refreshed and free agents dispatched.
 */
import { detach, logout, refreshAgent } from './agents.js';
import { exitCall } from './calls.js';
import { clearTimer, queueLog, type Ctx } from './context.js';
import { dispatchAgent } from './dispatch.js';
import { scheduleOverflow } from './timers.js';
import type { AgentRec, MemberRec, QueueRec, RoutingConfig, RoutingQueueConfig } from './types.js';

export function applyConfig(ctx: Ctx, cfg: RoutingConfig): void {
  const s = ctx.s;
  const oldMembers = new Map<string, { penalty: number; callsTaken: number }>();
  for (const a of s.agents.values()) {
    for (const m of a.memberships) oldMembers.set(pairKey(a.id, m.queue.cfg.id), { penalty: m.penalty, callsTaken: m.callsTaken });
    detach(a);
    a.memberships = [];
  }

  const queueIds = new Set(cfg.queues.map((q) => q.id));
  for (const q of s.queues.values()) {
    if (queueIds.has(q.cfg.id)) continue;
    q.removed = true;
    s.queues.delete(q.cfg.id);
    for (const call of [...q.calls]) {
      if (call.state === 'offered') {
        const a = s.agents.get(call.agentId ?? '');
        ctx.commands.push({ type: 'offer.cancel', callId: call.id, agentId: call.agentId ?? '', reason: 'abandon' });
        clearTimer(ctx, `noanswer:${call.id}`);
        call.state = 'waiting';
        if (a && a.activity === 'ringing' && a.callId === call.id) {
          a.activity = 'idle';
          a.callId = undefined;
        }
      }
      exitCall(ctx, call, 'removed', { action: 'hangup' });
    }
  }
  for (const qc of cfg.queues) {
    const existing = s.queues.get(qc.id);
    if (existing) {
      existing.cfg = qc;
      existing.members = new Map();
      existing.available = new Set();
      existing.loggedInCount = 0;
      existing.nextOrder = 0;
    } else {
      s.queues.set(qc.id, newQueue(qc));
    }
  }

  const agentIds = new Set(cfg.agents.map((a) => a.id));
  for (const a of [...s.agents.values()]) {
    if (agentIds.has(a.id)) continue;
    if (a.status !== 'loggedOut') logout(ctx, a, 'removed');
    a.removed = true;
    if (a.activity === 'idle') s.agents.delete(a.id);
  }
  for (const ac of cfg.agents) {
    let a = s.agents.get(ac.id);
    if (!a) s.agents.set(ac.id, (a = newAgent(ac.id, ctx.now)));
    else a.removed = false; // removed while busy, then configured again
    a.skills = ac.skills;
  }

  // Tiers: distinct tier priorities per queue, ranked from 0, among the members that apply
  // (a membership naming an unknown queue or agent must not leave an empty tier in the ranks).
  const tiersByQueue = new Map<string, number[]>();
  for (const m of cfg.members) {
    const agent = s.agents.get(m.agentId);
    if (!s.queues.has(m.queueId) || !agent || agent.removed) continue;
    const list = tiersByQueue.get(m.queueId) ?? [];
    if (!list.includes(m.tier)) list.push(m.tier);
    tiersByQueue.set(m.queueId, list);
  }
  for (const [queueId, list] of tiersByQueue) {
    list.sort((x, y) => x - y);
    const q = s.queues.get(queueId);
    if (q) q.staffedByRank = list.map(() => 0);
  }
  for (const q of s.queues.values()) if (!tiersByQueue.has(q.cfg.id)) q.staffedByRank = [];

  const seen = new Set<string>();
  for (const mc of cfg.members) {
    const q = s.queues.get(mc.queueId);
    const a = s.agents.get(mc.agentId);
    if (!q || !a || a.removed) continue;
    const key = pairKey(a.id, q.cfg.id);
    seen.add(key);
    const before = oldMembers.get(key);
    const rank = (tiersByQueue.get(q.cfg.id) ?? []).indexOf(mc.tier);
    const m: MemberRec = { agent: a, queue: q, tier: mc.tier, rank, penalty: mc.penalty, order: q.nextOrder++, callsTaken: before?.callsTaken ?? 0 };
    q.members.set(a.id, m);
    a.memberships.push(m);
    if (!before || before.penalty !== mc.penalty) {
      ctx.events.push({ type: 'member.changed', agentId: a.id, queueId: q.cfg.id, penalty: mc.penalty });
      if (!before && a.status !== 'loggedOut') queueLog(ctx, 'ADDMEMBER', q.cfg.id, { agentId: a.id, data: { paused: a.status === 'paused' ? 'PAUSED' : '', penalty: mc.penalty } });
    }
  }
  for (const key of oldMembers.keys()) {
    if (seen.has(key)) continue;
    const [agentId, queueId] = key.split('\u0000') as [string, string];
    ctx.events.push({ type: 'member.changed', agentId, queueId, penalty: -1 });
    const a = s.agents.get(agentId);
    if (a && a.status !== 'loggedOut') queueLog(ctx, 'REMOVEMEMBER', queueId, { agentId, data: {} });
  }

  for (const a of s.agents.values()) refreshAgent(ctx, a);
  // Overflow timers follow the new tiers and delay, for ringing calls too (they may come back).
  for (const q of s.queues.values()) for (const call of q.calls) scheduleOverflow(ctx, q, call);
  for (const a of s.agents.values()) dispatchAgent(ctx, a);
}

function newQueue(cfg: RoutingQueueConfig): QueueRec {
  return {
    cfg,
    members: new Map(),
    available: new Set(),
    staffedByRank: [],
    loggedInCount: 0,
    heaps: new Map(),
    levels: [],
    levelCounts: new Map(),
    calls: new Set(),
    rrCursor: -1,
    nextOrder: 0,
    removed: false,
  };
}

function newAgent(id: string, now: number): AgentRec {
  return {
    id,
    status: 'loggedOut',
    activity: 'idle',
    pauseReason: undefined,
    reachable: true,
    dnd: false,
    callId: undefined,
    callQueueId: undefined,
    idleSince: now,
    noAnswers: 0,
    callsTaken: 0,
    memberships: [],
    available: false,
    staffed: false,
    loggedIn: false,
    presence: 'loggedout',
    presenceSince: now,
    removed: false,
    outbound: false,
    assisting: false,
    logoutCause: undefined,
    loginAt: now,
    channel: '',
  };
}

const pairKey = (agentId: string, queueId: string) => `${agentId}\u0000${queueId}`;
