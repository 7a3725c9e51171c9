/**
 * Random inputs for the routing core, from a seed: arrivals, answers, rejections and no-answers,
 * hang-ups on both sides (waiting, ringing, bridged), pauses, logins, reachability, click-to-call,
 * per-call agent lists, stale timer fires and config changes while calls are live.
 * It reads the core's state (never writes it) to aim most inputs at live calls and agents, and
 * sends a share of stale or unknown ones.
 */
import { seededRandom } from '../../../src/domain/random.js';
import type { Strategy } from '../../../src/domain/config.js';
import type { RoutingConfig, RoutingInput, RoutingMember, RoutingQueueConfig, RoutingState } from '../../../src/routing/types.js';

const QUEUE_POOL = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5'];
const AGENT_POOL = Array.from({ length: 12 }, (_, i) => `a${i}`);
const STRATEGIES: Strategy[] = ['longest-idle', 'round-robin', 'random', 'fewest-calls', 'linear'];
/** Above this many live calls arrivals slow down, so the state stays small and busy. */
const CALL_CAP = 30;
const QUEUE_SKILLS: Record<string, Pick<RoutingQueueConfig, 'skillsRequired' | 'skillsRelaxAfterMs'>> = {
  q0: { skillsRequired: true, skillsRelaxAfterMs: 30_000 },
  q2: { skillsRequired: true, skillsRelaxAfterMs: 0 },
  q4: { skillsRequired: true, skillsRelaxAfterMs: 10_000 },
};

/** Agent skills from the agent's number: a spread of levels, some agents without a skill. */
function agentSkills(id: string): { skills?: Record<string, number> } {
  const i = Number(id.slice(1));
  if (i % 5 === 4) return {};
  const skills: Record<string, number> = { en: 1 + (i % 3) * 40 };
  if (i % 2 === 0) skills.fr = 60;
  if (i % 4 === 1) skills.de = 95;
  return { skills };
}

export class InputGenerator {
  private readonly r: () => number;
  private callSeq = 0;
  private outSeq = 0;
  private queues: RoutingQueueConfig[] = [];
  private agents: string[] = [];
  private members: RoutingMember[] = [];
  /** Skills changed live (REST PUT/PATCH /agents/:id/skills), by agent; absent = from the agent's number. */
  private readonly skillEdits = new Map<string, Record<string, number> | undefined>();
  /** Timer (key, gen) pairs seen set, for stale fires. */
  private readonly pastTimers: { key: string; gen: number }[] = [];

  constructor(seed: number) {
    this.r = seededRandom(seed);
    this.queues = QUEUE_POOL.slice(0, 4).map((id) => this.queueConfig(id));
    this.agents = AGENT_POOL.slice(0, 8);
    for (const a of this.agents) for (const q of this.queues) if (this.r() < 0.45) this.members.push(this.member(a, q.id));
  }

  /** The config to start from. */
  config(): RoutingConfig {
    return {
      queues: this.queues.map((q) => ({ ...q })),
      agents: this.agents.map((id) => {
        if (!this.skillEdits.has(id)) return { id, ...agentSkills(id) };
        const skills = this.skillEdits.get(id);
        return skills ? { id, skills: { ...skills } } : { id };
      }),
      members: this.members.map((m) => ({ ...m })),
    };
  }

  /** Remember a timer the core set, so a later input can fire it with a stale generation. */
  sawTimer(key: string, gen: number): void {
    if (this.pastTimers.length < 64) this.pastTimers.push({ key, gen });
    else this.pastTimers[Math.floor(this.r() * 64)] = { key, gen };
  }

  /** Should a due timer reach the core only after the next input? (One in twenty.) */
  deferTimer(): boolean {
    return this.r() < 0.05;
  }

  /** Milliseconds until the next input: mostly short, sometimes long enough for timers to fire. */
  gap(): number {
    const x = this.r();
    if (x < 0.08) return 0;
    if (x < 0.5) return Math.floor(this.r() * 500);
    if (x < 0.85) return Math.floor(this.r() * 3000);
    if (x < 0.97) return Math.floor(this.r() * 20_000);
    return Math.floor(this.r() * 150_000);
  }

  /** An enqueue time in the past for calls taken up after a restart: the oldest live call's, or 0. */
  private restoredAt = 0;

  next(s: RoutingState): RoutingInput {
    const r = this.r;
    const calls = [...s.calls.values()];
    this.restoredAt = calls.length ? Math.max(0, Math.min(...calls.map((c) => c.enqueuedAt)) - Math.floor(r() * 30_000)) : 0;
    const roll = r();
    // No call at all: an arrival half the time, but never only arrivals (queues that refuse callers
    // while nobody is logged in would otherwise freeze the run).
    if (roll < 0.2 || (calls.length === 0 && r() < 0.5)) {
      if (calls.length < CALL_CAP || r() < 0.1) return this.arrival();
    }
    const pick = <T>(list: readonly T[]): T | undefined => (list.length ? list[Math.floor(r() * list.length)] : undefined);
    const byState = (st: string) => calls.filter((c) => c.state === st);
    const offered = byState('offered');
    const connected = byState('connected');
    const waiting = byState('waiting');
    const agent = () => (r() < 0.85 && this.agents.length ? pick(this.agents)! : r() < 0.9 ? pick(AGENT_POOL)! : 'ghost');

    if (roll < 0.34) {
      const c = pick(offered);
      if (c) return { type: 'offer.answered', callId: c.id, agentId: c.agentId! };
    }
    if (roll < 0.42) {
      const c = pick(offered);
      if (c) return { type: 'offer.failed', callId: c.id, agentId: c.agentId!, cause: pick(['no-answer', 'busy', 'rejected', 'failed', 'agent-hangup'])! };
    }
    if (roll < 0.54) {
      const c = pick(connected);
      if (c) return { type: 'call.end', callId: c.id, side: r() < 0.5 ? 'caller' : 'agent' };
    }
    if (roll < 0.6) {
      const c = pick(r() < 0.5 ? waiting : calls);
      if (c) return { type: 'call.abandon', callId: c.id };
    }
    if (roll < 0.62) {
      const c = pick(calls);
      return { type: 'call.leave', callId: c?.id ?? `c${this.callSeq + 1}` };
    }
    if (roll < 0.63) {
      const c = pick(waiting.length ? waiting : calls);
      if (c) return { type: 'call.agents', callId: c.id, agents: r() < 0.4 ? undefined : this.agentList(), ...(r() < 0.3 ? { agentTimeouts: this.timeouts() } : {}) };
    }
    if (roll < 0.675) return { type: 'agent.login', agentId: agent() };
    if (roll < 0.685) {
      // After an engine restart: an agent's saved state, or a call still bridged with an agent.
      const past = Math.max(0, Math.min(...calls.map((c) => c.enqueuedAt), 1_000_000) - Math.floor(r() * 60_000));
      if (r() < 0.5) return { type: 'agent.restore', agentId: agent(), status: r() < 0.6 ? 'ready' : 'paused', ...(r() < 0.5 ? { pauseReason: 'lunch' } : {}) };
      const queueId = this.queues.length ? this.queues[Math.floor(r() * this.queues.length)]!.id : 'nowhere';
      return { type: 'call.restore', callId: `c${++this.callSeq}`, queueId, agentId: agent(), priority: Math.floor(r() * 3), enqueuedAt: past, connectedAt: past };
    }
    if (roll < 0.69) return { type: 'agent.login', agentId: agent() };
    if (roll < 0.71) return { type: 'agent.logout', agentId: agent(), ...(r() < 0.2 ? { cause: 'takeover' } : {}) };
    if (roll < 0.75) return { type: 'agent.pause', agentId: agent(), ...(r() < 0.8 ? { reason: pick(['break', 'lunch', 'training'])! } : {}) };
    if (roll < 0.84) {
      const paused = [...s.agents.values()].filter((a) => a.status === 'paused');
      return { type: 'agent.unpause', agentId: r() < 0.8 && paused.length ? pick(paused)!.id : agent() };
    }
    if (roll < 0.87) {
      const a = s.agents.get(agent());
      if (r() < 0.3) return { type: 'agent.dnd', agentId: a?.id ?? 'ghost', dnd: a ? !a.dnd : true };
      return { type: 'agent.reachable', agentId: a?.id ?? 'ghost', reachable: a ? !a.reachable : true };
    }
    if (roll < 0.885) return { type: 'agent.outbound', agentId: agent(), callId: `out${++this.outSeq}` };
    if (roll < 0.9) {
      const a = pick([...s.agents.values()].filter((x) => x.outbound));
      if (a) return r() < 0.6 && a.activity === 'dialing' ? { type: 'agent.outbound.connected', agentId: a.id, callId: a.callId! } : { type: 'agent.outbound.end', agentId: a.id, callId: a.callId! };
    }
    if (roll < 0.915) {
      // Call control on a connected call: consult, transfer (blind or attended), consult ends.
      const c = pick(calls.filter((x) => x.state === 'connected'));
      if (c) {
        const k = r();
        const helper = c.assistants && c.assistants.size > 0 ? pick([...c.assistants]) : undefined;
        if (k < 0.3) return { type: 'consult.start', callId: c.id, agentId: agent() };
        if (k < 0.45 && helper) return { type: 'consult.answered', callId: c.id, agentId: helper };
        if (k < 0.6 && helper) return { type: 'consult.end', callId: c.id, agentId: helper };
        if (k < 0.75 && helper) return { type: 'call.transfer', callId: c.id, mode: 'attended', agentId: helper, target: helper };
        if (k < 0.9) {
          const to = agent();
          return { type: 'call.transfer', callId: c.id, mode: 'blind', agentId: to, target: to };
        }
        return { type: 'call.transfer', callId: c.id, mode: r() < 0.5 ? 'blind' : 'attended', target: '0612345678' };
      }
    }
    if (roll < 0.92) return this.staleTimer(s);
    if (roll < 0.93) return this.virtualInput(s, waiting, offered);
    if (roll < 0.945) return { type: 'config.apply', config: this.changeConfig() };
    if (roll < 0.96) return this.staleOffer(calls);
    return this.arrival();
  }

  /** Virtual queue: a waiting caller asks to be called back, a waiter lined up or restored, a callback not answered. */
  private virtualInput(s: RoutingState, waiting: { id: string; virtual?: boolean }[], offered: { id: string; virtual?: boolean }[]): RoutingInput {
    const r = this.r;
    const x = r();
    const timeout = 5000 + Math.floor(r() * 60_000);
    if (x < 0.4) {
      const c = waiting.length ? waiting[Math.floor(r() * waiting.length)]! : undefined;
      return { type: 'call.virtualize', callId: c?.id ?? `c${this.callSeq + 1}`, virtualId: r() < 0.05 && c ? c.id : `v${++this.callSeq}`, offerTimeoutMs: timeout };
    }
    if (x < 0.7) {
      const virtual = offered.filter((c) => c.virtual);
      const c = virtual.length && r() < 0.9 ? virtual[Math.floor(r() * virtual.length)]! : offered[0];
      if (c) return { type: 'virtual.retry', callId: c.id, cause: r() < 0.5 ? 'no-answer' : 'busy', retryAt: s.timers.size >= 0 ? this.restoredAt + Math.floor(r() * 120_000) : 0 };
    }
    const queueId = r() < 0.9 && this.queues.length ? this.queues[Math.floor(r() * this.queues.length)]!.id : 'nowhere';
    return {
      type: 'virtual.enqueue',
      callId: `v${++this.callSeq}`,
      queueId,
      enqueuedAt: this.restoredAt,
      offerTimeoutMs: timeout,
      ...(r() < 0.3 ? { priority: Math.floor(r() * 6) } : {}),
      ...(r() < 0.3 ? { holdUntil: this.restoredAt + Math.floor(r() * 200_000) } : {}),
      ...(r() < 0.5 ? { fresh: true } : {}),
    };
  }

  private arrival(): RoutingInput {
    const r = this.r;
    const input: Extract<RoutingInput, { type: 'call.enqueue' }> = {
      type: 'call.enqueue',
      callId: r() < 0.01 && this.callSeq > 0 ? `c${this.callSeq}` : `c${++this.callSeq}`,
      // Mostly configured queues; sometimes one from the pool that may be gone, rarely nonsense.
      queueId: r() < 0.9 && this.queues.length ? this.queues[Math.floor(r() * this.queues.length)]!.id : r() < 0.8 ? QUEUE_POOL[Math.floor(r() * QUEUE_POOL.length)]! : 'nowhere',
    };
    if (r() < 0.25) input.priority = Math.floor(r() * 6);
    if (r() < 0.05) input.agents = r() < 0.2 ? [] : this.agentList();
    if (r() < 0.1) input.preferredAgent = AGENT_POOL[Math.floor(r() * AGENT_POOL.length)]!;
    if (r() < 0.03) input.agentTimeouts = this.timeouts();
    if (r() < 0.04) input.restoredAt = this.restoredAt;
    if (r() < 0.12) input.skills = this.callerSkills();
    return input;
  }

  /** Skills a caller needs: one or two of en, fr, de at a level that some agents reach and others miss. */
  private callerSkills(): Record<string, number> {
    const r = this.r;
    const out: Record<string, number> = {};
    for (const skill of ['en', 'fr', 'de']) if (r() < 0.45) out[skill] = [1, 40, 60, 90][Math.floor(r() * 4)]!;
    return out;
  }

  private agentList(): string[] {
    const n = 1 + Math.floor(this.r() * 4);
    const list: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = AGENT_POOL[Math.floor(this.r() * AGENT_POOL.length)]!;
      if (!list.includes(a)) list.push(a);
    }
    return list;
  }

  private timeouts(): Record<string, number> {
    const t: Record<string, number> = {};
    for (const a of this.agentList()) t[a] = 1000 + Math.floor(this.r() * 20_000);
    return t;
  }

  private staleTimer(s: RoutingState): RoutingInput {
    const r = this.r;
    const x = r();
    if (x < 0.5 && this.pastTimers.length) {
      const t = this.pastTimers[Math.floor(r() * this.pastTimers.length)]!;
      // Only genuinely stale: never the live generation (the scheduler owns live fires).
      if (s.timers.get(t.key) !== t.gen) return { type: 'timer.fired', key: t.key, gen: t.gen };
    }
    const live = [...s.timers];
    if (x < 0.85 && live.length) {
      const [key, gen] = live[Math.floor(r() * live.length)]!;
      return { type: 'timer.fired', key, gen: gen - 1 - Math.floor(r() * 3) };
    }
    return { type: 'timer.fired', key: r() < 0.5 ? 'bogus:x' : `noanswer:c${Math.floor(r() * (this.callSeq + 2))}`, gen: -1 };
  }

  private staleOffer(calls: { id: string; agentId: string | undefined }[]): RoutingInput {
    const r = this.r;
    const callId = r() < 0.5 && calls.length ? calls[Math.floor(r() * calls.length)]!.id : `c${Math.floor(r() * (this.callSeq + 2))}`;
    const agentId = AGENT_POOL[Math.floor(r() * AGENT_POOL.length)]!;
    return r() < 0.5 ? { type: 'offer.answered', callId, agentId } : { type: 'offer.failed', callId, agentId, cause: 'late' };
  }

  // ---------------------------------------------------------------- config changes

  private queueConfig(id: string): RoutingQueueConfig {
    const r = this.r;
    const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
    return {
      id,
      strategy: pick(STRATEGIES),
      weight: pick([0, 0, 5, 10]),
      overflowDelayMs: pick([0, 0, 10_000, 20_000]),
      answerTimeoutMs: pick([5000, 8000, 15_000]),
      maxNoAnswer: pick([0, 2, 3]),
      retryMs: pick([0, 1000, 5000]),
      wrapupMs: pick([0, 0, 3000, 10_000]),
      maxWaitMs: pick([0, 30_000, 120_000]),
      joinEmpty: r() < 0.2 ? 'refuse' : 'join',
      exit: r() < 0.3 ? { action: 'queue', queue: pick(QUEUE_POOL) } : { action: 'hangup' },
      // Skills: q0, q2, q4 require the callers' skills; q0 relaxes after 30 s, q4 after 10 s, q2 never.
      ...(QUEUE_SKILLS[id] ?? {}),
    };
  }

  private member(agentId: string, queueId: string): RoutingMember {
    return { agentId, queueId, tier: 1 + Math.floor(this.r() * 3), penalty: Math.floor(this.r() * 3) };
  }

  /** (agent, queue) pairs stay unique, as routingConfig() makes them; dangling ones may stay. */
  private addMember(agentId: string, queueId: string): void {
    if (!this.members.some((m) => m.agentId === agentId && m.queueId === queueId)) this.members.push(this.member(agentId, queueId));
  }

  /** One random change to the config model; returns the whole new config. */
  private changeConfig(): RoutingConfig {
    const r = this.r;
    const x = r();
    const absentQueues = QUEUE_POOL.filter((id) => !this.queues.some((q) => q.id === id));
    const absentAgents = AGENT_POOL.filter((id) => !this.agents.includes(id));
    if (x < 0.1 && absentQueues.length) {
      const q = this.queueConfig(absentQueues[Math.floor(r() * absentQueues.length)]!);
      this.queues.push(q);
      for (const a of this.agents) if (r() < 0.4) this.addMember(a, q.id);
    } else if (x < 0.18 && this.queues.length > 2) {
      const gone = this.queues.splice(Math.floor(r() * this.queues.length), 1)[0]!;
      if (r() < 0.8) this.members = this.members.filter((m) => m.queueId !== gone.id); // else leave dangling memberships
    } else if (x < 0.35 && this.queues.length) {
      const i = Math.floor(r() * this.queues.length);
      this.queues[i] = this.queueConfig(this.queues[i]!.id);
    } else if (x < 0.45 && absentAgents.length) {
      const a = absentAgents[Math.floor(r() * absentAgents.length)]!;
      this.agents.push(a);
      for (const q of this.queues) if (r() < 0.5) this.addMember(a, q.id);
    } else if (x < 0.55 && this.agents.length > 4) {
      const gone = this.agents.splice(Math.floor(r() * this.agents.length), 1)[0]!;
      if (r() < 0.8) this.members = this.members.filter((m) => m.agentId !== gone);
    } else if (x < 0.7 && this.agents.length && this.queues.length) {
      const a = this.agents[Math.floor(r() * this.agents.length)]!;
      const q = this.queues[Math.floor(r() * this.queues.length)]!.id;
      this.addMember(a, q);
    } else if (x < 0.76 && this.members.length) {
      this.members.splice(Math.floor(r() * this.members.length), 1);
    } else if (x < 0.82 && this.agents.length) {
      // An agent's skills replaced or patched over the API: gained, raised, lowered or removed.
      const a = this.agents[Math.floor(r() * this.agents.length)]!;
      this.skillEdits.set(a, r() < 0.15 ? undefined : this.callerSkills());
    } else if (this.members.length) {
      const i = Math.floor(r() * this.members.length);
      const m = this.members[i]!;
      this.members[i] = r() < 0.5 ? { ...m, penalty: Math.floor(r() * 3) } : { ...m, tier: 1 + Math.floor(r() * 3) };
    }
    return this.config();
  }
}
