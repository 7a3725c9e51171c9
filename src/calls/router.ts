/**
 * The imperative shell around the pure routing core: feeds inputs one at a time, keeps the
 * core's timers on the clock, and hands commands and events to the engine.
 */
import type { Clock, TimerHandle } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { createRoutingState, decide } from '../routing/decide.js';
import type { RoutingCommand, RoutingEvent, RoutingInput, RoutingState } from '../routing/types.js';

export interface RouterSinks {
  command(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void;
  event(ev: RoutingEvent): void;
}

export class Router {
  readonly state: RoutingState;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly pending: RoutingInput[] = [];
  private busy = false;

  constructor(
    private readonly clock: Clock,
    private readonly sinks: RouterSinks,
    private readonly log: Logger,
    seed = 1,
  ) {
    this.state = createRoutingState(seed);
  }

  /** Apply one input. Inputs raised while another is being handled run right after it, in order. */
  input(input: RoutingInput): void {
    this.pending.push(input);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) this.apply(next);
    } finally {
      this.busy = false;
    }
  }

  private apply(input: RoutingInput): void {
    const { commands, events } = decide(this.state, input, this.clock.now());
    if (this.log.isLevelEnabled('debug')) this.log.debug({ input: input.type, commands: commands.length, events: events.length }, 'routing input');
    for (const cmd of commands) {
      if (cmd.type === 'timer.set') {
        const old = this.timers.get(cmd.key);
        if (old) this.clock.cancel(old);
        this.timers.set(
          cmd.key,
          this.clock.schedule(cmd.at, () => {
            this.timers.delete(cmd.key);
            this.input({ type: 'timer.fired', key: cmd.key, gen: cmd.gen });
          }),
        );
      } else if (cmd.type === 'timer.clear') {
        const old = this.timers.get(cmd.key);
        if (old) this.clock.cancel(old);
        this.timers.delete(cmd.key);
      } else {
        this.deliver(() => this.sinks.command(cmd), cmd.type);
      }
    }
    for (const ev of events) this.deliver(() => this.sinks.event(ev), ev.type);
  }

  /** A failing listener must not cost the other commands and events of the same input. */
  private deliver(fn: () => void, what: string): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, what }, 'routing output handler failed');
    }
  }

  /** Cancel every pending timer (shutdown). */
  stop(): void {
    for (const t of this.timers.values()) this.clock.cancel(t);
    this.timers.clear();
  }
}
