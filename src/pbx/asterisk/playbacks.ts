/**
 * Prompts played on a leg: one ARI playback per play() (a prompt list is one request with several
 * media URIs), settled by PlaybackFinished (leg-events.ts), stopped when the caller aborts; or,
 * for prompts a key stops, the dialplan's Background() through the prompt hop (prompt-hop.ts).
 */
import { randomUUID } from 'node:crypto';
import { PbxError, isPbxError, type LegId, type PlayOptions, type PlayOutcome } from '../port.js';
import type { AriClient } from './ari-client.js';
import { asPbxError, enc, type AriCalls } from './ari-calls.js';
import { mediaUri } from './dial-strings.js';
import type { LegEvents } from './leg-events.js';
import { promptExtension, type PromptHops } from './prompt-hop.js';

export class Playbacks {
  constructor(
    private readonly calls: AriCalls,
    private readonly client: AriClient,
    private readonly book: LegEvents,
    private readonly ensureStarted: () => void,
    private readonly background: (p: Promise<unknown>, what: string) => void,
    /** Prompts a key stops go through the dialplan when it can play them (prompt-hop.ts). */
    private readonly hops: PromptHops | undefined,
  ) {}

  async play(leg: LegId, prompts: readonly string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.ensureStarted();
    const state = this.book.legs.get(leg);
    if (state?.going) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    if (opts.signal?.aborted) return 'stopped';
    if (prompts.length === 0) return 'finished';
    const media = prompts.map(mediaUri);
    const exten = opts.stopOnKey && this.hops ? promptExtension(media, opts.language) : undefined;
    if (exten !== undefined && this.hops) return this.hops.play(leg, exten, opts.signal);
    const playbackId = `sb-pb-${randomUUID()}`;
    return new Promise<PlayOutcome>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: PlayOutcome | PbxError) => {
        if (settled) return;
        settled = true;
        this.book.plays.delete(playbackId);
        opts.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof PbxError) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = () => {
        const wasPending = this.book.plays.has(playbackId);
        settle('stopped');
        if (wasPending) this.background(this.stopPlayback(playbackId), 'stop playback');
      };
      this.book.plays.set(playbackId, { leg, settle });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.calls.call('POST', `/channels/${enc(leg)}/play`, { query: { media, lang: opts.language, playbackId } }, leg).catch((err: unknown) => {
        if (settled) {
          // Aborted before the request returned: make sure nothing keeps playing.
          if (opts.signal?.aborted) this.background(this.stopPlayback(playbackId), 'stop playback');
          return;
        }
        settle(asPbxError(err));
      });
    });
  }

  private async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.client.request('DELETE', `/playbacks/${enc(playbackId)}`);
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) throw err;
    }
  }
}
