/**
 * Checks each decision of the routing core against what its driver sees: the commands and events
 * must be well-formed, and the outstanding offers, live timers, live calls and agent presences a
 * driver learns from the command and event stream must match the core's state after every input.
 * So an offer never vanishes without `offer.cancel` or `connect`, a call never leaves without a
 * hang-up input or `call.exit`, and a timer is never lost. Pure; used by the randomized test and
 * the fuzzer (`npm run fuzz:routing`).
 */
import { skillsMatch } from './skills.js';
import type { QueueLogEventName } from '../domain/queue-log.js';
import { stateViolations, tierOpenAt } from './invariants.js';
import type { AgentPresence, Decision, RoutingInput, RoutingState } from './types.js';

const QUEUE_LOG_EVENTS = new Set<QueueLogEventName>([
  'ENTERQUEUE', 'CONNECT', 'COMPLETECALLER', 'COMPLETEAGENT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY',
  'JOINEMPTY', 'RINGNOANSWER', 'RINGCANCELED', 'PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER', 'AGENTLOGIN', 'AGENTLOGOFF',
  'BLINDTRANSFER', 'ATTENDEDTRANSFER', 'CALLBACKREQ', 'CALLBACKRETRY', 'CALLBACKTIMEOUT', 'CALLBACKNOTIFY',
]);
const PRESENCES = new Set<AgentPresence>(['loggedout', 'ready', 'paused', 'ringing', 'dialing', 'oncall', 'wrapup']);

const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

export class DecisionChecker {
  /** Live timers as the driver knows them: key → { gen, at }. */
  readonly timers = new Map<string, { gen: number; at: number }>();
  /** Outstanding offers: callId → agentId. */
  private readonly offers = new Map<string, string>();
  /** Bridged calls: callId → agentId. */
  private readonly connected = new Map<string, string>();
  /** Calls the core holds (waiting, offered or connected). */
  private readonly calls = new Set<string>();
  private readonly presence = new Map<string, AgentPresence>();
  private lastGen = 0;

  /**
   * Check one decision: `input` was applied to `state` at `now` and produced `d`.
   * Returns one message per violation (empty when all holds) and updates the driver's view.
   */
  check(input: RoutingInput, d: Decision, state: RoutingState, now: number): string[] {
    const out: string[] = [];
    const ignored = d.events.filter((e) => e.type === 'ignored');
    if (ignored.length > 1) out.push(`${ignored.length} ignored events for one input`);
    const accepted = ignored.length === 0;
    // After a restart the engine tells the core of a call that is already bridged: no connect follows.
    if (input.type === 'call.restore' && accepted) this.connected.set(input.callId, input.agentId);

    if (input.type === 'timer.fired') {
      const live = this.timers.get(input.key);
      if (live && live.gen === input.gen) {
        this.timers.delete(input.key);
        if (!accepted && input.key.includes(':') && ['noanswer', 'wrapup', 'maxwait', 'overflow', 'retry', 'skills'].includes(input.key.slice(0, input.key.indexOf(':')))) {
          out.push(`live timer ${input.key} (gen ${input.gen}) was ignored`);
        }
      } else if (accepted) out.push(`stale or unknown timer ${input.key} gen ${input.gen} was acted on`);
    }
    // The callback service reports that the reserved virtual entry's customer did not answer: the offer ends.
    if (input.type === 'virtual.retry') {
      const offered = this.offers.has(input.callId);
      if (!offered && accepted) out.push(`virtual.retry for ${input.callId}, which is not offered, was acted on`);
      if (accepted) this.offers.delete(input.callId);
    }
    if (input.type === 'offer.failed') {
      const offered = this.offers.get(input.callId) === input.agentId;
      if (offered && !accepted) out.push(`offer.failed for outstanding offer ${input.callId}→${input.agentId} was ignored`);
      if (!offered && accepted) out.push(`offer.failed for ${input.callId}→${input.agentId}, which is not outstanding, was acted on`);
      if (offered) this.offers.delete(input.callId);
    }
    if ((input.type === 'call.end' || input.type === 'call.abandon') && accepted) this.connected.delete(input.callId);
    // A transfer hands the bridged call on: to a consulted agent (still bridged), away (gone), or
    // blind to an agent (offered again, no longer bridged).
    if (input.type === 'call.transfer' && accepted) {
      if (input.mode === 'attended' && input.agentId !== undefined) this.connected.set(input.callId, input.agentId);
      else this.connected.delete(input.callId);
    }
    if (input.type === 'offer.answered' && accepted && this.offers.get(input.callId) !== input.agentId) {
      out.push(`offer.answered for ${input.callId}→${input.agentId}, which is not outstanding, was acted on`);
    }

    this.checkCommands(input, d, state, now, out);
    this.checkEvents(input, d, now, out);
    this.reconcile(input, state, out);
    for (const v of stateViolations(state, now, { timerAt: (key) => this.timers.get(key)?.at })) out.push(v);
    return out;
  }

  private checkCommands(input: RoutingInput, d: Decision, state: RoutingState, now: number, out: string[]): void {
    const exited = new Set<string>();
    const offeredNow: { callId: string; agentId: string; queueId: string }[] = [];
    for (const c of d.commands) {
      switch (c.type) {
        case 'timer.set':
          if (!isId(c.key) || !Number.isFinite(c.at) || c.at < now) out.push(`timer.set ${c.key} at ${c.at} (now ${now})`);
          if (!(c.gen > this.lastGen)) out.push(`timer.set ${c.key} generation ${c.gen} not above ${this.lastGen}`);
          this.lastGen = Math.max(this.lastGen, c.gen);
          this.timers.set(c.key, { gen: c.gen, at: c.at });
          break;
        case 'timer.clear':
          if (!this.timers.delete(c.key)) out.push(`timer.clear of ${c.key}, which is not live`);
          break;
        case 'offer': {
          if (!isId(c.callId) || !isId(c.agentId) || !isId(c.queueId) || !(Number.isFinite(c.timeoutMs) && c.timeoutMs >= 0)) out.push(`malformed offer ${JSON.stringify(c)}`);
          const held = [...this.offers].find(([, agentId]) => agentId === c.agentId);
          if (held) out.push(`agent ${c.agentId} offered ${c.callId} while holding offer ${held[0]}`);
          if (this.offers.has(c.callId)) out.push(`call ${c.callId} offered to ${c.agentId} while offered to ${this.offers.get(c.callId)}`);
          if ([...this.connected.values()].includes(c.agentId)) out.push(`agent ${c.agentId} offered ${c.callId} while on a call`);
          this.offers.set(c.callId, c.agentId);
          offeredNow.push(c);
          break;
        }
        case 'offer.cancel':
          if (this.offers.get(c.callId) !== c.agentId) out.push(`offer.cancel ${c.callId}→${c.agentId} does not match outstanding ${this.offers.get(c.callId)}`);
          this.offers.delete(c.callId);
          break;
        case 'connect':
          if (this.offers.get(c.callId) !== c.agentId) out.push(`connect ${c.callId}→${c.agentId} does not match outstanding ${this.offers.get(c.callId)}`);
          if (input.type !== 'offer.answered' || input.callId !== c.callId) out.push(`connect ${c.callId} without its answer`);
          this.offers.delete(c.callId);
          this.connected.set(c.callId, c.agentId);
          break;
        case 'call.exit':
          if (!isId(c.callId) || !isId(c.queueId) || !c.destination) out.push(`malformed call.exit ${JSON.stringify(c)}`);
          if (state.calls.has(c.callId)) out.push(`call.exit for ${c.callId}, which the core still holds`);
          if (this.offers.has(c.callId)) out.push(`call.exit for ${c.callId} with its offer still outstanding`);
          exited.add(c.callId);
          break;
        case 'consult.cancel':
          if (!isId(c.callId) || !isId(c.agentId) || input.type !== 'agent.logout') out.push(`unexpected consult.cancel ${JSON.stringify(c)}`);
          break;
        default:
          out.push(`unknown command ${JSON.stringify(c)}`);
      }
    }
    for (const o of offeredNow) {
      if (this.offers.get(o.callId) !== o.agentId) continue; // withdrawn within the same decision
      const a = state.agents.get(o.agentId);
      const call = state.calls.get(o.callId);
      const q = state.queues.get(o.queueId);
      if (!a || a.status !== 'ready' || !a.reachable || a.dnd || a.removed) out.push(`offer ${o.callId}→${o.agentId} to an agent that is ${a ? `${a.status}, reachable ${a.reachable}, dnd ${a.dnd}, removed ${a.removed}` : 'missing'}`);
      // A blind transfer names its agent: it need not be a member of the call's queue.
      const named = input.type === 'call.transfer' && input.callId === o.callId && input.agentId === o.agentId;
      if (!call || call.queueId !== o.queueId || (!named && !q?.members.has(o.agentId))) out.push(`offer ${o.callId}→${o.agentId} outside the call's queue ${o.queueId}`);
      if (!named && call?.agents && !call.agents.includes(o.agentId)) out.push(`offer ${o.callId}→${o.agentId} outside the call's agent list`);
      if (!named && call && q && a && !skillsMatch(a, q, call, now)) out.push(`offer ${o.callId}→${o.agentId} to an agent without the call's skills`);
      if (!call || !q || named) continue;
      // Agent choice: no better member (agent-list order, preferred agent, tier, penalty) is left idle for it.
      const mine = q.members.get(o.agentId);
      for (const m of q.members.values()) {
        if (!mine || m === mine || !m.agent.available || call.tried?.has(m.agent.id) || (call.agents && !call.agents.includes(m.agent.id)) || !skillsMatch(m.agent, q, call, now) || !tierOpenAt(q, m.rank, call, now)) continue;
        const better = call.agents
          ? call.agents.indexOf(m.agent.id) < call.agents.indexOf(o.agentId)
          : call.preferred === m.agent.id || (call.preferred !== o.agentId && (m.rank < mine.rank || (m.rank === mine.rank && m.penalty < mine.penalty)));
        if (better) out.push(`agent choice: ${o.callId} offered to ${o.agentId} (rank ${mine.rank}, penalty ${mine.penalty}) while ${m.agent.id} (rank ${m.rank}, penalty ${m.penalty}) is available`);
      }
      // Across the agent's queues: heavier queue first, then priority, then the longest wait.
      for (const my of a?.memberships ?? []) {
        const qy = my.queue;
        if (qy === q || qy.calls.size === 0) continue;
        for (const y of qy.calls) {
          if (y.state !== 'waiting' || y.tried?.has(o.agentId) || (y.agents && !y.agents.includes(o.agentId)) || !skillsMatch(my.agent, qy, y, now) || !tierOpenAt(qy, my.rank, y, now) || this.unsettled(y.id, now)) continue;
          const ahead = qy.cfg.weight !== q.cfg.weight ? qy.cfg.weight > q.cfg.weight : y.priority !== call.priority ? y.priority > call.priority : y.enqueuedAt !== call.enqueuedAt ? y.enqueuedAt < call.enqueuedAt : y.seq < call.seq;
          if (ahead) out.push(`fairness: ${o.callId} of ${q.cfg.id} offered to ${o.agentId} while ${y.id} of ${qy.cfg.id} (weight ${qy.cfg.weight} vs ${q.cfg.weight}) waits`);
        }
      }
      // Order: a higher-priority call, or an earlier one of the same priority, that the agent could
      // equally take (no agent lists, not declined by it, its tier open) is served first.
      const m = q.members.get(o.agentId);
      for (const y of q.calls) {
        if (y.state !== 'waiting' || y.agents || call.agents || y.tried?.has(o.agentId) || !m || !skillsMatch(m.agent, q, y, now) || this.unsettled(y.id, now)) continue;
        // Earlier: enqueued before (a call taken up after a restart keeps its original time), then by arrival.
        const earlier = y.enqueuedAt !== call.enqueuedAt ? y.enqueuedAt < call.enqueuedAt : y.seq < call.seq;
        const before = y.priority > call.priority || (y.priority === call.priority && earlier);
        if (!before || !tierOpenAt(q, m.rank, y, now)) continue;
        out.push(y.priority === call.priority
          ? `FIFO: ${o.callId} (seq ${call.seq}) offered to ${o.agentId} before earlier ${y.id} (seq ${y.seq}) in ${q.cfg.id}`
          : `priority: ${o.callId} (priority ${call.priority}) offered to ${o.agentId} before ${y.id} (priority ${y.priority}) in ${q.cfg.id}`);
      }
    }
    // Nothing lost: a call leaves the core only by a hang-up input or a call.exit command.
    for (const id of this.calls) {
      if (state.calls.has(id)) continue;
      const byInput =
        (input.type === 'call.abandon' || input.type === 'call.leave' || input.type === 'call.end' || input.type === 'call.transfer') && input.callId === id;
      // A caller who asked to be called back: the same entry goes on under its virtual id.
      const renamed = input.type === 'call.virtualize' && input.callId === id && state.calls.has(input.virtualId);
      if (renamed) {
        this.calls.delete(id);
        continue;
      }
      if (!byInput && !exited.has(id)) out.push(`call ${id} vanished after ${input.type} without call.exit`);
      if (this.connected.has(id) && !(byInput && input.type !== 'call.leave')) out.push(`bridged call ${id} dropped by ${input.type}`);
      this.connected.delete(id);
      this.calls.delete(id);
    }
    for (const id of state.calls.keys()) {
      if (this.calls.has(id)) continue;
      const entered = (input.type === 'call.enqueue' || input.type === 'call.restore' || input.type === 'virtual.enqueue') && input.callId === id;
      const renamed = input.type === 'call.virtualize' && input.virtualId === id;
      if (!entered && !renamed) out.push(`call ${id} appeared after ${input.type}`);
      this.calls.add(id);
    }
  }

  private checkEvents(input: RoutingInput, d: Decision, now: number, out: string[]): void {
    for (const e of d.events) {
      switch (e.type) {
        case 'queue.log':
          if (!QUEUE_LOG_EVENTS.has(e.event) || !isId(e.queueId) || e.at !== now) out.push(`malformed queue.log ${JSON.stringify(e)}`);
          for (const [k, v] of Object.entries(e.data)) if (!(typeof v === 'string' || Number.isFinite(v))) out.push(`queue.log ${e.event} field ${k} is ${String(v)}`);
          break;
        case 'agent.state': {
          const before = this.presence.get(e.agentId) ?? 'loggedout';
          if (!isId(e.agentId) || !PRESENCES.has(e.presence) || e.at !== now) out.push(`malformed agent.state ${JSON.stringify(e)}`);
          if (e.previous !== before) out.push(`agent.state for ${e.agentId} says previous ${e.previous}, was ${before}`);
          if (e.presence === e.previous && e.presence !== 'paused') out.push(`agent.state for ${e.agentId} repeats ${e.presence}`);
          this.presence.set(e.agentId, e.presence);
          break;
        }
        case 'agent.reachable':
          if (!isId(e.agentId) || typeof e.reachable !== 'boolean' || e.at !== now) out.push(`malformed agent.reachable ${JSON.stringify(e)}`);
          break;
        case 'agent.dnd':
          if (!isId(e.agentId) || typeof e.dnd !== 'boolean' || e.at !== now) out.push(`malformed agent.dnd ${JSON.stringify(e)}`);
          break;
        case 'member.changed':
          if (!isId(e.agentId) || !isId(e.queueId) || !Number.isFinite(e.penalty)) out.push(`malformed member.changed ${JSON.stringify(e)}`);
          break;
        case 'ignored':
          if (e.input !== input.type || !isId(e.reason)) out.push(`malformed ignored ${JSON.stringify(e)}`);
          break;
        default:
          out.push(`unknown event ${JSON.stringify(e)}`);
      }
    }
  }

  /**
   * A call with an overflow or retry timer due but not delivered yet: the core counts on that
   * fire to reconsider it, so order checks leave it out until then (as the stuck check does).
   */
  private unsettled(callId: string, now: number): boolean {
    return ['overflow', 'retry', 'skills'].some((k) => (this.timers.get(`${k}:${callId}`)?.at ?? Infinity) <= now);
  }

  /** The driver's view must equal the core's state after the decision. */
  private reconcile(input: RoutingInput, state: RoutingState, out: string[]): void {
    for (const [id, c] of state.calls) {
      const offered = this.offers.get(id);
      if (c.state === 'offered' && offered !== c.agentId) out.push(`call ${id} rings ${c.agentId} but the driver was told ${offered ?? 'nothing'} (after ${input.type})`);
      if (c.state !== 'offered' && offered !== undefined) out.push(`offer ${id}→${offered} was dropped without offer.cancel (after ${input.type})`);
      if (c.state === 'connected' && this.connected.get(id) !== c.agentId) out.push(`call ${id} bridged to ${c.agentId} without connect`);
    }
    for (const [id, agentId] of this.offers) if (!state.calls.has(id)) out.push(`offer ${id}→${agentId} outstanding for a call the core dropped (after ${input.type})`);
    if (this.timers.size !== state.timers.size) out.push(`driver sees ${this.timers.size} timers, core holds ${state.timers.size} (after ${input.type})`);
    for (const [key, gen] of state.timers) if (this.timers.get(key)?.gen !== gen) out.push(`timer ${key} gen ${gen} in the core, driver has ${this.timers.get(key)?.gen ?? 'none'}`);
    for (const [id, a] of state.agents) {
      const seen = this.presence.get(id) ?? 'loggedout';
      if (seen !== a.presence) out.push(`agent ${id} is ${a.presence} but desktops were told ${seen}`);
    }
    for (const id of [...this.presence.keys()]) if (!state.agents.has(id)) this.presence.delete(id);
  }
}
