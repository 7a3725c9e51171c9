import { describe, expect, it } from 'vitest';
import { formatQueueLogLine } from '../../src/domain/queue-log-line.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';

const T = Date.UTC(2026, 10, 2, 8, 0, 0) + 999; // ms are dropped: queue_log times are whole seconds
const EPOCH = Math.floor(T / 1000);

function anEntry(over: Partial<QueueLogEntry>): QueueLogEntry {
  return { at: T, callId: 'call-1', queueId: 'sales', agentId: 'alice', event: 'CONNECT', data: {}, ...over };
}

describe('formatQueueLogLine', () => {
  // Field order as app_queue.c writes it (Asterisk 22), independent of our own field table.
  it.each<[string, Partial<QueueLogEntry>, string]>([
    ['ENTERQUEUE url|callerid|position', { agentId: null, event: 'ENTERQUEUE', data: { position: 2, callerid: '+15550001', url: '' } }, `${EPOCH}|call-1|sales|NONE|ENTERQUEUE||+15550001|2`],
    ['CONNECT holdtime|bridgedchannelid|ringtime', { event: 'CONNECT', data: { ringtime: 4, holdtime: 12, bridgedchannelid: 'leg-9' } }, `${EPOCH}|call-1|sales|alice|CONNECT|12|leg-9|4`],
    ['COMPLETECALLER holdtime|calltime|origposition', { event: 'COMPLETECALLER', data: { origposition: 3, calltime: 95, holdtime: 12 } }, `${EPOCH}|call-1|sales|alice|COMPLETECALLER|12|95|3`],
    ['COMPLETEAGENT holdtime|calltime|origposition', { event: 'COMPLETEAGENT', data: { holdtime: 1, calltime: 2, origposition: 1 } }, `${EPOCH}|call-1|sales|alice|COMPLETEAGENT|1|2|1`],
    ['ABANDON position|origposition|waittime', { agentId: null, event: 'ABANDON', data: { waittime: 40, origposition: 4, position: 2 } }, `${EPOCH}|call-1|sales|NONE|ABANDON|2|4|40`],
    ['EXITWITHTIMEOUT position|origposition|waittime', { agentId: null, event: 'EXITWITHTIMEOUT', data: { position: 1, origposition: 1, waittime: 300 } }, `${EPOCH}|call-1|sales|NONE|EXITWITHTIMEOUT|1|1|300`],
    ['RINGNOANSWER ringtime in ms', { event: 'RINGNOANSWER', data: { ringtime: 15000, cause: 'timeout' } }, `${EPOCH}|call-1|sales|alice|RINGNOANSWER|15000`],
    ['RINGCANCELED ringtime in ms', { event: 'RINGCANCELED', data: { ringtime: 2300 } }, `${EPOCH}|call-1|sales|alice|RINGCANCELED|2300`],
    ['PAUSE reason', { callId: null, event: 'PAUSE', data: { reason: 'lunch' } }, `${EPOCH}|NONE|sales|alice|PAUSE|lunch`],
    ['UNPAUSE reason', { callId: null, event: 'UNPAUSE', data: { reason: '' } }, `${EPOCH}|NONE|sales|alice|UNPAUSE|`],
    ['ADDMEMBER paused flag', { callId: null, event: 'ADDMEMBER', data: { paused: 'PAUSED', penalty: 2 } }, `${EPOCH}|NONE|sales|alice|ADDMEMBER|PAUSED`],
    ['REMOVEMEMBER one empty field', { callId: null, event: 'REMOVEMEMBER', data: { cause: 'logout' } }, `${EPOCH}|NONE|sales|alice|REMOVEMEMBER|`],
    ['JOINEMPTY one empty field', { agentId: null, event: 'JOINEMPTY', data: {} }, `${EPOCH}|call-1|sales|NONE|JOINEMPTY|`],
    ['AGENTLOGIN channel', { callId: null, queueId: 'NONE', event: 'AGENTLOGIN', data: { channel: '1001' } }, `${EPOCH}|NONE|NONE|alice|AGENTLOGIN|1001`],
    ['AGENTLOGOFF channel|logintime', { callId: null, queueId: 'NONE', event: 'AGENTLOGOFF', data: { channel: '1001', logintime: 3600, cause: 'logout' } }, `${EPOCH}|NONE|NONE|alice|AGENTLOGOFF|1001|3600`],
  ])('writes %s in Asterisk order when the entry holds those fields', (_name, over, line) => {
    const entry = anEntry(over);

    const text = formatQueueLogLine(entry);

    expect(text).toBe(line);
  });

  it('writes a missing field empty so later fields keep their place', () => {
    const entry = anEntry({ event: 'CONNECT', data: { holdtime: 5, ringtime: 3 } });

    expect(formatQueueLogLine(entry)).toBe(`${EPOCH}|call-1|sales|alice|CONNECT|5||3`);
  });

  it('turns a pipe or line break inside a value into a space when a reason contains them', () => {
    const entry = anEntry({ callId: null, agentId: 'a|b', event: 'PAUSE', data: { reason: 'coffee|break\r\nback soon' } });

    const text = formatQueueLogLine(entry);

    expect(text).toBe(`${EPOCH}|NONE|sales|a b|PAUSE|coffee break  back soon`);
    expect(text.split('|')).toHaveLength(6);
  });
});
