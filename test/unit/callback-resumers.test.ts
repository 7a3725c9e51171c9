/**
 * Callback attempts found at start go to the service that ran them, by the journal's `owner`
 * (absent: the virtual queue, as entries written before the field); found before that service
 * attached, they wait for it; one its owner cannot take up is hung up and its CDR completed.
 */
import { describe, expect, it, vi } from 'vitest';
import { CallbackResumers, type CallbackResumer } from '../../src/calls/callback-resumers.js';
import type { Cdr } from '../../src/domain/cdr.js';
import type { CallbackOwner, CallJournal } from '../../src/domain/journal.js';
import { callbackJournal } from '../../src/outbound/callback-journal.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { PbxPort } from '../../src/pbx/port.js';

const NOW = 1_000_000;

function entry(callId: string, owner?: CallbackOwner): CallJournal {
  return callbackJournal({
    callId,
    waiter: { id: `w-${callId}`, lineId: 'q', phone: '+331', parentCallId: 'p1', enqueuedAt: NOW - 60_000, lang: null, priority: 0 },
    callerId: '0100',
    customerLeg: `c-${callId}`,
    startedAt: NOW - 30_000,
    answeredAt: NOW - 25_000,
    agentId: 'a1',
    agentLeg: `a-${callId}`,
    bridge: undefined,
    connectedAt: NOW - 20_000,
    ...(owner ? { tags: { owner, requestUuid: 'r1', ticketUuid: 't1' } } : {}),
  });
}

function world() {
  const hangup = vi.fn(async () => {});
  const ended: Cdr[] = [];
  const resumers = new CallbackResumers({ log: silentLogger(), pbx: { hangup } as unknown as PbxPort, now: () => NOW, callEnded: (cdr) => ended.push(cdr) });
  return { resumers, hangup, ended };
}

function resumer(owner: CallbackOwner, accept = true) {
  const resumed: string[] = [];
  const endedCalls: [string, string][] = [];
  const r: CallbackResumer = {
    owner,
    resume: (e) => {
      resumed.push(e.callId);
      return accept;
    },
    ended: (e, cdr) => void endedCalls.push([e.callId, cdr.disposition]),
  };
  return { r, resumed, endedCalls };
}

describe('callback resumers', () => {
  it('routes each attempt to its owner; an entry without owner (an old one) to the virtual queue', () => {
    const { resumers } = world();
    const vq = resumer('virtual-queue');
    const auto = resumer('auto-list');
    resumers.attach(vq.r);
    resumers.attach(auto.r);
    resumers.adopt(entry('old'), true);
    resumers.adopt(entry('new-vq', 'virtual-queue'), true);
    resumers.adopt(entry('auto', 'auto-list'), true);
    expect(vq.resumed).toEqual(['old', 'new-vq']);
    expect(auto.resumed).toEqual(['auto']);
  });

  it('keeps attempts found before their owner attached, resumed or ended, and hands them over in order when it does', () => {
    const { resumers } = world();
    resumers.adopt(entry('a', 'auto-list'), true);
    resumers.adopt(entry('v'), true);
    resumers.ended(entry('b', 'auto-list'), { ...entry('b').cdr, endedAt: NOW, disposition: 'interrupted' } as Cdr);
    const auto = resumer('auto-list');
    resumers.attach(auto.r);
    expect(auto.resumed).toEqual(['a']);
    expect(auto.endedCalls).toEqual([['b', 'interrupted']]);
    const vq = resumer('virtual-queue');
    resumers.attach(vq.r);
    expect(vq.resumed).toEqual(['v']);
  });

  it('ends an attempt its owner cannot take up: both legs hung up, CDR completed to now, the owner told', () => {
    const { resumers, hangup, ended } = world();
    const auto = resumer('auto-list', false);
    resumers.attach(auto.r);
    resumers.adopt(entry('x', 'auto-list'), true);
    expect(hangup.mock.calls.map((c) => (c as unknown[])[0])).toEqual(['c-x', 'a-x']);
    expect(ended).toMatchObject([{ callId: 'x', disposition: 'answered', hangupCause: 'interrupted', talkMs: 20_000, endedAt: NOW, parentCallId: 'p1' }]);
    expect(auto.endedCalls).toEqual([['x', 'answered']]);
  });
});
