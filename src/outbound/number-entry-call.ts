/**
 * The typed-callback-number dialogue (callback-number.ts) on a caller's leg: prompts played in the
 * caller's language through the PBX, keys from the session (the virtual queue forwards them to
 * `keys` while the dialogue runs), the number checked against `click_to_call.allow`.
 */
import type { Engine } from '../calls/engine.js';
import type { CallSession } from '../calls/session.js';
import { Keypad } from '../calls/steps/ivr.js';
import { dialAllowed } from '../domain/dial-policy.js';
import type { NumberEntrySettings } from '../domain/virtual-queue.js';
import type { Logger } from '../infra/logger.js';
import { askCallbackNumber, type NumberEntryResult } from './callback-number.js';
import { pick } from './virtual-waiter.js';

export class NumberEntryCall {
  /** Keys the caller types while the dialogue runs. */
  readonly keys = new Keypad();
  /** The routing core reserved this agent for the waiter while the caller was still typing. */
  pendingAgent: string | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly session: CallSession,
    private readonly language: string,
    private readonly log: Logger,
  ) {}

  async run(cfg: NumberEntrySettings): Promise<NumberEntryResult> {
    const { pbx, clock } = this.engine;
    const leg = this.session.leg;
    const hangup = this.session.hangupSignal;
    const gone = () => {
      if (hangup.aborted) throw new Error('caller hung up during number entry');
    };
    const playList = async (list: string[]) => {
      if (list.length > 0) await this.keys.interruptible((signal) => pbx.play(leg, list, { language: this.language, signal }), hangup);
      gone();
    };
    await pbx.stopMoh(leg).catch((err: unknown) => this.log.debug({ err }, 'stop music before number entry failed'));
    return askCallbackNumber(cfg, {
      log: this.log,
      play: (prompts) => playList(pick(prompts, this.language)),
      playList,
      nextKey: async (timeoutMs) => {
        const key = await this.keys.next(clock, timeoutMs, hangup);
        gone();
        return key;
      },
      clearKeys: () => this.keys.clear(),
      dialable: (number) => dialAllowed(this.engine.currentConfig.click_to_call, number),
    });
  }
}

export interface NumberEntriesDeps {
  engine: Engine;
  log: Logger;
  /** The waiter is still live (not finished over the API meanwhile). */
  isLive(waiterId: string): boolean;
  /** The caller confirmed `number`: record it on the waiter (durably). */
  record(waiterId: string, number: string): void;
  hangUp(session: CallSession): Promise<void>;
  /** The turn that came while the caller typed: dial now. */
  turn(waiterId: string, agentId: string): void;
}

/** The callers typing a callback number now, by waiter id; each is hung up when done. */
export class NumberEntries {
  private readonly entering = new Map<string, NumberEntryCall>();

  constructor(private readonly deps: NumberEntriesDeps) {}

  /** A key from a caller typing its number: taken (true), or not one of ours. */
  push(waiterId: string, digit: string): boolean {
    const typing = this.entering.get(waiterId);
    typing?.keys.push(digit);
    return typing !== undefined;
  }

  /** The core reserved `agentId` for a waiter whose caller still types: held until it is done. */
  holdTurn(waiterId: string, agentId: string): boolean {
    const typing = this.entering.get(waiterId);
    if (typing) typing.pendingAgent = agentId;
    return typing !== undefined;
  }

  /** The reservation was withdrawn meanwhile. */
  dropTurn(waiterId: string, agentId: string): void {
    const typing = this.entering.get(waiterId);
    if (typing?.pendingAgent === agentId) typing.pendingAgent = undefined;
  }

  /** Run the dialogue for `waiterId`'s caller (its place already kept), then hang it up. */
  async run(session: CallSession, waiterId: string, cfg: NumberEntrySettings, language: string): Promise<void> {
    const log = this.deps.log.child({ callId: session.callId, waiterId });
    const entry = new NumberEntryCall(this.deps.engine, session, language, log);
    this.entering.set(waiterId, entry);
    try {
      const result = await entry.run(cfg);
      if (result.kind === 'typed' && this.deps.isLive(waiterId)) this.deps.record(waiterId, result.number);
      log.info({ result: result.kind, attempts: result.attempts, ...(result.kind === 'caller-id' ? { reason: result.reason } : {}) }, 'callback number chosen');
    } catch (err) {
      log.debug({ err }, 'number entry ended: the caller id is kept');
    } finally {
      this.entering.delete(waiterId);
      await this.deps.hangUp(session);
      const agentId = entry.pendingAgent;
      const rec = this.deps.engine.router.state.calls.get(waiterId);
      if (agentId && this.deps.isLive(waiterId) && rec?.state === 'offered' && rec.agentId === agentId) this.deps.turn(waiterId, agentId);
    }
  }
}
