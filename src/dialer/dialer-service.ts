/**
 * The dialer: campaigns in the store, one runner per running campaign, state changes
 * (start, pause, resume, stop), preview accept/skip. Built by the composition root (or a test)
 * on the engine and the store.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../calls/engine.js';
import type { Cdr } from '../domain/cdr.js';
import type { Logger } from '../infra/logger.js';
import type { DialerRepo, DialerRow } from '../store/repos/dialer-repo.js';
import type { Campaign, DialerState } from './campaign.js';
import { CampaignRunner, type DialerEvents } from './campaign-runner.js';

export type DialerAction = 'start' | 'pause' | 'resume' | 'stop';

const NEXT_STATE: Record<DialerAction, { from: DialerState[]; to: DialerState }> = {
  start: { from: ['stopped'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
};

export class DialerService extends EventEmitter<DialerEvents> {
  private readonly runners = new Map<string, CampaignRunner>();
  private readonly waiters = new Map<string, (cdr: Cdr) => void>();

  constructor(
    readonly engine: Engine,
    readonly repo: DialerRepo,
    private readonly log: Logger,
  ) {
    super();
    engine.on('call.ended', (cdr) => {
      const w = this.waiters.get(cdr.callId);
      if (!w) return;
      this.waiters.delete(cdr.callId);
      w(cdr);
    });
  }

  /** After a restart: attempts left open are closed as failed, and running campaigns resume. */
  start(): void {
    const n = this.repo.recover(this.engine.clock.now());
    if (n > 0) this.log.warn({ members: n }, 'dialer: members left dialing by a restart went back to waiting');
    for (const d of this.repo.list()) if (d.state === 'running') this.runner(d.id).start();
  }

  stopAll(): void {
    for (const r of this.runners.values()) r.stop();
  }

  private cdrOf = (callId: string): Promise<Cdr> => new Promise((resolve) => this.waiters.set(callId, resolve));

  runner(id: string): CampaignRunner {
    let r = this.runners.get(id);
    if (!r) {
      r = new CampaignRunner(this.engine, this.repo, id, this.cdrOf, this.log.child({ mod: 'dialer', dialerId: id }));
      r.on('attempt', (e) => this.emit('attempt', e));
      r.on('preview', (e) => this.emit('preview', e));
      r.on('preview.decision', (e) => this.emit('preview.decision', e));
      this.runners.set(id, r);
    }
    return r;
  }

  create(config: Campaign): DialerRow {
    return this.repo.create(config, this.engine.clock.now());
  }

  /** Apply an action; returns the new state, or the allowed states when the action does not apply. */
  act(id: string, action: DialerAction): { ok: true; state: DialerState } | { ok: false; state: DialerState } | undefined {
    const row = this.repo.get(id);
    if (!row) return undefined;
    const rule = NEXT_STATE[action];
    if (!rule.from.includes(row.state)) return { ok: false, state: row.state };
    this.repo.setState(id, rule.to, this.engine.clock.now());
    this.log.info({ dialerId: id, from: row.state, to: rule.to }, 'dialer state changed');
    if (rule.to === 'running') this.runner(id).start();
    else this.runners.get(id)?.stop();
    return { ok: true, state: rule.to };
  }

  remove(id: string): boolean {
    this.runners.get(id)?.dispose();
    this.runners.delete(id);
    return this.repo.remove(id);
  }

  /** The campaign an agent holds a preview of, and the member. */
  previewFor(agentId: string): { dialerId: string; memberId: number } | undefined {
    for (const r of this.runners.values()) {
      const m = r.previewOf(agentId);
      if (m) return { dialerId: r.dialerId, memberId: m.id };
    }
    return undefined;
  }
}
