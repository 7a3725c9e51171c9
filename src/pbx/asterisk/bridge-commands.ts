/**
 * The driver's bridge commands: mixing bridges (taken from the pool of bridges kept between
 * calls when one is idle), joining and leaving them, their music on hold and recording.
 */
import { randomUUID } from 'node:crypto';
import { isPbxError, type BridgeId, type LegId, type RecordingId, type RecordOptions } from '../port.js';
import { enc, type AriCalls } from './ari-calls.js';
import { BridgePool } from './bridge-pool.js';

export class BridgeCommands {
  /** Bridges kept for the next call (bridge-pool.ts). */
  readonly pool: BridgePool;

  constructor(
    private readonly calls: AriCalls,
    private readonly ensureStarted: () => void,
    /** Runs a request nobody waits for, logging its failure. */
    private readonly background: (p: Promise<unknown>, what: string) => void,
  ) {
    this.pool = new BridgePool({ destroy: (b) => this.background(this.deleteBridge(b), 'destroy bridge') });
  }

  async bridge(legs: readonly LegId[], opts: { signal?: AbortSignal } = {}): Promise<BridgeId> {
    this.ensureStarted();
    const reused = legs.length > 0 ? this.pool.take() : undefined;
    if (reused) {
      try {
        await this.calls.stopMohOf(legs);
        await this.calls.call('POST', `/bridges/${enc(reused)}/addChannel`, { query: { channel: legs }, signal: opts.signal });
        this.pool.joined(reused, legs);
        return reused;
      } catch (err) {
        this.pool.forget(reused);
        // 404: the idle bridge was deleted behind our back; make a new one. Anything else: a leg.
        if (!(isPbxError(err) && err.details.status === 404)) {
          this.background(this.deleteBridge(reused), 'destroy bridge');
          throw await this.calls.goneLegError(err, legs);
        }
      }
    }
    const id = `sb-br-${randomUUID()}` as BridgeId;
    await this.calls.call('POST', '/bridges', { query: { type: 'mixing', bridgeId: id }, signal: opts.signal });
    if (legs.length > 0) {
      try {
        await this.calls.stopMohOf(legs);
        await this.calls.call('POST', `/bridges/${enc(id)}/addChannel`, { query: { channel: legs }, signal: opts.signal }, legs.length === 1 ? legs[0] : undefined);
        this.pool.joined(id, legs);
      } catch (err) {
        this.background(this.deleteBridge(id), 'destroy bridge');
        throw await this.calls.goneLegError(err, legs);
      }
    }
    return id;
  }

  async addToBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.stopMohOf([leg]);
    try {
      await this.calls.call('POST', `/bridges/${enc(bridge)}/addChannel`, { query: { channel: leg }, signal: opts.signal }, leg);
      this.pool.joined(bridge, [leg]);
    } catch (err) {
      throw await this.calls.goneLegError(err, [leg]);
    }
  }

  async removeFromBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.pool.taint(bridge);
    await this.calls.call('POST', `/bridges/${enc(bridge)}/removeChannel`, { query: { channel: leg }, signal: opts.signal }, leg);
  }

  async startBridgeMoh(bridge: BridgeId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.pool.taint(bridge);
    await this.calls.call('POST', `/bridges/${enc(bridge)}/moh`, { query: { mohClass }, signal: opts.signal });
  }

  async stopBridgeMoh(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('DELETE', `/bridges/${enc(bridge)}/moh`, { signal: opts.signal });
  }

  /** Done with the bridge: kept for the next call when it can be (bridge-pool.ts), else destroyed. */
  async destroyBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.pool.release(bridge)) return;
    await this.deleteBridge(bridge, opts);
  }

  async deleteBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.calls.call('DELETE', `/bridges/${enc(bridge)}`, { signal: opts.signal });
    } catch (err) {
      if (isPbxError(err, 'LEG_GONE')) return;
      // 409 "Bridge not in Stasis application": a delete already under way; destroying is idempotent.
      if (isPbxError(err, 'PROTOCOL') && err.details.status === 409) return;
      throw err;
    }
  }

  async recordBridge(bridge: BridgeId, rec: RecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    this.pool.taint(bridge);
    await this.calls.call('POST', `/bridges/${enc(bridge)}/record`, {
      query: {
        name: rec.name,
        format: rec.format ?? 'wav',
        maxDurationSeconds: rec.maxDurationMs ? Math.ceil(rec.maxDurationMs / 1000) : undefined,
        ifExists: 'fail',
        beep: false,
        terminateOn: 'none',
      },
      signal: opts.signal,
    });
    return rec.name as RecordingId;
  }
}
