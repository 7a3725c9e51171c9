/** A driver for the pure routing core in unit tests: explicit times, timers fired by hand. */
import { createRoutingState, decide } from '../../src/routing/decide.js';
import { DecisionChecker } from '../../src/routing/decision-checker.js';
import { stateViolations } from '../../src/routing/invariants.js';
import type { RoutingCommand, RoutingConfig, RoutingEvent, RoutingInput, RoutingQueueConfig, RoutingState } from '../../src/routing/types.js';

export function aQueue(id: string, over: Partial<RoutingQueueConfig> = {}): RoutingQueueConfig {
  return {
    id,
    strategy: 'longest-idle',
    weight: 0,
    overflowDelayMs: 0,
    answerTimeoutMs: 15_000,
    maxNoAnswer: 3,
    retryMs: 5_000,
    wrapupMs: 0,
    maxWaitMs: 0,
    joinEmpty: 'join',
    exit: { action: 'hangup' },
    ...over,
  };
}

/** Members as `agent@queue` or `agent@queue:tier/penalty`. */
export function aConfig(queues: RoutingQueueConfig[], members: string[]): RoutingConfig {
  const agents = new Set<string>();
  const list = members.map((spec) => {
    const [agentId, rest] = spec.split('@') as [string, string];
    const [queueId, tp] = rest.split(':') as [string, string | undefined];
    const [tier, penalty] = (tp ?? '1/0').split('/').map(Number) as [number, number];
    agents.add(agentId);
    return { agentId, queueId, tier, penalty: penalty ?? 0 };
  });
  return { queues, agents: [...agents].map((id) => ({ id })), members: list };
}

export class Core {
  readonly state: RoutingState;
  readonly timers = new Map<string, { at: number; gen: number }>();
  commands: RoutingCommand[] = [];
  events: RoutingEvent[] = [];
  /** Checks every decision against the command and event stream (shared with the fuzzer). */
  private readonly checker = new DecisionChecker();
  private readonly violations: string[] = [];
  now = 0;

  constructor(config: RoutingConfig, seed = 1) {
    this.state = createRoutingState(seed);
    this.input(0, { type: 'config.apply', config });
  }

  /** Apply an input at time `t`, after firing every timer due before or at `t`. */
  input(t: number, input: RoutingInput): RoutingCommand[] {
    this.runTimersUntil(t);
    return this.apply(t, input);
  }

  private apply(t: number, input: RoutingInput): RoutingCommand[] {
    this.now = t;
    const d = decide(this.state, input, t);
    for (const v of this.checker.check(input, d, this.state, t)) if (this.violations.length < 20) this.violations.push(`${v} (after ${input.type} at ${t})`);
    for (const c of d.commands) {
      if (c.type === 'timer.set') this.timers.set(c.key, { at: c.at, gen: c.gen });
      else if (c.type === 'timer.clear') this.timers.delete(c.key);
    }
    this.commands.push(...d.commands);
    for (const cmd of d.commands) this.commandsWithTime.push({ cmd, at: t });
    this.events.push(...d.events);
    return d.commands;
  }

  /** Fire due timers in time order, each at its own time. */
  runTimersUntil(t: number): void {
    for (;;) {
      let next: [string, { at: number; gen: number }] | undefined;
      for (const e of this.timers) if (e[1].at <= t && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.apply(next[1].at, { type: 'timer.fired', key: next[0], gen: next[1].gen });
    }
    this.now = Math.max(this.now, t);
  }

  login(t: number, ...agents: string[]): void {
    for (const agentId of agents) this.input(t, { type: 'agent.login', agentId });
  }

  enqueue(t: number, callId: string, queueId: string, priority = 0): void {
    this.input(t, { type: 'call.enqueue', callId, queueId, priority });
  }

  answer(t: number, callId: string): void {
    const agentId = this.state.calls.get(callId)?.agentId;
    if (!agentId) throw new Error(`call ${callId} is not offered`);
    this.input(t, { type: 'offer.answered', callId, agentId });
  }

  offers(): { callId: string; agentId: string; at: number }[] {
    return this.offerLog;
  }

  /** Every offer command with the time it was issued. */
  get offerLog(): { callId: string; agentId: string; at: number }[] {
    return this.timed.filter((x) => x.cmd.type === 'offer').map((x) => ({ callId: (x.cmd as { callId: string }).callId, agentId: (x.cmd as { agentId: string }).agentId, at: x.at }));
  }

  private get timed(): { cmd: RoutingCommand; at: number }[] {
    return this.commandsWithTime;
  }

  private readonly commandsWithTime: { cmd: RoutingCommand; at: number }[] = [];

  presence(agentId: string): string | undefined {
    return this.state.agents.get(agentId)?.presence;
  }

  queueLog(event?: string): Extract<RoutingEvent, { type: 'queue.log' }>[] {
    return this.events.filter((e): e is Extract<RoutingEvent, { type: 'queue.log' }> => e.type === 'queue.log' && (!event || e.event === event));
  }

  /** The agent each call was last offered to, in offer order. */
  lastOffer(): { callId: string; agentId: string; at: number } | undefined {
    return this.offerLog.at(-1);
  }

  /** Every invariant of src/routing/invariants.ts and decision-checker.ts, over every decision so far. */
  checkInvariants(): void {
    const now = [...stateViolations(this.state, this.now, { timerAt: (key) => this.timers.get(key)?.at })];
    const all = [...this.violations, ...now];
    if (all.length) throw new Error(`routing invariants broken:\n  ${all.join('\n  ')}`);
  }
}
