/**
 * The pure ACD core: decide(state, input, now) → { state, commands, events }.
 * No I/O, no clock, no randomness of its own. The state object is owned by one router and
 * updated in place (returned for convenience); every rule depends only on (state, input, now).
 */
import type { ExitDestination } from '../domain/config.js';
import { mulberry32Step } from '../domain/random.js';
import { NO_QUEUE } from '../domain/queue-log.js';
import { consultAnswered, consultEnd, consultStart, transferCall } from './call-control.js';
import { HOLD_TIMER, holdEnded, virtualEnqueue, virtualize, virtualRetry } from './virtual-queue.js';
import { relaxAt, skillsMatch } from './skills.js';
import { MinHeap } from './heap.js';
import type {
  AgentPresence,
  AgentRec,
  CallRec,
  Decision,
  HeapEntry,
  MemberRec,
  QueueRec,
  RoutingCommand,
  RoutingConfig,
  RoutingEvent,
  RoutingInput,
  RoutingQueueConfig,
  RoutingState,
} from './types.js';

export function createRoutingState(seed = 1): RoutingState {
  return { queues: new Map(), agents: new Map(), calls: new Map(), timers: new Map(), gen: 0, seq: 0, rng: seed | 0 };
}

export interface Ctx {
  s: RoutingState;
  now: number;
  commands: RoutingCommand[];
  events: RoutingEvent[];
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

const timerHandlers: Record<string, (ctx: Ctx, id: string) => void> = {
  noanswer: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state !== 'offered') return;
    ctx.commands.push({ type: 'offer.cancel', callId, agentId: call.agentId ?? '', reason: 'timeout' });
    offerFailed(ctx, call, 'no-answer');
  },
  wrapup: (ctx, agentId) => {
    const a = ctx.s.agents.get(agentId);
    if (!a || a.activity !== 'wrapup') return;
    becomeIdle(ctx, a);
  },
  maxwait: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state === 'connected') return;
    if (call.state === 'offered') {
      call.exitPending = true;
      return;
    }
    exitCall(ctx, call, 'timeout');
  },
  overflow: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    const q = call && ctx.s.queues.get(call.queueId);
    if (!call || !q || call.state === 'connected') return;
    scheduleOverflow(ctx, q, call);
    if (call.state === 'waiting') dispatchOpenedTier(ctx, q, call);
  },
  [HOLD_TIMER]: (ctx, callId) => holdEnded(ctx, callId),
  skills: (ctx, callId) => {
    // The call's skills no longer restrict it: the agents now allowed take their best calls.
    const call = ctx.s.calls.get(callId);
    const q = call && ctx.s.queues.get(call.queueId);
    if (!call || !q || call.state !== 'waiting') return;
    dispatchOpenedTier(ctx, q, call);
  },
  retry: (ctx, callId) => {
    const call = ctx.s.calls.get(callId);
    if (!call || call.state === 'connected') return;
    call.tried = undefined;
    if (call.state === 'waiting') dispatchCall(ctx, call);
  },
};

// ---------------------------------------------------------------- config

function applyConfig(ctx: Ctx, cfg: RoutingConfig): void {
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

// ---------------------------------------------------------------- agents

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
function detach(a: AgentRec): void {
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

function pause(ctx: Ctx, a: AgentRec, reason: string): void {
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
function reopenTiers(ctx: Ctx, a: AgentRec): void {
  const woken = new Set<AgentRec>();
  for (const m of a.memberships) {
    const q = m.queue;
    if (q.cfg.overflowDelayMs <= 0 || q.calls.size === 0 || q.available.size === 0) continue;
    for (const other of q.available) woken.add(other.agent);
  }
  if (woken.size > 0) dispatchAll(ctx, [...woken]);
}

function logout(ctx: Ctx, a: AgentRec, cause = 'logout'): void {
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

function releaseAgentFromOffer(ctx: Ctx, a: AgentRec): void {
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

// ---------------------------------------------------------------- calls

function offerFailed(ctx: Ctx, call: CallRec, cause: string): void {
  const a = ctx.s.agents.get(call.agentId ?? '');
  const q = ctx.s.queues.get(call.queueId);
  queueLog(ctx, 'RINGNOANSWER', call.queueId, { callId: call.id, agentId: call.agentId, data: { ringtime: ctx.now - call.offeredAt, cause } });
  if (a) {
    (call.tried ??= new Set()).add(a.id);
    a.activity = 'idle';
    a.callId = undefined;
    a.noAnswers += 1;
  }
  const settleAgent = () => {
    if (!a) return;
    const limit = q?.cfg.maxNoAnswer ?? 0;
    if (limit > 0 && a.noAnswers >= limit && a.status === 'ready') pause(ctx, a, 'no-answer');
    else refreshAgent(ctx, a);
  };
  if (call.exitPending) {
    call.state = 'waiting';
    exitCall(ctx, call, 'timeout');
    settleAgent();
  } else {
    // The call is back in its place before the auto-pause wakes agents of lower tiers, and offered
    // again only after: they take the waiting calls in order (priority, then arrival).
    requeue(ctx, call, settleAgent);
  }
  if (a && !a.removed) dispatchAgent(ctx, a);
  else if (a?.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
  }
}

/**
 * Put an offered call back in its place and offer it again. `beforeDispatch` runs in between:
 * an agent that stops being staffed there may open lower tiers, and the agents there take the
 * waiting calls in order first, so the call back in the queue jumps no call ahead of it.
 */
function requeue(ctx: Ctx, call: CallRec, beforeDispatch?: () => void): void {
  const q = ctx.s.queues.get(call.queueId);
  if (!q) {
    beforeDispatch?.();
    return;
  }
  call.state = 'waiting';
  call.agentId = undefined;
  pushWaiting(q, call);
  beforeDispatch?.();
  dispatchCall(ctx, call);
  if (call.state === 'waiting' && call.tried && call.tried.size > 0 && !ctx.s.timers.has(`retry:${call.id}`)) {
    setTimer(ctx, `retry:${call.id}`, ctx.now + q.cfg.retryMs);
  }
}

function endConnected(ctx: Ctx, call: CallRec, side: 'caller' | 'agent'): void {
  const a = ctx.s.agents.get(call.agentId ?? '');
  const q = ctx.s.queues.get(call.queueId);
  queueLog(ctx, side === 'caller' ? 'COMPLETECALLER' : 'COMPLETEAGENT', call.queueId, {
    callId: call.id,
    agentId: call.agentId,
    data: { holdtime: ms(call.connectedAt - call.enqueuedAt), calltime: ms(ctx.now - call.connectedAt), origposition: call.origPosition },
  });
  ctx.s.calls.delete(call.id);
  const freed = releaseAssistants(ctx, call);
  if (a && a.callId === call.id && !a.assisting && wrapupAfter(ctx, a, q, false)) freed.push(a);
  dispatchAll(ctx, freed);
}

/**
 * The agent's call is over: wrap-up (the queue's time) or idle. With `dispatch` false an agent
 * that is idle now is not given a call yet: true is returned and the caller dispatches it.
 */
export function wrapupAfter(ctx: Ctx, a: AgentRec, q: QueueRec | undefined, dispatch = true): boolean {
  const wrapupMs = q?.cfg.wrapupMs ?? 0;
  if (wrapupMs > 0 && a.status !== 'loggedOut' && !a.removed) {
    a.activity = 'wrapup';
    a.callId = undefined;
    setTimer(ctx, `wrapup:${a.id}`, ctx.now + wrapupMs);
    refreshAgent(ctx, a);
    return false;
  }
  if (dispatch) {
    becomeIdle(ctx, a);
    return false;
  }
  a.activity = 'idle';
  a.callId = undefined;
  a.callQueueId = undefined;
  a.idleSince = ctx.now;
  if (a.removed) {
    detach(a);
    ctx.s.agents.delete(a.id);
    return false;
  }
  refreshAgent(ctx, a);
  return true;
}

/**
 * Several agents became free at once (a call with consulted agents ended): the agent whose best
 * call ranks highest goes first, so none takes a lesser call while a better one it could take
 * waits — as when tiers reopen.
 */
export function dispatchAll(ctx: Ctx, agents: readonly AgentRec[]): void {
  if (agents.length === 1) return dispatchAgent(ctx, agents[0]!);
  const ranked: { agent: AgentRec; call: CallRec; queue: QueueRec }[] = [];
  for (const agent of agents) {
    const best = bestCallFor(ctx, agent);
    if (best) ranked.push({ agent, ...best });
  }
  ranked.sort((x, y) => compareCalls(x.call, x.queue, y.call, y.queue));
  for (const { agent } of ranked) dispatchAgent(ctx, agent);
}

/** Agents consulted or conferenced on a call that is over go back to work. */
/**
 * Free the agents consulted or conferenced on a call. They are not given a call here: the caller
 * settles the call's own agent, then dispatches them, so each waiting call goes to the best of all.
 */
export function releaseAssistants(ctx: Ctx, call: CallRec): AgentRec[] {
  if (!call.assistants) return [];
  const freed: AgentRec[] = [];
  for (const id of call.assistants) {
    const b = ctx.s.agents.get(id);
    if (!b || !b.assisting || b.callId !== call.id) continue;
    b.assisting = false;
    b.activity = 'idle';
    b.callId = undefined;
    b.idleSince = ctx.now;
    if (b.removed) {
      detach(b);
      ctx.s.agents.delete(b.id);
      continue;
    }
    refreshAgent(ctx, b);
    freed.push(b);
  }
  call.assistants = undefined;
  return freed;
}

function exitCall(ctx: Ctx, call: CallRec, reason: 'timeout' | 'removed', destination?: ExitDestination): void {
  const q = ctx.s.queues.get(call.queueId);
  if (reason === 'timeout') {
    queueLog(ctx, 'EXITWITHTIMEOUT', call.queueId, {
      callId: call.id,
      data: { position: q ? positionOf(q, call) : 0, origposition: call.origPosition, waittime: ms(ctx.now - call.enqueuedAt) },
    });
  }
  ctx.commands.push({ type: 'call.exit', callId: call.id, queueId: call.queueId, reason, destination: destination ?? q?.cfg.exit ?? { action: 'hangup' } });
  removeCall(ctx, call);
}

/** Forget a call that is waiting or being offered (not connected). */
function removeCall(ctx: Ctx, call: CallRec): void {
  const q = ctx.s.queues.get(call.queueId);
  if (q && q.calls.delete(call)) decLevel(q, call.priority);
  call.heapGen += 1;
  ctx.s.calls.delete(call.id);
  clearTimer(ctx, `noanswer:${call.id}`);
  clearCallTimers(ctx, call);
}

export function clearCallTimers(ctx: Ctx, call: CallRec): void {
  clearTimer(ctx, `maxwait:${call.id}`);
  clearTimer(ctx, `overflow:${call.id}`);
  clearTimer(ctx, `retry:${call.id}`);
  if (call.virtual) clearTimer(ctx, `${HOLD_TIMER}:${call.id}`);
  if (call.skills) clearTimer(ctx, `skills:${call.id}`);
}

/** A call whose skills relax later is woken then, so the agents it may now have take it. */
export function scheduleSkillsRelax(ctx: Ctx, q: QueueRec, call: CallRec): void {
  const at = relaxAt(q, call, ctx.now);
  if (at !== undefined) setTimer(ctx, `skills:${call.id}`, at);
}

/** With an overflow delay, lower tiers open one by one; wake the call when the next one opens. */
export function scheduleOverflow(ctx: Ctx, q: QueueRec, call: CallRec): void {
  const d = q.cfg.overflowDelayMs;
  const ranks = q.staffedByRank.length;
  if (d <= 0 || ranks <= 1) {
    clearTimer(ctx, `overflow:${call.id}`);
    return;
  }
  const waited = ctx.now - call.enqueuedAt;
  const next = Math.floor(waited / d) + 1;
  if (next >= ranks) {
    clearTimer(ctx, `overflow:${call.id}`);
    return;
  }
  call.overflowRank = next;
  setTimer(ctx, `overflow:${call.id}`, call.enqueuedAt + next * d);
}

// ---------------------------------------------------------------- waiting lists

/** First come, first served: by enqueue time (a call restored after a restart keeps its original one), then arrival order. */
const heapLess = (x: HeapEntry, y: HeapEntry) => x.call.enqueuedAt < y.call.enqueuedAt || (x.call.enqueuedAt === y.call.enqueuedAt && x.call.seq < y.call.seq);

export function pushWaiting(q: QueueRec, call: CallRec): void {
  let heap = q.heaps.get(call.priority);
  if (!heap) {
    heap = new MinHeap<HeapEntry>(heapLess);
    q.heaps.set(call.priority, heap);
    q.levels.push(call.priority);
    q.levels.sort((x, y) => y - x);
  }
  call.heapGen += 1;
  heap.push({ call, gen: call.heapGen });
}

export function incLevel(q: QueueRec, priority: number): void {
  q.levelCounts.set(priority, (q.levelCounts.get(priority) ?? 0) + 1);
}
function decLevel(q: QueueRec, priority: number): void {
  q.levelCounts.set(priority, (q.levelCounts.get(priority) ?? 1) - 1);
}
/** Calls in the queue with this caller priority or a higher one. */
export function countAtOrAbove(q: QueueRec, priority: number): number {
  let n = 0;
  for (const [p, c] of q.levelCounts) if (p >= priority) n += c;
  return n;
}

const isLive = (e: HeapEntry) => e.call.state === 'waiting' && e.call.heapGen === e.gen;

/** 1-based position of a call among the calls of its queue (waiting or ringing). */
export function positionOf(q: QueueRec, call: CallRec): number {
  let ahead = 0;
  for (const c of q.calls) {
    if (c === call) continue;
    if (c.priority > call.priority || (c.priority === call.priority && c.seq < call.seq)) ahead++;
  }
  return ahead + 1;
}

// ---------------------------------------------------------------- matching

function tierOpen(ctx: Ctx, q: QueueRec, rank: number, call: CallRec): boolean {
  const d = q.cfg.overflowDelayMs;
  if (rank <= 0 || d <= 0) return true;
  if (ctx.now - call.enqueuedAt >= rank * d) return true;
  for (let r = 0; r < rank; r++) if ((q.staffedByRank[r] ?? 0) > 0) return false;
  return true;
}

function eligible(ctx: Ctx, q: QueueRec, m: MemberRec, call: CallRec): boolean {
  if (call.tried?.has(m.agent.id)) return false;
  if (call.agents && !call.agents.includes(m.agent.id)) return false;
  if (!skillsMatch(m.agent, q, call, ctx.now)) return false;
  return tierOpen(ctx, q, m.rank, call);
}

/** The best available member of the call's queue for this call, or undefined. */
function selectAgent(ctx: Ctx, call: CallRec): MemberRec | undefined {
  const q = ctx.s.queues.get(call.queueId);
  if (!q || q.available.size === 0) return undefined;
  const strategy = q.cfg.strategy;
  let best: MemberRec | undefined;
  let ties = 0;
  for (const m of q.available) {
    if (!eligible(ctx, q, m, call)) continue;
    if (!best) {
      best = m;
      ties = 1;
      continue;
    }
    const c = compareMembers(q, call, m, best);
    if (c < 0) {
      best = m;
      ties = 1;
    } else if (c === 0 && strategy === 'random') {
      // Reservoir sampling among equals, with the seeded generator held in state.
      ties += 1;
      if (nextRandom(ctx.s) * ties < 1) best = m;
    }
  }
  return best;
}

/** Negative when `x` should be offered before `y`. */
function compareMembers(q: QueueRec, call: CallRec, x: MemberRec, y: MemberRec): number {
  if (call.agents) {
    const d = call.agents.indexOf(x.agent.id) - call.agents.indexOf(y.agent.id);
    if (d !== 0) return d;
  }
  if (call.preferred !== undefined) {
    if (x.agent.id === call.preferred) return -1;
    if (y.agent.id === call.preferred) return 1;
  }
  if (x.rank !== y.rank) return x.rank - y.rank;
  if (x.penalty !== y.penalty) return x.penalty - y.penalty;
  switch (q.cfg.strategy) {
    case 'longest-idle':
      if (x.agent.idleSince !== y.agent.idleSince) return x.agent.idleSince - y.agent.idleSince;
      break;
    case 'fewest-calls':
      if (x.callsTaken !== y.callsTaken) return x.callsTaken - y.callsTaken;
      if (x.agent.idleSince !== y.agent.idleSince) return x.agent.idleSince - y.agent.idleSince;
      break;
    case 'round-robin': {
      const n = q.nextOrder + 1;
      const dx = (((x.order - q.rrCursor - 1) % n) + n) % n;
      const dy = (((y.order - q.rrCursor - 1) % n) + n) % n;
      if (dx !== dy) return dx - dy;
      break;
    }
    case 'linear':
      if (x.order !== y.order) return x.order - y.order;
      break;
    case 'random':
      return 0;
  }
  return x.agent.id < y.agent.id ? -1 : x.agent.id > y.agent.id ? 1 : 0;
}

/** The call this agent should take next in one queue, or undefined. */
function bestCallInQueue(ctx: Ctx, q: QueueRec, m: MemberRec): CallRec | undefined {
  const agentId = m.agent.id;
  for (const level of q.levels) {
    const heap = q.heaps.get(level);
    if (!heap) continue;
    while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop();
    if (heap.size === 0) continue;
    const top = heap.peek()!.call;
    if (!top.tried?.has(agentId) && (!top.agents || top.agents.includes(agentId)) && skillsMatch(m.agent, q, top, ctx.now)) {
      if (tierOpen(ctx, q, m.rank, top)) return top;
      continue;
    }
    // Rare path: the head declined this agent already, or is reserved for others; look deeper.
    const aside: HeapEntry[] = [];
    let found: CallRec | undefined;
    while (heap.size > 0) {
      const e = heap.pop()!;
      if (!isLive(e)) continue;
      aside.push(e);
      const c = e.call;
      if (c.tried?.has(agentId) || (c.agents && !c.agents.includes(agentId)) || !skillsMatch(m.agent, q, c, ctx.now)) continue;
      if (tierOpen(ctx, q, m.rank, c)) found = c;
      break;
    }
    for (const e of aside) heap.push(e);
    if (found) return found;
  }
  return undefined;
}

/** Negative when call `x` (from queue qx) should be served before `y` (from qy). */
function compareCalls(x: CallRec, qx: QueueRec, y: CallRec, qy: QueueRec): number {
  if (qx.cfg.weight !== qy.cfg.weight) return qy.cfg.weight - qx.cfg.weight;
  if (x.priority !== y.priority) return y.priority - x.priority;
  if (x.enqueuedAt !== y.enqueuedAt) return x.enqueuedAt - y.enqueuedAt;
  return x.seq - y.seq;
}

/**
 * A lower tier opened for `call` by its wait: the agents it opened take the best waiting calls
 * first, so a call of higher priority whose tier opens at the same instant goes before it.
 */
export function dispatchOpenedTier(ctx: Ctx, q: QueueRec, call: CallRec): void {
  for (const m of [...q.available]) {
    if (call.state !== 'waiting') return;
    if (m.agent.available && eligible(ctx, q, m, call)) dispatchAgent(ctx, m.agent);
  }
}

export function dispatchCall(ctx: Ctx, call: CallRec): void {
  if (call.state !== 'waiting') return;
  const m = selectAgent(ctx, call);
  if (m) offer(ctx, call, m);
}

/** An agent became available: give it the best waiting call across its queues (fair by weight, then wait). */
export function dispatchAgent(ctx: Ctx, a: AgentRec): void {
  while (a.available) {
    const best = bestCallFor(ctx, a);
    if (!best) return;
    // The call may have a better claim on another available agent (tier, penalty, strategy).
    const chosen = selectAgent(ctx, best.call);
    if (!chosen) return;
    offer(ctx, best.call, chosen);
  }
}

/** The best waiting call this agent may take across its queues (weight, priority, wait). */
function bestCallFor(ctx: Ctx, a: AgentRec): { call: CallRec; queue: QueueRec } | undefined {
  let bestCall: CallRec | undefined;
  let bestQueue: QueueRec | undefined;
  for (const m of a.memberships) {
    if (m.queue.calls.size === 0) continue;
    const c = bestCallInQueue(ctx, m.queue, m);
    if (c && (!bestCall || compareCalls(c, m.queue, bestCall, bestQueue!) < 0)) {
      bestCall = c;
      bestQueue = m.queue;
    }
  }
  return bestCall && bestQueue ? { call: bestCall, queue: bestQueue } : undefined;
}

function offer(ctx: Ctx, call: CallRec, m: MemberRec): void {
  const a = m.agent;
  const q = m.queue;
  call.state = 'offered';
  call.agentId = a.id;
  call.offeredAt = ctx.now;
  call.heapGen += 1;
  a.activity = 'ringing';
  a.callId = call.id;
  if (q.cfg.strategy === 'round-robin') q.rrCursor = m.order;
  refreshAgent(ctx, a);
  const timeoutMs = call.agentTimeouts?.[a.id] ?? call.offerTimeoutMs ?? q.cfg.answerTimeoutMs;
  ctx.commands.push({ type: 'offer', callId: call.id, agentId: a.id, queueId: q.cfg.id, timeoutMs });
  setTimer(ctx, `noanswer:${call.id}`, ctx.now + timeoutMs);
}

// ---------------------------------------------------------------- helpers

export function setTimer(ctx: Ctx, key: string, at: number): void {
  const gen = ++ctx.s.gen;
  ctx.s.timers.set(key, gen);
  ctx.commands.push({ type: 'timer.set', key, at, gen });
}

export function clearTimer(ctx: Ctx, key: string): void {
  if (ctx.s.timers.delete(key)) ctx.commands.push({ type: 'timer.clear', key });
}

export function ignore(ctx: Ctx, input: RoutingInput, reason: string): void {
  ctx.events.push({ type: 'ignored', input: input.type, reason });
}

export function queueLog(
  ctx: Ctx,
  event: Extract<RoutingEvent, { type: 'queue.log' }>['event'],
  queueId: string,
  fields: { callId?: string | undefined; agentId?: string | undefined; data: Record<string, string | number> },
): void {
  const ev: Extract<RoutingEvent, { type: 'queue.log' }> = { type: 'queue.log', event, at: ctx.now, queueId, data: fields.data };
  if (fields.callId !== undefined) ev.callId = fields.callId;
  if (fields.agentId !== undefined) ev.agentId = fields.agentId;
  ctx.events.push(ev);
}

/** Milliseconds → whole seconds, as queue_log reports times (ring times stay in ms). */
const ms = (x: number) => Math.round(x / 1000);

function nextRandom(s: RoutingState): number {
  const r = mulberry32Step(s.rng);
  s.rng = r.state;
  return r.value;
}
