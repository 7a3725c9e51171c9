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
