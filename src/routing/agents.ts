/**
 * Agent availability and presence, part of the pure core: derived flags (staffed, available,
 * logged in) kept in step with the queue indexes, presence changes reported, pause and logout,
 * an agent going idle, and lower tiers reopening when an agent stops being staffed.
 */
import { NO_QUEUE } from '../domain/queue-log.js';
import { exitCall, requeue } from './calls.js';
import { clearTimer, ignore, ms, queueLog, type Ctx } from './context.js';
import { dispatchAgent, dispatchAll } from './dispatch.js';
import type { AgentPresence, AgentRec, RoutingEvent, RoutingInput } from './types.js';

export function agentOrIgnore(ctx: Ctx, input: Extract<RoutingInput, { agentId: string }>): AgentRec | undefined {
  const a = ctx.s.agents.get(input.agentId);
  if (!a || a.removed) {
    ignore(ctx, input, 'unknown agent');
    return undefined;
  }
  return a;
}

function presenceOf(a: AgentRec): AgentPresence {
  if (a.status === 'loggedOut') return 'loggedout';
  if (a.activity === 'ringing') return 'ringing';
  if (a.activity === 'dialing') return 'dialing';
  if (a.activity === 'onCall') return 'oncall';
  if (a.activity === 'wrapup') return 'wrapup';
  return a.status === 'paused' ? 'paused' : 'ready';
}

/** Remove the agent's contribution to its queues' indexes. */
export function detach(a: AgentRec): void {
  for (const m of a.memberships) {
    const q = m.queue;
    if (a.staffed && q.staffedByRank[m.rank] !== undefined) q.staffedByRank[m.rank]! -= 1;
    if (a.available) q.available.delete(m);
    if (a.loggedIn) q.loggedInCount -= 1;
  }
  a.staffed = false;
  a.available = false;
  a.loggedIn = false;
}

/** Recompute the agent's derived flags, keep queue indexes in step, and report a presence change. */
export function refreshAgent(ctx: Ctx, a: AgentRec): void {
  const staffed = a.status === 'ready' && a.reachable && !a.dnd && !a.removed;
  const available = staffed && a.activity === 'idle';
  const loggedIn = a.status !== 'loggedOut' && !a.removed;
  if (staffed !== a.staffed) {
    for (const m of a.memberships) if (m.queue.staffedByRank[m.rank] !== undefined) m.queue.staffedByRank[m.rank]! += staffed ? 1 : -1;
    a.staffed = staffed;
  }
  if (available !== a.available) {
    for (const m of a.memberships) {
      if (available) m.queue.available.add(m);
      else m.queue.available.delete(m);
    }
    a.available = available;
  }
  if (loggedIn !== a.loggedIn) {
    for (const m of a.memberships) m.queue.loggedInCount += loggedIn ? 1 : -1;
    a.loggedIn = loggedIn;
  }
  const presence = presenceOf(a);
  if (presence !== a.presence) {
    const ev: RoutingEvent = { type: 'agent.state', agentId: a.id, presence, previous: a.presence, at: ctx.now };
    if (presence === 'paused' && a.pauseReason !== undefined) ev.reason = a.pauseReason;
    if (presence === 'loggedout' && a.logoutCause !== undefined) ev.reason = a.logoutCause;
    if ((presence === 'ringing' || presence === 'dialing' || presence === 'oncall') && a.callId) ev.callId = a.callId;
    ctx.events.push(ev);
    a.presence = presence;
    a.presenceSince = ctx.now;
  }
}

export function pause(ctx: Ctx, a: AgentRec, reason: string): void {
  a.status = 'paused';
  a.pauseReason = reason;
  for (const m of a.memberships) queueLog(ctx, 'PAUSE', m.queue.cfg.id, { agentId: a.id, data: { reason } });
  const before = a.presence;
  refreshAgent(ctx, a);
  // A new reason while already paused is still news for desktops.
  if (before === 'paused' && a.presence === 'paused') {
    ctx.events.push({ type: 'agent.state', agentId: a.id, presence: 'paused', previous: 'paused', reason, at: ctx.now });
  }
  reopenTiers(ctx, a);
}

/**
 * The agent stopped being staffed: with an overflow delay, lower tiers of its queues open as soon
 * as no higher-tier agent is staffed, so agents already available there may now take calls.
 */
export function reopenTiers(ctx: Ctx, a: AgentRec): void {
  const woken = new Set<AgentRec>();
  for (const m of a.memberships) {
    const q = m.queue;
    if (q.cfg.overflowDelayMs <= 0 || q.calls.size === 0 || q.available.size === 0) continue;
    for (const other of q.available) woken.add(other.agent);
  }
  if (woken.size > 0) dispatchAll(ctx, [...woken]);
}

export function logout(ctx: Ctx, a: AgentRec, cause = 'logout'): void {
  a.status = 'loggedOut';
  a.logoutCause = cause;
  a.pauseReason = undefined;
  for (const m of a.memberships) queueLog(ctx, 'REMOVEMEMBER', m.queue.cfg.id, { agentId: a.id, data: { cause } });
  queueLog(ctx, 'AGENTLOGOFF', NO_QUEUE, { agentId: a.id, data: { channel: a.channel, logintime: ms(ctx.now - a.loginAt), cause } });
  if (a.assisting && a.activity === 'ringing' && a.callId) {
    // Reserved for a consult: the call's own agent stays; the consult stops ringing.
    ctx.s.calls.get(a.callId)?.assistants?.delete(a.id);
    ctx.commands.push({ type: 'consult.cancel', callId: a.callId, agentId: a.id });
    a.assisting = false;
    a.activity = 'idle';
    a.callId = undefined;
    refreshAgent(ctx, a);
    reopenTiers(ctx, a);
    return;
  }
  if (a.activity === 'ringing' && a.callId) {
    const call = ctx.s.calls.get(a.callId);
    if (call && call.state === 'offered') {
      ctx.commands.push({ type: 'offer.cancel', callId: call.id, agentId: a.id, reason: 'logout' });
      clearTimer(ctx, `noanswer:${call.id}`);
      a.activity = 'idle';
      a.callId = undefined;
      refreshAgent(ctx, a);
      if (call.exitPending) {
        call.state = 'waiting';
        exitCall(ctx, call, 'timeout');
        reopenTiers(ctx, a);
      } else requeue(ctx, call, () => reopenTiers(ctx, a));
      return;
    }
  }
  if (a.activity === 'wrapup') {
    clearTimer(ctx, `wrapup:${a.id}`);
    a.activity = 'idle';
    a.callId = undefined;
  }
  refreshAgent(ctx, a);
  reopenTiers(ctx, a);
}

export function becomeIdle(ctx: Ctx, a: AgentRec): void {
  a.activity = 'idle';
  a.callId = undefined;
  a.callQueueId = undefined;
  a.idleSince = ctx.now;
  if (a.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
    return;
  }
  refreshAgent(ctx, a);
  dispatchAgent(ctx, a);
}

export function releaseAgentFromOffer(ctx: Ctx, a: AgentRec): void {
  if (a.activity !== 'ringing') return;
  a.activity = 'idle';
  a.callId = undefined;
  if (a.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
    return;
  }
  refreshAgent(ctx, a);
  dispatchAgent(ctx, a);
}
