/**
 * Callback lists (seed 002): lists of callback requests per queue, worked by agents. A request is
 * held by at most one agent (takeCallback; a second agent gets ALREADY_TAKEN), started as a ticket
 * (startCallback: the agent's phone rings first, then the number is dialled, as click-to-call),
 * closed or rescheduled by updateCallbackTicket. An agent who logs out releases what it held.
 * Every change is written to SQLite before it is reported; events carry seed 002's names.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../calls/engine.js';
import type { CallbackList, CallbackPeriod, CallbackRequest, TicketStatus } from '../domain/callback-list.js';
import type { Logger } from '../infra/logger.js';
import type { CallbackListRepo, NewRequest } from '../store/repos/callback-list-repo.js';
import { playToAgent } from './callback-listen.js';
import { startClickToCall } from './click-to-call.js';

export type CallbackEvent =
  | { eventType: 'CallbackTaken'; agentId: string; uuid: string }
  | { eventType: 'CallbackReleased'; agentId: string; uuid: string }
  | { eventType: 'CallbackStarted'; agentId: string; requestUuid: string; ticketUuid: string }
  | { eventType: 'CallbackClotured'; agentId: string; uuid: string }
  | { eventType: 'CallbackRequestUpdated'; agentId: string; request: CallbackRequest };

export type CallbackErrorCode =
  | 'CALLBACK_LIST_NOT_FOUND'
  | 'CALLBACK_NOT_FOUND'
  | 'TICKET_NOT_FOUND'
  | 'ALREADY_TAKEN'
  | 'CALLBACK_NOT_HELD'
  | 'QUEUE_NOT_FOUND'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_NOT_AVAILABLE'
  | 'DESTINATION_NOT_ALLOWED'
  | 'CALLBACK_NO_MESSAGE'
  | 'AGENT_NOT_LOGGED_IN'
  | 'VALIDATION_FAILED';

export class CallbackError extends Error {
  constructor(
    readonly code: CallbackErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface RequestInput {
  phoneNumber?: string | undefined;
  mobilePhoneNumber?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  company?: string | undefined;
  description?: string | undefined;
  dueDate?: string | undefined;
  periodUuid?: string | undefined;
}

export interface CallbackListDeps {
  engine: Engine;
  repo: CallbackListRepo;
  log: Logger;
  newId: () => string;
}

/** A request a caller left with a voice message (the queue's callback_message key). */
export interface CallerRequest {
  phoneNumber: string;
  parentCallId: string;
  /** When that call entered the queue. */
  parentEnqueuedAt: number;
  message: string;
  messageMs: number | null;
}

/**
 * `event`: seed 002 events for whoever sees the agent. `changed`: requests were added, released
 * or rescheduled (the auto-list offerer looks again).
 */
export class CallbackListService extends EventEmitter<{ event: [CallbackEvent]; changed: [] }> {
  private readonly log: Logger;

  constructor(private readonly deps: CallbackListDeps) {
    super();
    this.log = deps.log.child({ mod: 'callback-lists' });
    deps.engine.on('agent.state', (e) => {
      if (e.presence !== 'loggedout') return;
      const released = deps.repo.releaseAll(e.agentId, this.now());
      for (const uuid of released) {
        this.log.info({ agentId: e.agentId, requestUuid: uuid }, 'callback released at logout');
        this.emit('event', { eventType: 'CallbackReleased', agentId: e.agentId, uuid });
      }
      if (released.length > 0) this.emit('changed');
    });
  }

  /** The queue a list belongs to (undefined for an unknown list). */
  listQueue(listUuid: string): string | undefined {
    return this.deps.repo.list(listUuid)?.queueId;
  }

  createList(input: { name: string; queueId: string; auto?: boolean | undefined; periods?: Omit<CallbackPeriod, 'uuid'>[] | undefined }): CallbackList {
    if (!this.deps.engine.queueConfig(input.queueId)) throw new CallbackError('QUEUE_NOT_FOUND', `queue ${input.queueId} not found`, 'queueId');
    const uuid = this.deps.newId();
    const periods = (input.periods ?? []).map((p) => ({ ...p, uuid: this.deps.newId() }));
    this.deps.repo.createList({ uuid, name: input.name, queueId: input.queueId, auto: input.auto === true, periods }, this.now());
    return this.deps.repo.list(uuid)!;
  }

  /**
   * A caller's request with its voice message (the queue's callback_message key): due today, in
   * the list's default period. Written (durable) before it is returned.
   */
  addFromCaller(listUuid: string, r: CallerRequest): CallbackRequest {
    const list = this.deps.repo.list(listUuid);
    if (!list) throw new CallbackError('CALLBACK_LIST_NOT_FOUND', `callback list ${listUuid} not found`, 'listUuid');
    const uuid = this.deps.newId();
    const row: NewRequest = {
      uuid, listUuid, phoneNumber: r.phoneNumber, mobilePhoneNumber: null, firstName: null, lastName: null, company: null, description: null,
      dueDate: null, periodUuid: list.periods.find((p) => p.default)?.uuid ?? null, parentCallId: r.parentCallId, parentEnqueuedAt: r.parentEnqueuedAt, message: r.message, messageMs: r.messageMs,
    };
    this.deps.repo.addRequests([row], this.now());
    this.log.info({ requestUuid: uuid, listUuid, parentCallId: r.parentCallId, messageMs: r.messageMs }, 'callback request left by a caller');
    this.emit('changed');
    return this.deps.repo.request(uuid)!;
  }

  /** Does this list exist? */
  hasList(listUuid: string): boolean {
    return this.deps.repo.list(listUuid) !== undefined;
  }

  /**
   * listenCallbackMessage (seed 002): the agent's phone rings (answering by itself where it can)
   * and plays the request's voice message.
   */
  listenMessage(uuid: string, agentId: string): { requestUuid: string; callId: string } {
    const req = this.requestOrThrow(uuid);
    if (!req.message) throw new CallbackError('CALLBACK_NO_MESSAGE', `callback ${uuid} has no voice message`, 'uuid');
    const started = playToAgent(this.deps.engine, { agentId, recording: req.message, requestUuid: uuid }, this.log);
    if (!started.ok) throw new CallbackError(started.error.code, started.error.message, 'agentId');
    return { requestUuid: uuid, callId: started.callId };
  }

  /** Auto lists: the routing core reserved `agentId` for the request; it holds it now. False when someone else took it first. */
  takeForAuto(uuid: string, agentId: string): boolean {
    if (!this.deps.repo.take(uuid, agentId, this.now())) return false;
    this.report({ eventType: 'CallbackTaken', agentId, uuid });
    return true;
  }

  /** Auto lists: the attempt's ticket (CallbackStarted); the agent's ticket update closes the request. */
  startForAuto(uuid: string, agentId: string, phoneNumber: string, callId: string): string {
    const ticketUuid = this.deps.newId();
    this.deps.repo.createTicket({ uuid: ticketUuid, requestUuid: uuid, agentId, phoneNumber, callId, status: null, description: null }, this.now());
    this.report({ eventType: 'CallbackStarted', agentId, requestUuid: uuid, ticketUuid });
    return ticketUuid;
  }

  /** Auto lists: how the engine saw the attempt end; `release` when the agent never took the call (it goes back to the list). */
  endAuto(ticketUuid: string, outcome: string, release?: { uuid: string; agentId: string }): void {
    this.deps.repo.setTicketOutcome(ticketUuid, outcome, this.now());
    if (release && this.deps.repo.release(release.uuid, release.agentId, this.now())) {
      this.report({ eventType: 'CallbackReleased', agentId: release.agentId, uuid: release.uuid });
      this.emit('changed');
    }
  }

  /** Add requests to a list: all or none; a past due date or a period of another list is refused naming the field. */
  addRequests(listUuid: string, inputs: RequestInput[]): CallbackRequest[] {
    const list = this.deps.repo.list(listUuid);
    if (!list) throw new CallbackError('CALLBACK_LIST_NOT_FOUND', `callback list ${listUuid} not found`, 'listUuid');
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const rows: NewRequest[] = inputs.map((r, i) => {
      if (!r.phoneNumber && !r.mobilePhoneNumber) throw new CallbackError('VALIDATION_FAILED', 'a request needs phoneNumber or mobilePhoneNumber', `[${i}].phoneNumber`);
      if (r.dueDate !== undefined && r.dueDate < today) throw new CallbackError('VALIDATION_FAILED', `dueDate ${r.dueDate} is in the past`, `[${i}].dueDate`);
      if (r.periodUuid !== undefined && !list.periods.some((p) => p.uuid === r.periodUuid)) throw new CallbackError('VALIDATION_FAILED', `period ${r.periodUuid} is not one of the list's`, `[${i}].periodUuid`);
      const defaultPeriod = list.periods.find((p) => p.default)?.uuid ?? null;
      return {
        uuid: this.deps.newId(), listUuid, phoneNumber: r.phoneNumber ?? null, mobilePhoneNumber: r.mobilePhoneNumber ?? null,
        firstName: r.firstName ?? null, lastName: r.lastName ?? null, company: r.company ?? null, description: r.description ?? null,
        dueDate: r.dueDate ?? null, periodUuid: r.periodUuid ?? defaultPeriod,
      };
    });
    this.deps.repo.addRequests(rows, this.now());
    this.emit('changed');
    return rows.map((r) => {
      const { closed: _closed, createdAt: _createdAt, ...shown } = this.deps.repo.request(r.uuid)!;
      return shown;
    });
  }

  /** getCallbackLists: the lists of the queues the agent serves, with their open requests. */
  getCallbackLists(agentId: string): CallbackList[] {
    const snap = this.deps.engine.agentSnapshot(agentId);
    if (!snap) throw new CallbackError('AGENT_NOT_FOUND', `agent ${agentId} not found`, 'agentId');
    return this.deps.repo.lists(snap.queues.map((q) => q.queueId));
  }

  take(uuid: string, agentId: string): Extract<CallbackEvent, { eventType: 'CallbackTaken' }> {
    this.requestOrThrow(uuid);
    if (!this.deps.repo.take(uuid, agentId, this.now())) throw new CallbackError('ALREADY_TAKEN', `callback ${uuid} is held by another agent or closed`, 'uuid');
    return this.report({ eventType: 'CallbackTaken', agentId, uuid });
  }

  release(uuid: string, agentId: string): Extract<CallbackEvent, { eventType: 'CallbackReleased' }> {
    this.requestOrThrow(uuid);
    if (!this.deps.repo.release(uuid, agentId, this.now())) throw new CallbackError('CALLBACK_NOT_HELD', `agent ${agentId} does not hold callback ${uuid}`, 'uuid');
    const e = this.report({ eventType: 'CallbackReleased', agentId, uuid });
    this.emit('changed');
    return e;
  }

  /** startCallback: a ticket, then the agent's phone rings and the number is dialled once it answers. */
  start(uuid: string, phoneNumber: string, agentId: string): Extract<CallbackEvent, { eventType: 'CallbackStarted' }> {
    const req = this.requestOrThrow(uuid);
    if (req.agentId !== agentId) throw new CallbackError('CALLBACK_NOT_HELD', `agent ${agentId} does not hold callback ${uuid}`, 'uuid');
    const started = startClickToCall(this.deps.engine, { agentId, destination: phoneNumber, variables: { CALLBACK_REQUEST: uuid }, callback: { parentCallId: req.parentCallId } }, this.log, 'callback');
    if (!started.ok) throw new CallbackError(started.error.code, started.error.message, started.error.code === 'DESTINATION_NOT_ALLOWED' ? 'phoneNumber' : 'agentId');
    const ticketUuid = this.deps.newId();
    this.deps.repo.createTicket({ uuid: ticketUuid, requestUuid: uuid, agentId, phoneNumber, callId: started.callId, status: null, description: null }, this.now());
    return this.report({ eventType: 'CallbackStarted', agentId, requestUuid: uuid, ticketUuid });
  }

  /**
   * updateCallbackTicket: NoAnswer, Answered, Fax close the request (CallbackClotured); Callback
   * keeps it open for another time, released (CallbackRequestUpdated on a new due date or period).
   */
  updateTicket(ticketUuid: string, agentId: string, p: { status: TicketStatus; description?: string | undefined; dueDate?: string | undefined; periodUuid?: string | undefined }): CallbackEvent {
    const ticket = this.deps.repo.ticket(ticketUuid);
    if (!ticket) throw new CallbackError('TICKET_NOT_FOUND', `ticket ${ticketUuid} not found`, 'uuid');
    const req = this.requestOrThrow(ticket.requestUuid);
    const today = new Date(this.now()).toISOString().slice(0, 10);
    if (p.dueDate !== undefined && p.dueDate < today) throw new CallbackError('VALIDATION_FAILED', `dueDate ${p.dueDate} is in the past`, 'dueDate');
    const list = this.deps.repo.list(req.listUuid);
    if (p.periodUuid !== undefined && !list?.periods.some((x) => x.uuid === p.periodUuid)) throw new CallbackError('VALIDATION_FAILED', `period ${p.periodUuid} is not one of the list's`, 'periodUuid');
    const now = this.now();
    this.deps.repo.updateTicket(ticketUuid, p.status, p.description ?? null, now);
    if (p.status !== 'Callback') {
      this.deps.repo.close(req.uuid, now);
      return this.report({ eventType: 'CallbackClotured', agentId, uuid: req.uuid });
    }
    const dueDate = p.dueDate ?? req.dueDate;
    const periodUuid = p.periodUuid ?? req.preferredPeriod?.uuid ?? null;
    this.deps.repo.reschedule(req.uuid, dueDate, periodUuid, p.description ?? null, now);
    this.emit('changed');
    const changed = dueDate !== req.dueDate || periodUuid !== (req.preferredPeriod?.uuid ?? null);
    const request = this.deps.repo.request(req.uuid)!;
    const { closed: _closed, createdAt: _createdAt, ...shown } = request;
    return changed ? this.report({ eventType: 'CallbackRequestUpdated', agentId, request: shown }) : this.report({ eventType: 'CallbackReleased', agentId, uuid: req.uuid });
  }

  private requestOrThrow(uuid: string) {
    const r = this.deps.repo.request(uuid);
    if (!r || r.closed) throw new CallbackError('CALLBACK_NOT_FOUND', `callback ${uuid} not found`, 'uuid');
    return r;
  }

  private report<E extends CallbackEvent>(e: E): E {
    this.log.info({ event: e.eventType, agentId: e.agentId }, 'callback list change');
    this.emit('event', e);
    return e;
  }

  private now(): number {
    return this.deps.engine.clock.now();
  }
}
