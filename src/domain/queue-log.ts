/** Queue events in the spirit of Asterisk's queue_log. */
export type QueueLogEventName =
  | 'ENTERQUEUE'
  | 'CONNECT'
  | 'COMPLETECALLER'
  | 'COMPLETEAGENT'
  | 'ABANDON'
  | 'EXITWITHTIMEOUT'
  | 'EXITEMPTY'
  | 'JOINEMPTY'
  | 'RINGNOANSWER'
  | 'RINGCANCELED'
  | 'PAUSE'
  | 'UNPAUSE'
  | 'ADDMEMBER'
  | 'REMOVEMEMBER'
  | 'AGENTLOGIN'
  | 'AGENTLOGOFF'
  | 'BLINDTRANSFER'
  | 'ATTENDEDTRANSFER'
  /** Virtual queue: the caller asked to be called back (its entry keeps its place). */
  | 'CALLBACKREQ'
  /** Virtual queue: the customer did not answer a callback attempt; the entry waits at its place. */
  | 'CALLBACKRETRY'
  /** Virtual queue: attempts (CallBack) or the call-in window (CallIn) ran out. */
  | 'CALLBACKTIMEOUT'
  /** Virtual queue: a CallIn waiter's turn came and it was notified. */
  | 'CALLBACKNOTIFY'
  /** The caller left the queue with a key (Asterisk's EXITWITHKEY): the callback-message key. */
  | 'EXITWITHKEY'
  /** Callback lists: a caller left the queue with a voice message; a callback request holds it. */
  | 'CALLBACKMSG';

/**
 * One row of the queue event log, in the spirit of Asterisk's queue_log. `data` holds the event's
 * named fields (see QUEUE_LOG_FIELDS for the ones Asterisk writes, in order) plus our own extras.
 * Agent sessions (AGENTLOGIN, AGENTLOGOFF) are not tied to a queue: their queueId is NO_QUEUE.
 */
export interface QueueLogEntry {
  at: number;
  callId: string | null;
  queueId: string;
  agentId: string | null;
  event: QueueLogEventName;
  data: Record<string, string | number>;
}

/** The queue name Asterisk writes for events that belong to no queue (agent login and logoff). */
export const NO_QUEUE = 'NONE';

/**
 * The data fields Asterisk's app_queue writes for each event, in order (data1|data2|…). Times are
 * whole seconds except RINGNOANSWER and RINGCANCELED ringtime, which are milliseconds; positions
 * are 1-based. Keys of `data` not listed here (penalty, cause) are kept in the table only.
 */
export const QUEUE_LOG_FIELDS: Readonly<Record<QueueLogEventName, readonly string[]>> = {
  ENTERQUEUE: ['url', 'callerid', 'position'],
  CONNECT: ['holdtime', 'bridgedchannelid', 'ringtime'],
  COMPLETECALLER: ['holdtime', 'calltime', 'origposition'],
  COMPLETEAGENT: ['holdtime', 'calltime', 'origposition'],
  ABANDON: ['position', 'origposition', 'waittime'],
  EXITWITHTIMEOUT: ['position', 'origposition', 'waittime'],
  EXITEMPTY: ['position', 'origposition', 'waittime'],
  JOINEMPTY: [],
  RINGNOANSWER: ['ringtime'],
  RINGCANCELED: ['ringtime'],
  PAUSE: ['reason'],
  UNPAUSE: ['reason'],
  ADDMEMBER: ['paused'],
  REMOVEMEMBER: [],
  AGENTLOGIN: ['channel'],
  AGENTLOGOFF: ['channel', 'logintime'],
  // Asterisk: BLINDTRANSFER|extension|context|holdtime|calltime|origposition and
  // ATTENDEDTRANSFER|method|data|…|holdtime|calltime|origposition; the target is the extension
  // (an agent id, `queue:<id>` or a number), the context ours.
  BLINDTRANSFER: ['extension', 'context', 'holdtime', 'calltime', 'origposition'],
  ATTENDEDTRANSFER: ['method', 'extension', 'holdtime', 'calltime', 'origposition'],
  // Ours (no Asterisk equivalent): the virtual queue's callbacks.
  CALLBACKREQ: ['virtualid', 'position', 'waittime'],
  CALLBACKRETRY: ['cause', 'retryat'],
  CALLBACKTIMEOUT: ['channel', 'attempts', 'waittime'],
  CALLBACKNOTIFY: ['channel', 'waittime'],
  // Asterisk: EXITWITHKEY|key|position|origposition|waittime.
  EXITWITHKEY: ['key', 'position', 'origposition', 'waittime'],
  CALLBACKMSG: ['requestid', 'waittime', 'messagems'],
};
