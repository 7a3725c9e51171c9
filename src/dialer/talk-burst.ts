/**
 * Answering-machine detection from talk bursts (Asterisk's TALK_DETECT: ChannelTalkingStarted /
 * ChannelTalkingFinished), pure: a person says a short word or two and waits; a machine talks on.
 * The first burst decides, with AMD's own thresholds: no speech within `initialSilenceMs` of the
 * answer → NOTSURE; a burst that ends within `greetingMs` → HUMAN (known once the DSP has heard
 * `silenceMs` of silence); still talking `greetingMs` after it began → MACHINE.
 * Measured against app_amd by `npm run bench:amd` (README, dialer).
 */

export interface TalkEvent {
  kind: 'start' | 'finish';
  at: number;
  /** ChannelTalkingFinished: how long the burst lasted (ms). */
  durationMs?: number;
}

export interface TalkVerdict {
  status: 'HUMAN' | 'MACHINE' | 'NOTSURE';
  cause: string;
}

/** TALK_DETECT(set)=<silence ms>,<talking threshold>: the DSP's settings we run it with. */
export const TALK_DETECT_DEFAULTS = { silenceMs: 800, talkThreshold: 128 } as const;

export interface TalkThresholds {
  initialSilenceMs: number;
  greetingMs: number;
}

const DEFAULTS: TalkThresholds = { initialSilenceMs: 2500, greetingMs: 1500 };

/** The verdict once the events so far allow one, else undefined (ask again later). */
export function classifyTalk(answeredAt: number, events: readonly TalkEvent[], now: number, t: TalkThresholds = DEFAULTS): TalkVerdict | undefined {
  const start = events.find((e) => e.kind === 'start');
  if (!start) return now - answeredAt >= t.initialSilenceMs ? { status: 'NOTSURE', cause: `INITIALSILENCE-${now - answeredAt}` } : undefined;
  const finish = events.find((e) => e.kind === 'finish' && e.at >= start.at);
  if (finish) {
    const talked = finish.durationMs ?? finish.at - start.at;
    return talked < t.greetingMs ? { status: 'HUMAN', cause: `SHORTGREETING-${talked}` } : { status: 'MACHINE', cause: `LONGGREETING-${talked}` };
  }
  return now - start.at >= t.greetingMs ? { status: 'MACHINE', cause: `LONGGREETING-${now - start.at}` } : undefined;
}
