/**
 * The pure ACD core: decide(state, input, now) → { state, commands, events }.
 * No I/O, no clock, no randomness of its own. The state object is owned by one router and
 * updated in place (returned for convenience); every rule depends only on (state, input, now).
 *
 * This file is the entry: it creates the state and routes each input to its rule. The rules
 * live beside it — agents.ts (availability, presence, pause, logout), selection.ts and
 * dispatch.ts (who is offered what), calls.ts (offer outcomes, requeue, exit), wrapup.ts (after
 * a connected call), waiting.ts (waiting lists), timers.ts (what fired timers do),
 * apply-config.ts, call-control.ts, virtual-queue.ts, skills.ts; context.ts holds the helpers.
 */
import { NO_QUEUE } from '../domain/queue-log.js';
import { agentOrIgnore, becomeIdle, logout, pause, refreshAgent, releaseAgentFromOffer, reopenTiers } from './agents.js';
import { applyConfig } from './apply-config.js';
import { consultAnswered, consultEnd, consultStart, transferCall } from './call-control.js';
import { offerFailed, removeCall } from './calls.js';
import { clearTimer, ignore, ms, queueLog, setTimer, type Ctx } from './context.js';
import { dispatchAgent, dispatchCall } from './dispatch.js';
import { clearCallTimers, scheduleOverflow, scheduleSkillsRelax, timerHandlers } from './timers.js';
import { virtualEnqueue, virtualize, virtualRetry } from './virtual-queue.js';
import { countAtOrAbove, decLevel, incLevel, positionOf, pushWaiting } from './waiting.js';
import { endConnected } from './wrapup.js';
import type { CallRec, Decision, RoutingInput, RoutingState } from './types.js';

// The rules other modules use, re-exported so importers of the core need only this entry.
export { agentOrIgnore, becomeIdle, refreshAgent } from './agents.js';
export { clearTimer, ignore, queueLog, setTimer, type Ctx } from './context.js';
export { dispatchAgent, dispatchAll, dispatchCall, dispatchOpenedTier } from './dispatch.js';
export { clearCallTimers, scheduleOverflow, scheduleSkillsRelax } from './timers.js';
export { countAtOrAbove, incLevel, positionOf, pushWaiting } from './waiting.js';
export { releaseAssistants, wrapupAfter } from './wrapup.js';

export function createRoutingState(seed = 1): RoutingState {
  return { queues: new Map(), agents: new Map(), calls: new Map(), timers: new Map(), gen: 0, seq: 0, rng: seed | 0 };
}

export function decide(state: RoutingState, input: RoutingInput, now: number): Decision {
  const ctx: Ctx = { s: state, now, commands: [], events: [] };
  handlers[input.type](ctx, input as never);
  return { state, commands: ctx.commands, events: ctx.events };
}

type Handlers = { [K in RoutingInput['type']]: (ctx: Ctx, input: Extract<RoutingInput, { type: K }>) => void };

const handlers: Handlers = {
  'config.apply': (ctx, input) => applyConfig(ctx, input.config),

  'agent.login': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status !== 'loggedOut') return ignore(ctx, input, 'already logged in');
    a.status = 'ready';
    a.pauseReason = undefined;
    a.noAnswers = 0;
    if (a.activity === 'idle') a.idleSince = ctx.now;
    a.loginAt = ctx.now;
    a.channel = input.channel ?? '';
    queueLog(ctx, 'AGENTLOGIN', NO_QUEUE, { agentId: a.id, data: { channel: a.channel } });
    for (const m of a.memberships) queueLog(ctx, 'ADDMEMBER', m.queue.cfg.id, { agentId: a.id, data: { paused: '', penalty: m.penalty } });
    refreshAgent(ctx, a);
    dispatchAgent(ctx, a);
  },

  'agent.logout': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status === 'loggedOut') return ignore(ctx, input, 'not logged in');
    logout(ctx, a, input.cause);
  },

  'agent.pause': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status === 'loggedOut') return ignore(ctx, input, 'not logged in');
    const reason = input.reason ?? '';
    if (a.status === 'paused' && a.pauseReason === reason) return ignore(ctx, input, 'already paused');
    pause(ctx, a, reason);
  },

  'agent.unpause': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status !== 'paused') return ignore(ctx, input, 'not paused');
    a.status = 'ready';
    a.pauseReason = undefined;
    a.noAnswers = 0;
    for (const m of a.memberships) queueLog(ctx, 'UNPAUSE', m.queue.cfg.id, { agentId: a.id, data: { reason: '' } });
    refreshAgent(ctx, a);
    dispatchAgent(ctx, a);
  },

  'agent.reachable': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.reachable === input.reachable) return ignore(ctx, input, 'unchanged');
    a.reachable = input.reachable;
    ctx.events.push({ type: 'agent.reachable', agentId: a.id, reachable: a.reachable, at: ctx.now });
    refreshAgent(ctx, a);
    if (a.reachable) dispatchAgent(ctx, a);
    else reopenTiers(ctx, a);
  },

  'agent.dnd': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.dnd === input.dnd) return ignore(ctx, input, 'unchanged');
    a.dnd = input.dnd;
    ctx.events.push({ type: 'agent.dnd', agentId: a.id, dnd: a.dnd, at: ctx.now });
    refreshAgent(ctx, a);
    if (!a.dnd) dispatchAgent(ctx, a);
    else reopenTiers(ctx, a);
  },

  'call.enqueue': (ctx, input) => {
    const s = ctx.s;
    if (s.calls.has(input.callId)) return ignore(ctx, input, 'call already queued');
    const q = s.queues.get(input.queueId);
    if (!q || q.removed) return ignore(ctx, input, 'unknown queue');
    const priority = input.priority ?? 0;
    if (q.loggedInCount === 0 && q.cfg.joinEmpty === 'refuse') {
      queueLog(ctx, 'JOINEMPTY', q.cfg.id, { callId: input.callId, data: {} });
      ctx.commands.push({ type: 'call.exit', callId: input.callId, queueId: q.cfg.id, reason: 'joinempty', destination: q.cfg.exit });
      return;
    }
    const restored = input.restoredAt !== undefined;
    const call: CallRec = {
      id: input.callId,
      queueId: q.cfg.id,
      priority,
      enqueuedAt: input.restoredAt ?? ctx.now,
      seq: ++s.seq,
      state: 'waiting',
      agentId: undefined,
      offeredAt: 0,
      connectedAt: 0,
      tried: undefined,
      heapGen: 0,
      origPosition: 0,
      exitPending: false,
      agents: input.agents ? [...input.agents] : undefined,
      agentTimeouts: input.agentTimeouts,
      preferred: input.preferredAgent,
      overflowRank: 0,
      assistants: undefined,
      skills: input.skills,
    };
    call.origPosition = 1 + countAtOrAbove(q, priority);
    s.calls.set(call.id, call);
    q.calls.add(call);
    incLevel(q, priority);
    pushWaiting(q, call);
    if (!restored) queueLog(ctx, 'ENTERQUEUE', q.cfg.id, { callId: call.id, data: { url: '', callerid: input.callerId ?? '', position: call.origPosition } });
    if (q.cfg.maxWaitMs > 0) setTimer(ctx, `maxwait:${call.id}`, Math.max(ctx.now, call.enqueuedAt + q.cfg.maxWaitMs));
    scheduleOverflow(ctx, q, call);
    scheduleSkillsRelax(ctx, q, call);
    dispatchCall(ctx, call);
  },

  'call.restore': (ctx, input) => {
    const s = ctx.s;
    if (s.calls.has(input.callId)) return ignore(ctx, input, 'call already known');
    const q = s.queues.get(input.queueId);
    const a = s.agents.get(input.agentId);
    if (!q || q.removed) return ignore(ctx, input, 'unknown queue');
    if (!a || a.removed) return ignore(ctx, input, 'unknown agent');
    if (a.status === 'loggedOut' || a.activity !== 'idle') return ignore(ctx, input, 'agent not free');
    const call: CallRec = {
      id: input.callId,
      queueId: q.cfg.id,
      priority: input.priority,
      enqueuedAt: input.enqueuedAt,
      seq: ++s.seq,
      state: 'connected',
      agentId: a.id,
      offeredAt: input.connectedAt,
      connectedAt: input.connectedAt,
      tried: undefined,
      heapGen: 0,
      origPosition: 0,
      exitPending: false,
      agents: undefined,
      agentTimeouts: undefined,
      preferred: undefined,
      overflowRank: 0,
      assistants: undefined,
    };
    s.calls.set(call.id, call);
    a.activity = 'onCall';
    a.callId = call.id;
    a.callQueueId = q.cfg.id;
    refreshAgent(ctx, a);
  },

  'agent.restore': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status !== 'loggedOut') return ignore(ctx, input, 'already logged in');
    a.status = input.status;
    a.pauseReason = input.status === 'paused' ? (input.pauseReason ?? '') : undefined;
    a.noAnswers = 0;
    if (input.wrapupUntil !== undefined && input.wrapupUntil > ctx.now && a.activity === 'idle') {
      a.activity = 'wrapup';
      setTimer(ctx, `wrapup:${a.id}`, input.wrapupUntil);
    }
    refreshAgent(ctx, a);
    dispatchAgent(ctx, a);
  },

  'call.agents': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call || call.state === 'connected') return ignore(ctx, input, 'no waiting call');
    call.agents = input.agents ? [...input.agents] : undefined;
    call.agentTimeouts = input.agentTimeouts;
    dispatchCall(ctx, call);
  },

  'agent.outbound': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (a.status === 'loggedOut') return ignore(ctx, input, 'not logged in');
    if (a.activity !== 'idle') return ignore(ctx, input, 'agent busy');
    a.activity = 'dialing';
    a.callId = input.callId;
    a.outbound = true;
    refreshAgent(ctx, a);
  },

  'agent.outbound.connected': (ctx, input) => {
    const a = agentOrIgnore(ctx, input);
    if (!a) return;
    if (!a.outbound || a.callId !== input.callId || a.activity !== 'dialing') return ignore(ctx, input, 'no such outbound call');
    a.activity = 'onCall';
    a.callsTaken += 1;
    refreshAgent(ctx, a);
  },

  'agent.outbound.end': (ctx, input) => {
    // A removed agent still has its outbound call to finish: look it up directly.
    const a = ctx.s.agents.get(input.agentId);
    if (!a) return ignore(ctx, input, 'unknown agent');
    if (!a.outbound || a.callId !== input.callId) return ignore(ctx, input, 'no such outbound call');
    a.outbound = false;
    becomeIdle(ctx, a);
  },

  'call.abandon': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call) return ignore(ctx, input, 'unknown call');
    if (call.state === 'connected') return endConnected(ctx, call, 'caller');
    const q = ctx.s.queues.get(call.queueId);
    const waitMs = ctx.now - call.enqueuedAt;
    if (call.state === 'offered') {
      const agent = ctx.s.agents.get(call.agentId ?? '');
      queueLog(ctx, 'RINGCANCELED', call.queueId, { callId: call.id, agentId: call.agentId, data: { ringtime: ctx.now - call.offeredAt } });
      ctx.commands.push({ type: 'offer.cancel', callId: call.id, agentId: call.agentId ?? '', reason: 'abandon' });
      queueLog(ctx, 'ABANDON', call.queueId, { callId: call.id, data: { position: q ? positionOf(q, call) : 0, origposition: call.origPosition, waittime: ms(waitMs) } });
      removeCall(ctx, call);
      if (agent) releaseAgentFromOffer(ctx, agent);
      return;
    }
    queueLog(ctx, 'ABANDON', call.queueId, { callId: call.id, data: { position: q ? positionOf(q, call) : 0, origposition: call.origPosition, waittime: ms(waitMs) } });
    removeCall(ctx, call);
  },

  'call.leave': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call) return ignore(ctx, input, 'unknown call');
    if (call.state === 'connected') return ignore(ctx, input, 'call is connected');
    const agent = call.state === 'offered' ? ctx.s.agents.get(call.agentId ?? '') : undefined;
    if (agent) ctx.commands.push({ type: 'offer.cancel', callId: call.id, agentId: agent.id, reason: 'abandon' });
    removeCall(ctx, call);
    if (agent) releaseAgentFromOffer(ctx, agent);
  },

  'offer.answered': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call || call.state !== 'offered' || call.agentId !== input.agentId) return ignore(ctx, input, 'no such offer');
    const a = ctx.s.agents.get(input.agentId);
    const q = ctx.s.queues.get(call.queueId);
    if (!a || !q) return ignore(ctx, input, 'no such offer');
    clearTimer(ctx, `noanswer:${call.id}`);
    clearCallTimers(ctx, call);
    call.state = 'connected';
    call.connectedAt = ctx.now;
    q.calls.delete(call);
    decLevel(q, call.priority);
    a.activity = 'onCall';
    a.noAnswers = 0;
    a.callsTaken += 1;
    a.callQueueId = q.cfg.id;
    const m = q.members.get(a.id);
    if (m) m.callsTaken += 1;
    queueLog(ctx, 'CONNECT', q.cfg.id, {
      callId: call.id,
      agentId: a.id,
      data: { holdtime: ms(ctx.now - call.enqueuedAt), bridgedchannelid: input.agentLeg ?? '', ringtime: ms(ctx.now - call.offeredAt) },
    });
    refreshAgent(ctx, a);
    ctx.commands.push({ type: 'connect', callId: call.id, agentId: a.id, queueId: q.cfg.id });
  },

  'offer.failed': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call || call.state !== 'offered' || call.agentId !== input.agentId) return ignore(ctx, input, 'no such offer');
    clearTimer(ctx, `noanswer:${call.id}`);
    offerFailed(ctx, call, input.cause);
  },

  'call.end': (ctx, input) => {
    const call = ctx.s.calls.get(input.callId);
    if (!call || call.state !== 'connected') return ignore(ctx, input, 'no connected call');
    endConnected(ctx, call, input.side);
  },

  'call.transfer': (ctx, input) => transferCall(ctx, input),
  'consult.start': (ctx, input) => consultStart(ctx, input),
  'consult.answered': (ctx, input) => consultAnswered(ctx, input),
  'consult.end': (ctx, input) => consultEnd(ctx, input),
  'call.virtualize': (ctx, input) => virtualize(ctx, input),
  'virtual.enqueue': (ctx, input) => virtualEnqueue(ctx, input),
  'virtual.retry': (ctx, input) => virtualRetry(ctx, input),

  'timer.fired': (ctx, input) => {
    const live = ctx.s.timers.get(input.key);
    if (live !== input.gen) return ignore(ctx, input, 'stale timer');
    ctx.s.timers.delete(input.key);
    const sep = input.key.indexOf(':');
    const kind = input.key.slice(0, sep);
    const id = input.key.slice(sep + 1);
    const timer = timerHandlers[kind];
    if (!timer) return ignore(ctx, input, 'unknown timer');
    timer(ctx, id);
  },
};
