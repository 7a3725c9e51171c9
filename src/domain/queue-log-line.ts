import { QUEUE_LOG_FIELDS, type QueueLogEntry } from './queue-log.js';

/** What Asterisk writes for a call id or an agent an event does not have. */
const NONE = 'NONE';

/**
 * One queue_log line exactly as Asterisk writes it, without the newline:
 * `epoch|callid|queue|agent|EVENT|data1|data2|…`, with as many data fields as Asterisk writes for
 * the event (an event without data still ends in one empty field, `…|REMOVEMEMBER|`). A missing
 * field is written empty; a `|` or line break inside a value becomes a space, so a line is always
 * one event with its fields in place.
 */
export function formatQueueLogLine(e: QueueLogEntry): string {
  const data = queueLogDataFields(e);
  const head = [String(Math.floor(e.at / 1000)), e.callId ?? NONE, e.queueId, e.agentId ?? NONE, e.event].map(clean);
  return `${head.join('|')}|${data.map(clean).join('|')}`;
}

/** The event's data fields in Asterisk's order, as text. */
export function queueLogDataFields(e: QueueLogEntry): string[] {
  return QUEUE_LOG_FIELDS[e.event].map((key) => {
    const v = e.data[key];
    return v === undefined ? '' : String(v);
  });
}

const clean = (s: string) => s.replace(/[|\r\n]/g, ' ');
