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
  | 'REMOVEMEMBER';

/** One row of the queue event log, in the spirit of Asterisk's queue_log. */
export interface QueueLogEntry {
  at: number;
  callId: string | null;
  queueId: string;
  agentId: string | null;
  event: QueueLogEventName;
  data: Record<string, string | number>;
}
