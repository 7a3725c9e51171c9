/**
 * The context one decision runs in (state, clock, the commands and events it produces) and the
 * small helpers every rule of the pure core uses: timers, ignored inputs, queue_log events, the
 * seeded generator held in state.
 */
import { mulberry32Step } from '../domain/random.js';
import type { RoutingCommand, RoutingEvent, RoutingInput, RoutingState } from './types.js';

/**
 * The timer that ends a virtual entry's hold between callback attempts. It lives in this leaf
 * module because the timer table (timers.ts) keys on it at load time, whichever of the routing
 * modules is imported first.
 */
export const HOLD_TIMER = 'vqhold';

export interface Ctx {
  s: RoutingState;
  now: number;
  commands: RoutingCommand[];
  events: RoutingEvent[];
}

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
export const ms = (x: number) => Math.round(x / 1000);

export function nextRandom(s: RoutingState): number {
  const r = mulberry32Step(s.rng);
  s.rng = r.state;
  return r.value;
}
