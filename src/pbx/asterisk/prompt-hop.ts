/**
 * Prompts a key stops (IVR menus), played by the dialplan instead of an ARI playback: the leg is
 * sent from our application to [switchboard-prompt] (ARI continue) with the sound files and the
 * language in the extension; Background() plays them and stops at the first key by itself, and
 * the leg comes back as Stasis(app,prompt,key,<k>) or Stasis(app,prompt,done). One request per
 * menu instead of a play and a stop (ARI has no stop-on-key). The key is reported as a `dtmf`
 * event once the play has resolved `stopped`; copies of it from the endpoint subscription while
 * the leg is out are dropped. While it is out, leaving Stasis is not its end.
 * A leg found in the hop after a restart (recover) is marked out: a play on it waits for it to
 * come back first.
 */
import { PbxError, type LegId, type PlayOutcome } from '../port.js';
import type { LegEvents } from './leg-events.js';

/** The dialplan context of the hop (dialplan/extensions.conf). */
export const PROMPT_CONTEXT = 'switchboard-prompt';
/** Where the hop goes back to Stasis, waiting while the engine is restarting. */
const PROMPT_BACK_CONTEXT = 'switchboard-prompt-back';

/** A channel out in the hop (playing, or waiting to get back to our application). */
export function outInPromptHop(dialplan: { context?: string; app_name?: string } | undefined): boolean {
  return (dialplan?.context === PROMPT_CONTEXT || dialplan?.context === PROMPT_BACK_CONTEXT) && dialplan.app_name !== 'Stasis';
}
/** Asterisk's extension length limit (AST_MAX_EXTENSION 80, with its terminating NUL). */
const MAX_EXTEN = 79;
/** A play on a leg still out in the hop (after a restart) waits at most this long for it. */
const BACK_WAIT_MS = 60_000;

const FILE = /^[A-Za-z0-9_][A-Za-z0-9_\-/.]*$/;
const LANGUAGE = /^[A-Za-z0-9_-]+$/;

/**
 * The hop's extension for these media URIs, `sbp~<language>~<file>&<file>`, or undefined when the
 * dialplan cannot play them (no language, not all `sound:` files, or too long): the caller then
 * plays over ARI.
 */
export function promptExtension(media: readonly string[], language: string | undefined): string | undefined {
  const lang = language ?? '';
  if (!LANGUAGE.test(lang) || media.length === 0) return undefined;
  const files: string[] = [];
  for (const m of media) {
    if (!m.startsWith('sound:')) return undefined;
    const file = m.slice('sound:'.length);
    if (!FILE.test(file) || file.includes('..')) return undefined;
    files.push(file);
  }
  const exten = `sbp~${lang}~${files.join('&')}`;
  return exten.length <= MAX_EXTEN ? exten : undefined;
}

export class PromptHops {
  /** Plays waiting for a leg still out in the hop to come back, by leg id. */
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly book: LegEvents,
    /** The ARI continue request that sends `leg` to the hop with `exten`. */
    private readonly send: (leg: LegId, exten: string) => Promise<unknown>,
  ) {}

  /** Play through the hop; `stopped` when a key cut it (the key follows as a dtmf event) or on abort. */
  async play(leg: LegId, exten: string, signal: AbortSignal | undefined): Promise<PlayOutcome> {
    let state = this.book.legs.get(leg);
    if (state?.inPrompt) {
      await this.back(leg, signal);
      if (signal?.aborted) return 'stopped';
      state = this.book.legs.get(leg);
      // Not back after BACK_WAIT_MS: a second hop now would be refused (the leg is not in Stasis).
      if (state?.inPrompt && !state.going) throw new PbxError('TIMEOUT', 'leg still out in the prompt hop', { leg });
    }
    if (!state || state.going) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    const s = state;
    const id = hopId(leg);
    return new Promise<PlayOutcome>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: PlayOutcome | PbxError) => {
        if (settled) return;
        settled = true;
        if (this.book.plays.get(id)?.settle === settle) this.book.plays.delete(id);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof PbxError) reject(outcome);
        else resolve(outcome);
      };
      // Aborted (the caller hung up, the call moved on): the prompt plays on until it ends or a
      // key comes; the leg stays marked out until it is back.
      const onAbort = () => settle('stopped');
      this.book.plays.set(id, { leg, settle });
      signal?.addEventListener('abort', onAbort, { once: true });
      s.inDialplan = true;
      s.inPrompt = true;
      s.leftForPrompt = false;
      s.keysAhead = undefined;
      this.send(leg, exten).catch((err: unknown) => {
        s.inDialplan = false;
        s.inPrompt = false;
        // Refused: the leg stayed in Stasis, so the keys kept for its return are its own; they
        // follow the play's outcome (port.ts: a play settles before its key is reported).
        const ahead = s.keysAhead;
        s.keysAhead = undefined;
        settle(err instanceof PbxError ? err : new PbxError('PROTOCOL', 'prompt hop refused', { leg, err: String(err) }));
        for (const digit of ahead ?? []) this.book.deliver({ type: 'dtmf', leg, digit });
      });
    });
  }

  /**
   * The leg is back from the hop (StasisStart prompt,…): settle its play, then report the key that
   * cut the prompt. With none (the prompt played to its end), report instead the keys pressed
   * before the leg left Stasis, which Background() never saw. When a key did cut the prompt,
   * those are dropped: the caller heard the menu go on after them and pressed again.
   */
  returned(leg: string, key: string | undefined): void {
    const state = this.book.legs.get(leg);
    const ahead = key === undefined ? (state?.keysAhead ?? []) : [];
    if (state) {
      state.inDialplan = false;
      state.inPrompt = false;
      state.leftForPrompt = false;
      state.keysAhead = undefined;
    }
    const p = this.book.plays.get(hopId(leg as LegId));
    p?.settle(key === undefined && ahead.length === 0 ? 'finished' : 'stopped');
    for (const wake of this.waiters.get(leg) ?? []) wake();
    this.waiters.delete(leg);
    for (const digit of ahead) this.book.deliver({ type: 'dtmf', leg: leg as LegId, digit });
    if (key !== undefined) this.book.deliver({ type: 'dtmf', leg: leg as LegId, digit: key });
  }

  /**
   * Resolves when `leg` is back from the hop, `signal` aborts (the session's, when the caller hangs
   * up), or after BACK_WAIT_MS; the play then finds the leg gone if it is. Leaves no waiter behind.
   */
  private back(leg: LegId, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters;
      const timer = setTimeout(done, BACK_WAIT_MS);
      timer.unref();
      const list = waiters.get(leg) ?? [];
      list.push(done);
      waiters.set(leg, list);
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const left = waiters.get(leg)?.filter((w) => w !== done);
        if (left?.length) waiters.set(leg, left);
        else waiters.delete(leg);
        resolve();
      }
    });
  }

  /** Plays waiting for a leg to come back (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (const list of this.waiters.values()) n += list.length;
    return n;
  }
}

function hopId(leg: LegId): string {
  return `hop:${leg}`;
}

/** A pending play of the hop (not an ARI playback). */
export function isPromptHop(playId: string): boolean {
  return playId.startsWith('hop:');
}
