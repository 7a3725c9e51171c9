import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

describe('routing core: queue log fields', () => {
  it('logs AGENTLOGIN with the channel and AGENTLOGOFF with the seconds logged in when an agent comes and goes', () => {
    const core = new Core(aConfig([aQueue('q1'), aQueue('q2')], ['a@q1', 'a@q2']));

    core.input(10 * S, { type: 'agent.login', agentId: 'a', channel: '2001' });
    core.input(3610 * S, { type: 'agent.logout', agentId: 'a', cause: 'takeover' });

    expect(core.queueLog().map((e) => [e.event, e.queueId, e.data])).toEqual([
      ['AGENTLOGIN', 'NONE', { channel: '2001' }],
      ['ADDMEMBER', 'q1', { paused: '', penalty: 0 }],
      ['ADDMEMBER', 'q2', { paused: '', penalty: 0 }],
      ['REMOVEMEMBER', 'q1', { cause: 'takeover' }],
      ['REMOVEMEMBER', 'q2', { cause: 'takeover' }],
      ['AGENTLOGOFF', 'NONE', { channel: '2001', logintime: 3600, cause: 'takeover' }],
    ]);
  });

  it('marks ADDMEMBER PAUSED when a paused agent is added to a queue by a config change', () => {
    const core = new Core(aConfig([aQueue('q1'), aQueue('q2')], ['a@q1']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'agent.pause', agentId: 'a', reason: 'lunch' });

    core.input(2 * S, { type: 'config.apply', config: aConfig([aQueue('q1'), aQueue('q2')], ['a@q1', 'a@q2:1/4']) });

    expect(core.queueLog('ADDMEMBER').at(-1)).toMatchObject({ queueId: 'q2', agentId: 'a', data: { paused: 'PAUSED', penalty: 4 } });
  });

  it('carries the caller id, the agent leg and the original position through a call when the inputs give them', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.input(0, { type: 'call.enqueue', callId: 'c0', queueId: 'q' });
    core.input(0, { type: 'call.enqueue', callId: 'c1', queueId: 'q', callerId: '+15550001' });
    core.login(1 * S, 'a');
    core.input(3 * S, { type: 'call.abandon', callId: 'c0' }); // a rings for c0 from 1 s
    core.input(5 * S, { type: 'offer.answered', callId: 'c1', agentId: 'a', agentLeg: 'leg-7' });
    core.input(65 * S, { type: 'call.end', callId: 'c1', side: 'agent' });

    expect(core.queueLog('ENTERQUEUE').map((e) => e.data)).toEqual([{ url: '', callerid: '', position: 1 }, { url: '', callerid: '+15550001', position: 2 }]);
    expect(core.queueLog('RINGCANCELED')[0]).toMatchObject({ callId: 'c0', data: { ringtime: 2000 } });
    expect(core.queueLog('CONNECT')[0]).toMatchObject({ callId: 'c1', data: { holdtime: 5, bridgedchannelid: 'leg-7', ringtime: 2 } });
    expect(core.queueLog('COMPLETEAGENT')[0]).toMatchObject({ callId: 'c1', data: { holdtime: 5, calltime: 60, origposition: 2 } });
  });
});
