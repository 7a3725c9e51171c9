/**
 * What a caller hears while waiting in a queue: the greeting (not again for a caller taken up
 * after a restart), music on hold, and periodic announcements (position, estimated wait), until
 * `signal` aborts (answered, abandoned, left the queue).
 */
import type { Queue } from '../../domain/config.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import type { LegId, PbxPort } from '../../pbx/port.js';
import { sayNumber } from '../say-number.js';
import type { CallbackOffer } from '../virtual-queue-port.js';

export interface WaitingContext {
  pbx: PbxPort;
  clock: Clock;
  log: Logger;
  leg: LegId;
  language: string;
  /** 1-based position of the call in its queue, if it is waiting. */
  position(): number | undefined;
  estimatedWaitMs(queueId: string): number;
  /** Music on hold is now on (or off) on the caller's leg. */
  setMoh(on: boolean): void;
  /** The caller is gone (a PBX error that means hang-up, or the call's signal aborted). */
  isGone(err: unknown): boolean;
  /** Virtual queue: "press N to be called back and keep your place", once, after a delay. */
  callbackOffer?: CallbackOffer | undefined;
}

export async function playWhileWaiting(ctx: WaitingContext, q: Queue, signal: AbortSignal, restored = false): Promise<void> {
  const { pbx, clock, leg, language } = ctx;
  try {
    // A caller taken up again after a restart has heard the greeting: music goes on.
    if (q.greeting && !restored) await pbx.play(leg, pickPrompts(q.greeting, language), { language, signal });
    if (signal.aborted) return;
    await pbx.startMoh(leg, q.moh_class, { signal });
    ctx.setMoh(true);
    const every = q.announce_every_s * 1000;
    let offerAt = ctx.callbackOffer ? clock.now() + ctx.callbackOffer.delayMs : undefined;
    let announceAt = every > 0 ? clock.now() + every : undefined;
    for (;;) {
      const next = Math.min(offerAt ?? Infinity, announceAt ?? Infinity);
      if (next === Infinity) return;
      await clock.sleep(Math.max(0, next - clock.now()), signal);
      if (signal.aborted) return;
      const isOffer = offerAt !== undefined && offerAt <= next;
      const prompts = isOffer ? (ctx.callbackOffer?.prompts ?? []) : announcement(q, language, ctx.position(), ctx.estimatedWaitMs(q.id));
      if (isOffer) offerAt = undefined;
      if (prompts.length > 0) {
        await pbx.stopMoh(leg, { signal });
        ctx.setMoh(false);
        await pbx.play(leg, prompts, { language, signal });
        if (signal.aborted) return;
        await pbx.startMoh(leg, q.moh_class, { signal });
        ctx.setMoh(true);
      }
      // The next announcement comes a full period after this one ended.
      if (!isOffer && every > 0) announceAt = clock.now() + every;
    }
  } catch (err) {
    if (!signal.aborted && !ctx.isGone(err)) ctx.log.warn({ err }, 'waiting media failed');
  }
}

/** The periodic announcement: the queue's own prompts, then position and estimated wait as configured. */
export function announcement(q: Queue, language: string, position: number | undefined, estimatedWaitMs: number): string[] {
  const out: string[] = q.announce_prompts ? pickPrompts(q.announce_prompts, language) : [];
  if (q.announce_position) {
    if (position === 1) out.push('sound:queue-youarenext');
    else if (position !== undefined) out.push('sound:queue-thereare', ...sayNumber(position), 'sound:queue-callswaiting');
  }
  if (q.announce_wait_time) {
    const minutes = Math.ceil(estimatedWaitMs / 60_000);
    if (minutes > 0) out.push('sound:queue-holdtime', ...sayNumber(minutes), 'sound:queue-minutes');
  }
  return out;
}

/** Prompts for a language: its own, else `default`, else the first language listed. */
export function pickPrompts(prompts: Record<string, string[]>, language: string): string[] {
  const list = prompts[language] ?? prompts.default ?? Object.values(prompts)[0] ?? [];
  return list.map((p) => (p.includes(':') ? p : `sound:${p}`));
}
