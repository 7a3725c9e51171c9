/** Callback lists (seed 002): lists per queue, preferred periods, requests and tickets. */
export interface CallbackPeriod {
  uuid: string;
  name: string;
  /** HH:MM:SS */
  periodStart: string;
  periodEnd: string;
  default: boolean;
}

export interface CallbackRequest {
  uuid: string;
  listUuid: string;
  phoneNumber: string | null;
  mobilePhoneNumber: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  description: string | null;
  /** The agent holding it, if any. */
  agentId: string | null;
  /** YYYY-MM-DD */
  dueDate: string | null;
  preferredPeriod: CallbackPeriod | null;
  /** The call the request was left from ("leave a message" key), if any. */
  parentCallId: string | null;
  /** The caller's voice message: a PBX recording name (played as `recording:<name>`), if any. */
  message: string | null;
  /** Its length, ms, when the PBX reported it. */
  messageMs: number | null;
}

export interface CallbackList {
  uuid: string;
  name: string;
  queueId: string;
  /** Due requests are offered to the queue's agents like calls (agent first, then the number). */
  auto: boolean;
  periods: CallbackPeriod[];
  /** Open requests. */
  callbacks: CallbackRequest[];
}

export const TICKET_STATUSES = ['NoAnswer', 'Answered', 'Fax', 'Callback'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface CallbackTicket {
  uuid: string;
  requestUuid: string;
  agentId: string;
  phoneNumber: string;
  callId: string | null;
  status: TicketStatus | null;
  description: string | null;
  /** How the engine saw the attempt end (auto lists), if it did. */
  outcome?: string | null;
}
