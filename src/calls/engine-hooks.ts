/** The CRM hooks run for a call (lookup, custom agent list), each bounded by the webhooks' time-out, and the notice of a call offered or bridged. */
import type { Queue } from '../domain/config.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { CallHooks, CallNotice, CustomAgent, LookupResult } from './hooks.js';
import type { CallSession } from './session.js';

export interface HookEnv {
  clock: Clock;
  log: Logger;
  hooks: CallHooks | undefined;
  timeoutMs: number;
  /** The calls waiting in a queue (router state), by id. */
  queueCalls: (queueId: string) => Iterable<{ id: string }>;
}

/** Run a hook with a deadline: past it the signal aborts and the call goes on without an answer. */
async function bounded<T>(env: HookEnv, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const { clock } = env;
  const ctl = new AbortController();
  let timer: ReturnType<Clock['schedule']> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = clock.schedule(clock.now() + env.timeoutMs, () => {
      ctl.abort(new Error('hook deadline'));
      resolve(undefined);
    });
  });
  try {
    return await Promise.race([fn(ctl.signal), deadline]);
  } catch (err) {
    env.log.warn({ err }, 'hook failed');
    return undefined;
  } finally {
    if (timer) clock.cancel(timer);
  }
}

/** The CRM lookup for an arriving caller; undefined when none is configured. */
export function runLookup(env: HookEnv, session: CallSession): Promise<LookupResult | undefined> | undefined {
  const lookup = env.hooks?.lookup;
  if (!lookup) return undefined;
  return bounded(env, (signal) => lookup({ callId: session.callId, from: session.from, to: session.dialled, numberId: session.number?.id ?? null }, signal));
}

/** The hook's agents for this call, given every call waiting in the queue (this one included). */
export async function runAgentList(env: HookEnv, queue: Queue, session: CallSession, sessionOf: (callId: string) => CallSession | undefined): Promise<CustomAgent[] | undefined> {
  const agentList = env.hooks?.agentList;
  if (!agentList) return undefined;
  const calls = [...env.queueCalls(queue.id)]
    .map((c) => sessionOf(c.id))
    .filter((x): x is CallSession => x !== undefined)
    .map((x) => ({ callId: x.callId, from: x.from, to: x.dialled }));
  if (!calls.some((c) => c.callId === session.callId)) calls.push({ callId: session.callId, from: session.from, to: session.dialled });
  const answer = await bounded(env, (signal) => agentList(queue, calls, signal));
  return answer?.get(session.callId);
}

/** What the CTI and webhooks are told of a call being offered or bridged. */
export function callNotice(session: CallSession, agentId: string | null, queueId: string | null): CallNotice {
  // Dialer calls (seed 003): queue is the dialer's id, with the member and attempt.
  const { USR_dialer_id: dialer, USR_dialer_member: member, USR_dialer_attempt: attempt } = session.variables;
  return { callId: session.callId, direction: session.direction, queueId: dialer ?? queueId, agentId, cid: session.from, dialled: session.dialled, variables: { ...session.variables }, ...(member ? { member } : {}), ...(attempt ? { attempt } : {}) };
}
