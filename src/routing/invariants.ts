/**
 * Invariants of the routing state, checked by the randomized test and the fuzzer
 * (`npm run fuzz:routing`). Pure: reads the state, returns one message per violation.
 *
 * "Nothing stuck" is defined exactly as the core promises it: once an input has settled (every
 * timer due at or before `now` has fired), no waiting call has an available member of its queue
 * that it may go to now — not already tried this round, on the call's agent list if it has one,
 * and in a tier that is open (first tier, no overflow delay, waited rank × delay, or no agent of
 * a better tier staffed). A call held back by a closed tier must have an overflow timer due no
 * later than that tier opens.
 */
import { skillsMatch } from './skills.js';
import type { AgentPresence, AgentRec, CallRec, MemberRec, QueueRec, RoutingState } from './types.js';

const TIMER_KINDS = new Set(['noanswer', 'wrapup', 'maxwait', 'overflow', 'retry', 'vqhold', 'skills']);

function presenceOf(a: AgentRec): AgentPresence {
  if (a.status === 'loggedOut') return 'loggedout';
  if (a.activity === 'ringing') return 'ringing';
  if (a.activity === 'dialing') return 'dialing';
  if (a.activity === 'onCall') return 'oncall';
  if (a.activity === 'wrapup') return 'wrapup';
  return a.status === 'paused' ? 'paused' : 'ready';
}

/** The flags refreshAgent derives, recomputed from status and activity. */
export function derivedFlags(a: AgentRec): { staffed: boolean; available: boolean; loggedIn: boolean; presence: AgentPresence } {
  const staffed = a.status === 'ready' && a.reachable && !a.dnd && !a.removed;
  return { staffed, available: staffed && a.activity === 'idle', loggedIn: a.status !== 'loggedOut' && !a.removed, presence: presenceOf(a) };
}

/** The core's tier rule: may a member of this rank take this call at `now`? */
export function tierOpenAt(q: QueueRec, rank: number, call: CallRec, now: number): boolean {
  const d = q.cfg.overflowDelayMs;
  if (rank <= 0 || d <= 0) return true;
  if (now - call.enqueuedAt >= rank * d) return true;
  for (let r = 0; r < rank; r++) if ((q.staffedByRank[r] ?? 0) > 0) return false;
  return true;
}

/** The member may take the call apart from tiers (not tried this round, allowed by the agent list, skilled). */
function allowed(m: MemberRec, call: CallRec, now: number): boolean {
  if (call.tried?.has(m.agent.id)) return false;
  if (!skillsMatch(m.agent, m.queue, call, now)) return false;
  return !call.agents || call.agents.includes(m.agent.id);
}

export interface InvariantOptions {
  /**
   * When each live timer is due, if the caller tracks it: enables the overflow-timer check, and
   * a call with a timer due at `now` (fired next, at this same instant) is not counted as stuck.
   */
  timerAt?: (key: string) => number | undefined;
}

/** Every invariant of the routing state at `now`; an empty list when all hold. */
export function stateViolations(s: RoutingState, now: number, opts: InvariantOptions = {}): string[] {
  const out: string[] = [];
  checkCalls(s, out);
  checkQueues(s, out);
  checkAgents(s, out);
  checkTimers(s, out);
  checkNothingStuck(s, now, opts, out);
  return out;
}

function checkCalls(s: RoutingState, out: string[]): void {
  const inQueues = new Map<CallRec, number>();
  for (const q of s.queues.values()) for (const c of q.calls) inQueues.set(c, (inQueues.get(c) ?? 0) + 1);
  for (const [id, c] of s.calls) {
    if (c.id !== id) out.push(`call map key ${id} holds call ${c.id}`);
    if (c.seq > s.seq) out.push(`call ${id} has seq ${c.seq} beyond state seq ${s.seq}`);
    const n = inQueues.get(c) ?? 0;
    if (c.state === 'connected') {
      if (n !== 0) out.push(`connected call ${id} is still in ${n} queue(s)`);
      const a = s.agents.get(c.agentId ?? '');
      if (!a || a.callId !== id || a.activity !== 'onCall' || a.outbound) out.push(`connected call ${id} points at agent ${c.agentId} which is ${a ? `${a.activity} on ${a.callId}` : 'missing'}`);
      continue;
    }
    if (n !== 1) out.push(`${c.state} call ${id} is in ${n} queues`);
    const q = s.queues.get(c.queueId);
    if (!q || !q.calls.has(c)) out.push(`${c.state} call ${id} is not in its queue ${c.queueId}`);
    if (c.state === 'offered') {
      const a = s.agents.get(c.agentId ?? '');
      if (!a || a.callId !== id || a.activity !== 'ringing' || a.outbound) out.push(`offered call ${id} points at agent ${c.agentId} which is ${a ? `${a.activity} on ${a.callId}` : 'missing'}`);
      if (!s.timers.has(`noanswer:${id}`)) out.push(`offered call ${id} has no noanswer timer`);
    } else if (c.state === 'waiting') {
      if (c.agentId !== undefined) out.push(`waiting call ${id} still names agent ${c.agentId}`);
      if (q && !hasLiveEntry(q, c)) out.push(`waiting call ${id} has no live entry in ${q.cfg.id}'s waiting list (priority ${c.priority})`);
      if (c.tried && c.tried.size > 0 && !s.timers.has(`retry:${id}`)) out.push(`waiting call ${id} was declined by ${[...c.tried].join(',')} but has no retry timer`);
    } else {
      out.push(`call ${id} has unknown state ${String(c.state)}`);
    }
  }
}

function hasLiveEntry(q: QueueRec, c: CallRec): boolean {
  const heap = q.heaps.get(c.priority);
  if (!heap || !q.levels.includes(c.priority)) return false;
  return heap.values().some((e) => e.call === c && e.gen === c.heapGen);
}

function checkQueues(s: RoutingState, out: string[]): void {
  for (const [id, q] of s.queues) {
    if (q.cfg.id !== id) out.push(`queue map key ${id} holds queue ${q.cfg.id}`);
    if (q.removed) out.push(`removed queue ${id} is still in the state`);
    const perLevel = new Map<number, number>();
    for (const c of q.calls) {
      if (s.calls.get(c.id) !== c) out.push(`queue ${id} holds call ${c.id} unknown to the state`);
      if (c.queueId !== id) out.push(`queue ${id} holds call ${c.id} of queue ${c.queueId}`);
      perLevel.set(c.priority, (perLevel.get(c.priority) ?? 0) + 1);
    }
    for (const [p, n] of q.levelCounts) if (n !== (perLevel.get(p) ?? 0)) out.push(`queue ${id} counts ${n} calls at priority ${p}, holds ${perLevel.get(p) ?? 0}`);
    for (const [p, n] of perLevel) if (!q.levelCounts.has(p)) out.push(`queue ${id} has no count for priority ${p} (${n} calls)`);

    const tiers = [...new Set([...q.members.values()].map((m) => m.tier))].sort((x, y) => x - y);
    const staffed = tiers.map(() => 0);
    let available = 0;
    let loggedIn = 0;
    for (const [agentId, m] of q.members) {
      if (m.queue !== q || m.agent.id !== agentId) out.push(`queue ${id} member ${agentId} points elsewhere`);
      if (s.agents.get(agentId) !== m.agent) out.push(`queue ${id} member ${agentId} is not the state's agent`);
      if (!m.agent.memberships.includes(m)) out.push(`queue ${id} member ${agentId} is missing from the agent's memberships`);
      if (m.agent.removed) out.push(`removed agent ${agentId} is still a member of ${id}`);
      if (m.rank !== tiers.indexOf(m.tier)) out.push(`member ${agentId}@${id} has rank ${m.rank} for tier ${m.tier} (tiers ${tiers.join(',')})`);
      const f = derivedFlags(m.agent);
      if (f.staffed) staffed[tiers.indexOf(m.tier)]! += 1;
      if (f.available) available += 1;
      if (f.loggedIn) loggedIn += 1;
      if (f.available !== q.available.has(m)) out.push(`queue ${id} available index is out of step for ${agentId}`);
    }
    if (q.available.size !== available) out.push(`queue ${id} indexes ${q.available.size} available members, ${available} are`);
    if (q.loggedInCount !== loggedIn) out.push(`queue ${id} counts ${q.loggedInCount} logged in, ${loggedIn} are`);
    if (q.staffedByRank.join(',') !== staffed.join(',')) out.push(`queue ${id} staffed by rank ${q.staffedByRank.join(',')}, actually ${staffed.join(',')}`);
  }
}

function checkAgents(s: RoutingState, out: string[]): void {
  for (const [id, a] of s.agents) {
    if (a.id !== id) out.push(`agent map key ${id} holds agent ${a.id}`);
    const f = derivedFlags(a);
    if (f.staffed !== a.staffed || f.available !== a.available || f.loggedIn !== a.loggedIn) out.push(`agent ${id} flags out of step (staffed ${a.staffed}, available ${a.available}, loggedIn ${a.loggedIn})`);
    if (f.presence !== a.presence) out.push(`agent ${id} shows ${a.presence}, is ${f.presence}`);
    for (const m of a.memberships) {
      if (m.agent !== a) out.push(`agent ${id} holds a membership of ${m.agent.id}`);
      if (s.queues.get(m.queue.cfg.id) !== m.queue) out.push(`agent ${id} is a member of dropped queue ${m.queue.cfg.id}`);
      else if (m.queue.members.get(id) !== m) out.push(`agent ${id} membership of ${m.queue.cfg.id} is unknown to the queue`);
    }
    if (a.removed && a.memberships.length > 0) out.push(`removed agent ${id} keeps ${a.memberships.length} memberships`);
    if (a.removed && a.activity === 'idle') out.push(`removed idle agent ${id} is still in the state`);
    switch (a.activity) {
      case 'idle':
      case 'wrapup':
        if (a.callId !== undefined || a.outbound || a.assisting) out.push(`${a.activity} agent ${id} holds call ${a.callId} (outbound ${a.outbound}, assisting ${a.assisting})`);
        if (a.activity === 'wrapup' && !s.timers.has(`wrapup:${id}`)) out.push(`agent ${id} is in wrap-up with no wrapup timer`);
        break;
      case 'dialing':
        if (!a.outbound || a.callId === undefined) out.push(`dialing agent ${id} has no outbound call`);
        break;
      case 'ringing': {
        const c = s.calls.get(a.callId ?? '');
        if (a.assisting) {
          if (!c || c.state !== 'connected' || !c.assistants?.has(id)) out.push(`consulted agent ${id} points at call ${a.callId} which is ${c ? c.state : 'missing'}`);
          if (a.status === 'loggedOut') out.push(`agent ${id} is logged out but ringing`);
          break;
        }
        if (a.outbound || !c || c.state !== 'offered' || c.agentId !== id) out.push(`ringing agent ${id} points at call ${a.callId} which is ${c ? `${c.state} with ${c.agentId}` : 'missing'}`);
        if (a.status === 'loggedOut') out.push(`agent ${id} is logged out but ringing`);
        break;
      }
      case 'onCall': {
        if (a.callId === undefined) out.push(`agent ${id} is on a call with no call id`);
        if (a.outbound) break;
        const c = s.calls.get(a.callId ?? '');
        if (a.assisting) {
          if (!c || c.state !== 'connected' || !c.assistants?.has(id)) out.push(`consulted agent ${id} on call ${a.callId} which is ${c ? c.state : 'missing'}`);
          break;
        }
        if (!c || c.state !== 'connected' || c.agentId !== id) out.push(`agent ${id} on call ${a.callId} which is ${c ? `${c.state} with ${c.agentId}` : 'missing'}`);
        break;
      }
      default:
        out.push(`agent ${id} has unknown activity ${String(a.activity)}`);
    }
  }
}

function checkTimers(s: RoutingState, out: string[]): void {
  for (const [key, gen] of s.timers) {
    if (!(gen > 0 && gen <= s.gen)) out.push(`timer ${key} has generation ${gen} outside 1..${s.gen}`);
    const sep = key.indexOf(':');
    const kind = key.slice(0, sep);
    const id = key.slice(sep + 1);
    if (!TIMER_KINDS.has(kind)) {
      out.push(`timer ${key} is of unknown kind`);
      continue;
    }
    if (kind === 'wrapup') {
      if (s.agents.get(id)?.activity !== 'wrapup') out.push(`timer ${key} refers to agent ${id} not in wrap-up`);
      continue;
    }
    const c = s.calls.get(id);
    if (!c) out.push(`timer ${key} refers to unknown call ${id}`);
    else if (kind === 'noanswer' ? c.state !== 'offered' : c.state === 'connected') out.push(`timer ${key} refers to a ${c.state} call`);
  }
}

function checkNothingStuck(s: RoutingState, now: number, opts: InvariantOptions, out: string[]): void {
  for (const q of s.queues.values()) {
    if (q.calls.size === 0) continue;
    for (const c of q.calls) {
      if (c.state !== 'waiting') continue;
      // Not settled yet: a timer of this call due now will dispatch it when it fires.
      if (opts.timerAt && [`overflow:${c.id}`, `retry:${c.id}`, `skills:${c.id}`].some((k) => (opts.timerAt!(k) ?? Infinity) <= now)) continue;
      for (const m of q.members.values()) {
        if (!derivedFlags(m.agent).available || !allowed(m, c, now)) continue;
        if (tierOpenAt(q, m.rank, c, now)) {
          out.push(`call ${c.id} waits in ${q.cfg.id} while ${m.agent.id} (tier rank ${m.rank}) is available for it`);
          break;
        }
        if (!opts.timerAt) continue;
        const opens = c.enqueuedAt + m.rank * q.cfg.overflowDelayMs;
        const at = opts.timerAt(`overflow:${c.id}`);
        if (at === undefined || at > opens) {
          out.push(`call ${c.id} waits in ${q.cfg.id} for tier rank ${m.rank} (${m.agent.id} available) opening at ${opens}, overflow timer ${at ?? 'missing'}`);
          break;
        }
      }
    }
  }
}
