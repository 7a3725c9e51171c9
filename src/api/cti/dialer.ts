/**
 * The dialer on the CTI WebSocket (seed 003): preview offers with the member's data and
 * variables, the agent's accept/skip (also as commands), and each attempt's progress (dialing,
 * answered, ended with its outcome). Preview events go to whoever sees the agent; attempt events
 * to the supervisors and admins who see the campaign's queue, and to the attempt's agent.
 */
import type { MemberRow } from '../../store/repos/dialer-repo.js';
import type { DialerService } from '../../dialer/dialer-service.js';
import type { AttemptEvent } from '../../dialer/campaign-runner.js';
import type { Principal } from '../auth.js';
import { ApiError } from '../errors.js';
import type { CtiCommand } from './commands.js';
import type { CtiCommandResult, CtiEvent, CtiEventType } from './events.js';

type DialerCommand = Extract<CtiCommand, { command: 'acceptPreview' | 'skipPreview' }>;

export function ctiDialerCommand(dialer: DialerService | undefined, p: Principal, cmd: DialerCommand): CtiCommandResult {
  if (!dialer) throw new ApiError('NOT_FOUND', 'the dialer is not served here');
  const agentId = cmd.agentId ?? p.agentId;
  if (!agentId) throw new ApiError('VALIDATION_FAILED', 'agentId: name the agent', { field: 'agentId' });
  if (p.profile === 'agent' && agentId !== p.agentId) throw new ApiError('FORBIDDEN', 'an agent answers its own previews');
  const offer = dialer.previewFor(agentId);
  if (!offer) throw new ApiError('CONFLICT', 'no preview on offer to this agent');
  const runner = dialer.runner(offer.dialerId);
  const done = cmd.command === 'acceptPreview' ? runner.acceptPreview(agentId) : runner.skipPreview(agentId, cmd.reason);
  if (!done) throw new ApiError('CONFLICT', 'no preview on offer to this agent');
  return { dialerId: offer.dialerId, memberId: offer.memberId, decision: cmd.command === 'acceptPreview' ? 'accepted' : 'skipped' };
}

export function memberMessage(m: MemberRow): NonNullable<CtiEvent<'DialerPreview'>['member']> {
  return {
    id: m.id,
    name: m.name,
    priority: m.priority,
    communications: m.communications.map((c) => ({ destination: c.destination, priority: c.priority, ...(c.type ? { type: c.type } : {}), ...(c.description !== undefined ? { description: c.description } : {}) })),
    variables: m.variables,
    attempts: m.attempts,
    expireAt: m.expireAt,
    bucket: m.bucket,
  };
}

type Broadcast<C> = <K extends CtiEventType>(msgType: K, ctiMessage: CtiEvent<K>, admit: (c: C) => boolean) => void;

export interface DialerAudience<C> {
  /** Undefined when nobody is connected. */
  seesAgent(agentId: string): ((c: C) => boolean) | undefined;
  /** Supervisors and admins who see the queue (not agents). */
  supervisesQueue(queueId: string): (c: C) => boolean;
  isAgent(c: C, agentId: string): boolean;
}

/** Forward the dialer's events; returns the unsubscribe. */
export function ctiDialerEvents<C>(dialer: DialerService | undefined, audience: DialerAudience<C>, broadcast: Broadcast<C>, now: () => number): () => void {
  if (!dialer) return () => undefined;
  const onPreview = (e: { dialerId: string; agentId: string; member: MemberRow }) => {
    const admit = audience.seesAgent(e.agentId);
    if (admit) broadcast('DialerPreview', { dialerId: e.dialerId, agentId: e.agentId, phase: 'offered', memberId: e.member.id, member: memberMessage(e.member) }, admit);
  };
  const onDecision = (e: { dialerId: string; agentId: string; memberId: number; decision: 'accepted' | 'skipped'; reason?: string }) => {
    const admit = audience.seesAgent(e.agentId);
    if (admit) broadcast('DialerPreview', { dialerId: e.dialerId, agentId: e.agentId, phase: e.decision, memberId: e.memberId, ...(e.reason !== undefined ? { reason: e.reason } : {}) }, admit);
  };
  const onAttempt = (e: AttemptEvent) => {
    if (!audience.seesAgent(e.agentId ?? '')) return;
    const queueId = dialer.repo.get(e.dialerId)?.config.queue;
    if (!queueId) return;
    const supervises = audience.supervisesQueue(queueId);
    const agentId = e.agentId ?? null;
    const msg: CtiEvent<'DialerAttempt'> = {
      dialerId: e.dialerId, queueId, attemptId: e.attemptId, memberId: e.memberId, callId: e.callId, destination: e.destination,
      phase: e.phase === 'start' ? 'dialing' : e.phase === 'answered' ? 'answered' : 'ended',
      agentId,
      ...(e.phase === 'end' ? { outcome: e.outcome, cause: e.cause ?? null, amd: e.amd ?? null } : {}),
      at: now(),
    };
    broadcast('DialerAttempt', msg, (c) => supervises(c) || (agentId !== null && audience.isAgent(c, agentId)));
  };
  dialer.on('preview', onPreview);
  dialer.on('preview.decision', onDecision);
  dialer.on('attempt', onAttempt);
  return () => {
    dialer.off('preview', onPreview);
    dialer.off('preview.decision', onDecision);
    dialer.off('attempt', onAttempt);
  };
}
