/**
 * Virtual-queue callbacks (seed 004) when the first reserved agent does not answer: the routing
 * core offers the waiter to the next agent at once, and that offer must ring the next agent — in
 * agent-first mode a new attempt (the failed one has ended), in customer-first mode the same
 * attempt with the customer still on hold.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const CUSTOMER = '+33612345678';

describe('virtual-queue callback re-offered after an agent does not answer', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it.each(['agent-first', 'customer-first'] as const)('rings the next agent and bridges it with the customer in %s mode', async (mode) => {
    w = await simWorld(configFrom({
      numbers: [{ id: 'n', number: '100', queue: 'q' }],
      queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], answer_timeout_s: 15, virtual_queue: { key: '1', callback_mode: mode, retries: 0, ring_timeout_s: 20 } }],
      groups: [{ id: 'sales' }],
      agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }, { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'] }],
      click_to_call: { caller_id: '0100000000' },
    }));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'never' });
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 5 * S });
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 1 * S });
    w.pbx.placeCall({ to: '100', from: CUSTOMER, keys: [{ afterMs: 3 * S, digit: '1' }] });
    await w.clock.runFor(10 * S);
    // a1 is the longest idle, so it is reserved first.
    w.engine.loginAgent('a1');
    await w.clock.runFor(1);
    w.engine.loginAgent('a2');
    await w.clock.runFor(60 * S);

    const sip = w.pbx.calls('originate').map((c) => (c.args[0] as OriginateRequest).destination).filter((d) => d.kind === 'sip');
    expect(sip).toEqual([{ kind: 'sip', endpoint: '1001' }, { kind: 'sip', endpoint: '1002' }]);
    const answered = w.store.cdrs.all().filter((c) => c.direction === 'callback' && c.disposition === 'answered');
    expect(answered).toEqual([expect.objectContaining({ agentId: 'a2', dialled: CUSTOMER })]);
  });
});
