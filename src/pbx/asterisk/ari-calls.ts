/**
 * The driver's REST calls: a refusal on a leg known to have ended becomes LEG_GONE (the
 * expected race), and a refused addChannel names the leg that went.
 */
import type { Logger } from 'pino';
import { PbxError, isPbxError, type LegId } from '../port.js';
import type { AriClient } from './ari-client.js';
import type { LegEvents } from './leg-events.js';

export class AriCalls {
  constructor(
    private readonly client: AriClient,
    private readonly book: LegEvents,
    /** Throws DISCONNECTED when the driver is not started or Asterisk is lost. */
    private readonly ensureStarted: () => void,
    private readonly log: Logger,
  ) {}

  /** One REST call; a refusal on a leg we know has ended becomes LEG_GONE (the expected race). */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, ro: Parameters<AriClient['request']>[2], leg?: LegId): Promise<T> {
    this.ensureStarted();
    try {
      return await this.client.request<T>(method, path, ro);
    } catch (err) {
      const e = asPbxError(err);
      if (leg && e.code === 'PROTOCOL' && (this.book.legs.get(leg)?.going || !this.book.legs.has(leg)) && (e.details.status === 409 || e.details.status === 422)) {
        throw new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg });
      }
      throw e;
    }
  }

  /** addChannel answers 422 when a channel has left Stasis; tell the engine which leg went. */
  async goneLegError(err: unknown, legs: readonly LegId[]): Promise<PbxError> {
    const e = asPbxError(err);
    if (e.code !== 'PROTOCOL' || (e.details.status !== 422 && e.details.status !== 400)) return e;
    for (const leg of legs) {
      if (this.book.legs.get(leg)?.going || (await this.channelGone(leg))) return new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg });
    }
    return e;
  }

  /** Stop the music on hold of legs we started it on (before they join a bridge). */
  async stopMohOf(legs: readonly LegId[]): Promise<void> {
    for (const leg of legs) {
      const s = this.book.legs.get(leg);
      if (!s?.mohOn) continue;
      s.mohOn = false;
      try {
        await this.client.request('DELETE', `/channels/${enc(leg)}/moh`);
      } catch (err) {
        this.log.debug({ err, legId: leg }, 'stop moh before bridging failed');
      }
    }
  }

  private async channelGone(id: string): Promise<boolean> {
    try {
      await this.client.request('GET', `/channels/${enc(id)}`);
      return false;
    } catch (err) {
      return isPbxError(err, 'LEG_GONE');
    }
  }
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}

export function asPbxError(err: unknown): PbxError {
  if (err instanceof PbxError) return err;
  return new PbxError('PROTOCOL', err instanceof Error ? err.message : String(err));
}
