/**
 * Call control on a bridged call: hold, blind and attended transfers, consult (with swap), and a
 * third party in conference. One instance per call session; it acts on the PBX through the port,
 * keeps the routing core told (transfers, consulted agents), and writes what happened into the
 * CDR draft (hold time, one segment per party) in one place.
 *
 * Media: the customer stays in its bridge for the whole call. On hold (and while a transfer or a
 * consult rings) the agent's leg leaves that bridge and the bridge plays the queue's music; the
 * agent and a consulted party talk in a bridge of their own; a conference party joins the
 * customer's bridge.
 */
import type { CdrSegment } from '../../domain/cdr.js';
import type { CdrDraft } from '../../domain/journal.js';
import type { Logger } from '../../infra/logger.js';
import { isPbxError, type Destination, type HangupCause, type LegId } from '../../pbx/port.js';
import type { Bridged, SessionEnv } from '../session-types.js';
import { ControlError, type ControlAction, type ControlTarget, type Party } from './types.js';

/** What call control needs from its call session. */
export interface ControlHost {
  readonly callId: string;
  readonly log: Logger;
  readonly env: SessionEnv;
  readonly cdr: CdrDraft;
  readonly caller: { number: string; name?: string; dialled: string };
  /** The agent bridged with the customer now, if any. */
  bridged(): Bridged | undefined;
  /** The queue the call is in (its music on hold class, for hold). */
  queueId(): string | undefined;
  /** A leg of this call: its events come to the session, and it is hung up when the call ends. */
  adopt(leg: LegId): void;
  hangupLeg(leg: LegId, cause: HangupCause): Promise<void>;
  /**
   * The agent leaves the customer, who stays in its bridge (with music). `then`: what the call
   * does next — wait for an agent's answer (offered by the routing core), go to a queue, or wait
   * for an outside party.
   */
  release(then: { kind: 'offer' } | { kind: 'queue'; queueId: string } | { kind: 'outside' }): void;
  /** A party takes the customer over (attended transfer, or the agent left a conference). */
  takeOver(party: { agentId: string; leg: LegId } | { number: string; leg: LegId }): void;
  writeJournal(): void;
}

export class CallControl {
  private held = false;
  private heldSince = 0;
  /** The consulted or conferenced party (one at a time). */
  party: Party | undefined;
  /** A blind transfer's outside leg while it rings. */
  private outsideRinging: { leg: LegId; number: string } | undefined;
  /** How the next party reached the call, for its CDR segment. */
  private nextVia: CdrSegment['via'] = 'queue';

  constructor(private readonly host: ControlHost) {}

  get callId(): string {
    return this.host.callId;
  }

  get onHold(): boolean {
    return this.held;
  }

  owns(leg: LegId): boolean {
    return this.party?.leg === leg || this.outsideRinging?.leg === leg;
  }

  // ------------------------------------------------------------ segments

  /** A party starts talking with the customer (an agent connected, an outside number answered). */
  segmentStart(party: { agentId: string } | { number: string }): void {
    const seg: CdrSegment = {
      agentId: 'agentId' in party ? party.agentId : null,
      number: 'number' in party ? party.number : null,
      queueId: this.host.queueId() ?? null,
      via: this.nextVia,
      startedAt: this.now(),
      endedAt: null,
      holdMs: 0,
    };
    this.host.cdr.segments.push(seg);
    this.nextVia = 'queue';
  }

  private segmentEnd(): void {
    this.stopHoldClock();
    const seg = this.openSegment();
    if (seg) seg.endedAt = this.now();
  }

  private openSegment(): CdrSegment | undefined {
    const segs = this.host.cdr.segments;
    const last = segs[segs.length - 1];
    return last && last.endedAt === null ? last : undefined;
  }

  /** The call ends: close what is open (hold time, segments). */
  close(): void {
    this.stopHoldClock();
    const now = this.now();
    for (const s of this.host.cdr.segments) if (s.endedAt === null) s.endedAt = now;
  }

  /** The call ends: a consult's own bridge goes (party legs are hung up with the call's other legs). */
  async teardown(): Promise<void> {
    const party = this.party;
    this.party = undefined;
    if (party?.agentId) this.host.env.route({ type: 'consult.end', callId: this.host.callId, agentId: party.agentId });
    if (party?.bridge) await this.host.env.pbx.destroyBridge(party.bridge).catch((err: unknown) => this.quiet(err));
  }

  private stopHoldClock(): void {
    if (!this.held) return;
    const ms = this.now() - this.heldSince;
    this.host.cdr.holdMs += ms;
    const seg = this.openSegment();
    if (seg) seg.holdMs += ms;
    this.heldSince = this.now();
  }

  // ------------------------------------------------------------ hold

  async hold(): Promise<void> {
    const b = this.requireBridged();
    if (this.held) throw new ControlError('INVALID_CALL_STATE', 'the call is already on hold');
    if (this.party?.kind === 'consult') throw new ControlError('INVALID_CALL_STATE', 'the call is in a consult');
    await this.holdMedia(b);
    this.notify('held');
  }

  async unhold(): Promise<void> {
    const b = this.requireBridged();
    if (!this.held) throw new ControlError('INVALID_CALL_STATE', 'the call is not on hold');
    if (this.party?.kind === 'consult') throw new ControlError('INVALID_CALL_STATE', 'the call is in a consult: complete, cancel or swap it');
    await this.retrieveMedia(b);
    this.notify('retrieved');
  }

  private async holdMedia(b: Bridged): Promise<void> {
    const { pbx } = this.host.env;
    await pbx.removeFromBridge(b.bridge!, b.agentLeg);
    await pbx.startBridgeMoh(b.bridge!, this.mohClass());
    this.held = true;
    this.heldSince = this.now();
    this.host.writeJournal();
  }

  private async retrieveMedia(b: Bridged): Promise<void> {
    const { pbx } = this.host.env;
    await pbx.stopBridgeMoh(b.bridge!);
    await pbx.addToBridge(b.bridge!, b.agentLeg);
    this.stopHoldClock();
    this.held = false;
    this.host.writeJournal();
  }

  // ------------------------------------------------------------ blind transfer

  async transfer(to: ControlTarget): Promise<void> {
    const b = this.requireBridged();
    if (this.party) throw new ControlError('INVALID_CALL_STATE', `a ${this.party.kind} is in progress`);
    const target = this.check(to, b.agentId);
    const { pbx } = this.host.env;
    if (!this.held) {
      await pbx.removeFromBridge(b.bridge!, b.agentLeg);
      await pbx.startBridgeMoh(b.bridge!, this.mohClass());
    }
    // Re-checked after the awaits: the target may have been taken meanwhile.
    if ('agentId' in to && !this.host.env.agentFree(to.agentId)) {
      if (!this.held) await this.retrieveMediaQuiet(b);
      throw new ControlError('AGENT_NOT_AVAILABLE', `agent ${to.agentId} is not available`);
    }
    this.segmentEnd();
    this.held = false;
    this.nextVia = 'blind';
    this.host.log.info({ target, agentId: b.agentId }, 'blind transfer');
    this.notify('transferred', { mode: 'blind', target });
    if ('agentId' in to) {
      this.host.release({ kind: 'offer' });
      this.host.env.route({ type: 'call.transfer', callId: this.host.callId, mode: 'blind', agentId: to.agentId, target });
    } else if ('queueId' in to) {
      this.host.env.route({ type: 'call.transfer', callId: this.host.callId, mode: 'blind', target });
      this.host.release({ kind: 'queue', queueId: to.queueId });
    } else {
      this.host.env.route({ type: 'call.transfer', callId: this.host.callId, mode: 'blind', target });
      this.host.release({ kind: 'outside' });
      const leg = await this.originate({ kind: 'external', number: to.number });
      this.outsideRinging = { leg, number: to.number };
    }
  }

  private async retrieveMediaQuiet(b: Bridged): Promise<void> {
    try {
      await this.host.env.pbx.stopBridgeMoh(b.bridge!);
      await this.host.env.pbx.addToBridge(b.bridge!, b.agentLeg);
    } catch (err) {
      this.host.log.warn({ err }, 'could not take the agent back after a refused transfer');
    }
  }

  // ------------------------------------------------------------ consult and conference

  /** Attended transfer, first half: the customer on hold, the agent talks to the target. */
  async consult(to: ControlTarget): Promise<void> {
    await this.addParty(to, 'consult');
  }

  /** A third party joins the customer and the agent. */
  async conference(to: ControlTarget): Promise<void> {
    await this.addParty(to, 'conference');
  }

  private async addParty(to: ControlTarget, kind: Party['kind']): Promise<void> {
    const b = this.requireBridged();
    if (this.party) throw new ControlError('INVALID_CALL_STATE', `a ${this.party.kind} is already in progress`);
    if ('queueId' in to) throw new ControlError('INVALID_CALL_STATE', `a ${kind} goes to an agent or a number, not a queue`);
    const target = this.check(to, b.agentId);
    const party: Party = {
      kind,
      target,
      agentId: 'agentId' in to ? to.agentId : undefined,
      number: 'number' in to ? to.number : undefined,
      leg: undefined,
      answered: false,
      bridge: undefined,
      withParty: false,
      dropped: false,
    };
    if (party.agentId) {
      this.host.env.route({ type: 'consult.start', callId: this.host.callId, agentId: party.agentId });
      if (this.host.env.agentReservedFor(party.agentId) !== this.host.callId) throw new ControlError('AGENT_NOT_AVAILABLE', `agent ${party.agentId} is not available`);
    }
    this.party = party;
    try {
      if (kind === 'consult' && !this.held) {
        await this.holdMedia(b);
        this.notify('held');
      }
      if (kind === 'conference' && this.held) await this.retrieveMedia(b);
      const destination = party.agentId ? this.host.env.agentDestination(party.agentId) : { kind: 'external' as const, number: party.number! };
      if (!destination) throw new ControlError('AGENT_NOT_AVAILABLE', `agent ${party.agentId} has no phone`);
      const leg = await this.originate(destination, party.agentId);
      party.leg = leg;
      if (party.dropped) void this.host.hangupLeg(leg, 'cancelled');
    } catch (err) {
      this.partyGone(party, 'failed');
      throw err;
    }
    this.notify(kind === 'consult' ? 'consult-started' : 'party-added', { target });
  }

  /** Attended transfer, second half: the consulted party takes the customer; the agent leaves. */
  async complete(): Promise<void> {
    const b = this.requireBridged();
    const party = this.party;
    if (!party || party.kind !== 'consult' || !party.answered || !party.leg) throw new ControlError('INVALID_CALL_STATE', 'no answered consult to complete');
    await this.handOver(b, party, 'attended');
  }

  async cancelConsult(): Promise<void> {
    this.requireBridged();
    const party = this.party;
    if (!party || party.kind !== 'consult') throw new ControlError('INVALID_CALL_STATE', 'no consult in progress');
    await this.dropParty(party, 'consult-cancelled');
  }

  /** Consult: talk to the customer (the consulted party hears music) or back to the party. */
  async swap(): Promise<void> {
    const b = this.requireBridged();
    const party = this.party;
    if (!party || party.kind !== 'consult' || !party.answered || !party.bridge) throw new ControlError('INVALID_CALL_STATE', 'no answered consult to swap with');
    const { pbx } = this.host.env;
    if (party.withParty) {
      await pbx.removeFromBridge(party.bridge, b.agentLeg);
      await pbx.startBridgeMoh(party.bridge, this.mohClass());
      await this.retrieveMedia(b);
      party.withParty = false;
    } else {
      await this.holdMedia(b);
      await pbx.stopBridgeMoh(party.bridge);
      await pbx.addToBridge(party.bridge, b.agentLeg);
      party.withParty = true;
    }
    this.notify('swapped', { target: party.target });
  }

  /** Conference: drop the third party. */
  async dropConference(): Promise<void> {
    this.requireBridged();
    const party = this.party;
    if (!party || party.kind !== 'conference') throw new ControlError('INVALID_CALL_STATE', 'no conference party on the call');
    await this.dropParty(party, 'party-dropped');
  }

  private async dropParty(party: Party, action: ControlAction): Promise<void> {
    party.dropped = true;
    this.partyGone(party, action);
    if (party.leg) await this.host.hangupLeg(party.leg, 'normal');
    await this.afterParty(party);
  }

  /** The customer goes to the party: the agent's leg ends, the party joins the customer's bridge. */
  private async handOver(b: Bridged, party: Party, mode: 'attended'): Promise<void> {
    const { pbx } = this.host.env;
    const leg = party.leg!;
    this.party = undefined;
    this.host.env.route({ type: 'call.transfer', callId: this.host.callId, mode, ...(party.agentId ? { agentId: party.agentId } : {}), target: party.target });
    this.segmentEnd();
    if (party.bridge) await pbx.destroyBridge(party.bridge).catch((err: unknown) => this.quiet(err));
    if (this.held) await pbx.stopBridgeMoh(b.bridge!).catch((err: unknown) => this.quiet(err));
    this.held = false;
    this.nextVia = party.kind === 'conference' ? 'conference' : mode;
    this.host.log.info({ target: party.target, agentId: b.agentId }, 'call handed over');
    this.notify('transferred', { mode, target: party.target });
    this.host.takeOver(party.agentId ? { agentId: party.agentId, leg } : { number: party.number!, leg });
    if (party.kind === 'consult') await pbx.addToBridge(b.bridge!, leg);
  }

  /**
   * The agent's leg ended. True when the call goes on with the party (an answered consult or
   * conference party takes it over); false when the call ends (any ringing party is dropped).
   */
  agentLeft(): boolean {
    const b = this.host.bridged();
    const party = this.party;
    if (!b || !party) return false;
    if (party.answered && party.leg) {
      void this.handOver(b, party, 'attended').catch((err: unknown) => this.host.log.warn({ err }, 'hand-over after the agent left failed'));
      return true;
    }
    void this.dropParty(party, party.kind === 'consult' ? 'consult-cancelled' : 'party-dropped').catch((err: unknown) => this.quiet(err));
    return false;
  }

  // ------------------------------------------------------------ party leg events

  onAnswered(leg: LegId): void {
    const ringing = this.outsideRinging;
    if (ringing?.leg === leg) {
      this.outsideRinging = undefined;
      this.host.takeOver({ number: ringing.number, leg });
      return;
    }
    const party = this.party;
    if (!party || party.leg !== leg || party.dropped) return;
    party.answered = true;
    if (party.agentId) this.host.env.route({ type: 'consult.answered', callId: this.host.callId, agentId: party.agentId });
    void this.joinParty(party).catch((err: unknown) => {
      this.host.log.warn({ err }, 'could not bridge the party');
      void this.host.hangupLeg(leg, 'failed');
    });
  }

  private async joinParty(party: Party): Promise<void> {
    const b = this.requireBridged();
    const { pbx } = this.host.env;
    if (party.kind === 'consult') {
      party.bridge = await pbx.bridge([b.agentLeg, party.leg!]);
      party.withParty = true;
      this.notify('consult-answered', { target: party.target });
    } else {
      await pbx.addToBridge(b.bridge!, party.leg!);
      this.notify('party-answered', { target: party.target });
    }
  }

  /** A party's or a ringing outside leg's end. True when the call itself must end (a blind transfer to a number failed). */
  onHangup(leg: LegId, cause: HangupCause): 'ended' | 'back-to-queue' | 'handled' {
    if (this.outsideRinging?.leg === leg) {
      this.outsideRinging = undefined;
      this.host.log.info({ cause }, 'blind transfer to a number failed');
      return 'back-to-queue';
    }
    const party = this.party;
    if (!party || party.leg !== leg) return 'handled';
    if (!party.dropped) {
      this.partyGone(party, party.answered ? (party.kind === 'consult' ? 'consult-cancelled' : 'party-dropped') : party.kind === 'consult' ? 'consult-failed' : 'party-failed', cause);
      void this.afterParty(party).catch((err: unknown) => this.quiet(err));
    }
    return 'handled';
  }

  /** The party is gone: the routing core frees its agent; desktops are told. */
  private partyGone(party: Party, action: ControlAction | 'failed', cause?: HangupCause): void {
    if (this.party !== party) return;
    this.party = undefined;
    if (party.agentId) this.host.env.route({ type: 'consult.end', callId: this.host.callId, agentId: party.agentId });
    this.host.log.info({ target: party.target, kind: party.kind, cause }, 'party left the call');
    this.notify(action === 'failed' ? (party.kind === 'consult' ? 'consult-failed' : 'party-failed') : action, { target: party.target });
  }

  /** After a consult: the agent is back with the customer. */
  private async afterParty(party: Party): Promise<void> {
    const { pbx } = this.host.env;
    if (party.bridge) await pbx.destroyBridge(party.bridge).catch((err: unknown) => this.quiet(err));
    const b = this.host.bridged();
    if (party.kind === 'consult' && b && this.held) {
      await this.retrieveMedia(b);
      this.notify('retrieved');
    }
  }

  /** The routing core cancelled the consulted agent (it logged out while ringing). */
  cancelAgent(agentId: string): void {
    const party = this.party;
    if (!party || party.agentId !== agentId) return;
    party.dropped = true;
    this.party = undefined;
    this.notify(party.kind === 'consult' ? 'consult-failed' : 'party-failed', { target: party.target });
    if (party.leg) void this.host.hangupLeg(party.leg, 'cancelled');
    void this.afterParty(party).catch((err: unknown) => this.quiet(err));
  }

  // ------------------------------------------------------------ helpers

  private requireBridged(): Bridged {
    const b = this.host.bridged();
    if (!b) throw new ControlError('NO_ACTIVE_CALL', 'no call bridged with an agent');
    if (!b.bridge) throw new ControlError('INVALID_CALL_STATE', 'the call is still being bridged');
    return b;
  }

  /** Validate a target; returns its queue-log form (agent id, `queue:<id>` or the number). */
  private check(to: ControlTarget, ownAgent: string): string {
    const env = this.host.env;
    if ('agentId' in to) {
      if (!env.agent(to.agentId)) throw new ControlError('AGENT_NOT_FOUND', `unknown agent ${to.agentId}`);
      if (to.agentId === ownAgent) throw new ControlError('INVALID_CALL_STATE', 'the agent is already on the call');
      if (!env.agentFree(to.agentId)) throw new ControlError('AGENT_NOT_AVAILABLE', `agent ${to.agentId} is not available`);
      return to.agentId;
    }
    if ('queueId' in to) {
      if (!env.queue(to.queueId)) throw new ControlError('QUEUE_NOT_FOUND', `unknown queue ${to.queueId}`);
      return `queue:${to.queueId}`;
    }
    if (!env.dialAllowed(to.number, ownAgent)) throw new ControlError('DESTINATION_NOT_ALLOWED', `${to.number} is not a number agents may dial`);
    return to.number;
  }

  private async originate(destination: Destination, agentId?: string): Promise<LegId> {
    const { caller } = this.host;
    const callerId = destination.kind === 'sip' ? { number: caller.number, ...(caller.name ? { name: caller.name } : {}) } : { number: caller.dialled };
    const leg = await this.host.env.pbx.originate({
      destination,
      callerId,
      timeoutMs: 30_000,
      variables: agentId ? { SWITCHBOARD_AGENT: agentId } : {},
      callId: this.host.callId,
    });
    this.host.adopt(leg);
    return leg;
  }

  private mohClass(): string {
    const q = this.host.queueId();
    return (q && this.host.env.queue(q)?.moh_class) || 'default';
  }

  private notify(action: ControlAction, extra: { mode?: 'blind' | 'attended'; target?: string } = {}): void {
    this.host.env.control({ callId: this.host.callId, agentId: this.host.bridged()?.agentId ?? null, action, ...extra, at: this.now() });
  }

  private quiet(err: unknown): void {
    if (isPbxError(err, 'LEG_GONE')) return;
    this.host.log.warn({ err }, 'call control cleanup failed');
  }

  private now(): number {
    return this.host.env.clock.now();
  }
}
