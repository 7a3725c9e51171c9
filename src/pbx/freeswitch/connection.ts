/**
 * The life of the FreeSWITCH driver's event socket: pbx.connected / pbx.disconnected / pbx.lost
 * from the client's ups and downs. A socket back within `lostAfterMs` on the same FreeSWITCH
 * (same core uuid) is a mere cut: the driver reconciles its legs. Not back in time, or back on
 * a FreeSWITCH that restarted (another core uuid), the PBX is lost: legs are forgotten, pending
 * work fails with DISCONNECTED.
 */
import type { Logger } from 'pino';
import type { EslClient } from './esl-client.js';

export interface ConnectionHooks {
  /** The socket came back (or up for the first time); `restarted`: FreeSWITCH restarted meanwhile. */
  connected(restarted: boolean): Promise<void>;
  disconnected(): void;
  lost(why: 'unreachable' | 'restarted'): void;
}

export class FsConnection {
  private coreUuid: string | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private transitions: Promise<void> = Promise.resolve();
  private off: (() => void) | undefined;

  constructor(
    private readonly client: EslClient,
    private readonly hooks: ConnectionHooks,
    private readonly log: Logger,
    private readonly lostAfterMs = 1000,
  ) {}

  watch(): void {
    this.off = this.client.onConnection((up) => {
      if (up) {
        if (this.lostTimer) clearTimeout(this.lostTimer);
        this.lostTimer = undefined;
        this.inOrder(() => this.onUp());
      } else {
        this.inOrder(async () => {
          this.hooks.disconnected();
          this.lostTimer = setTimeout(() => {
            this.lostTimer = undefined;
            if (!this.client.connected) this.hooks.lost('unreachable');
          }, this.lostAfterMs);
        });
      }
    });
  }

  unwatch(): void {
    this.off?.();
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = undefined;
  }

  private async onUp(): Promise<void> {
    const uuid = (await this.client.api('global_getvar core_uuid')).trim();
    const restarted = this.coreUuid !== undefined && uuid !== '' && uuid !== this.coreUuid;
    if (uuid) this.coreUuid = uuid;
    if (restarted) this.log.warn({ coreUuid: uuid }, 'freeswitch restarted');
    await this.hooks.connected(restarted);
  }

  private inOrder(task: () => Promise<void>): void {
    this.transitions = this.transitions.then(task).catch((err: unknown) => this.log.warn({ err }, 'connection task failed'));
  }
}
