import type { Cdr } from '../../domain/cdr.js';

/** CSV columns, in order: every CDR field (times as ISO 8601, variables and segments as JSON). */
export const CDR_COLUMNS: (keyof Cdr)[] = [
  'callId', 'legId', 'direction', 'numberId', 'dialled', 'caller', 'callerName', 'startedAt', 'answeredAt', 'endedAt',
  'ivrPath', 'language', 'queueId', 'enqueuedAt', 'waitMs', 'agentId', 'agentLegId', 'connectedAt', 'talkMs', 'holdMs',
  'hangupSide', 'hangupCause', 'recording', 'disposition', 'variables', 'segments',
];

/** One RFC 4180 record: fields with a quote, comma, CR or LF are quoted, quotes doubled; CRLF ends it. */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')}\r\n`;
}
