import { describe, expect, it } from 'vitest';
import type { AriBridge, AriChannel } from '../../src/pbx/asterisk/ari-types.js';
import { legsInPrompt, liveLegsOf, recoveredLegState } from '../../src/pbx/asterisk/recover.js';

const ch = (id: string, app_data: string | undefined, extra: Partial<AriChannel> = {}): AriChannel => ({
  id,
  name: `PJSIP/x-${id}`,
  state: 'Up',
  caller: { name: '', number: '5551000' },
  dialplan: { context: 'from-trunk', exten: '1000', priority: 2, ...(app_data === undefined ? {} : { app_name: 'Stasis', app_data }) },
  ...extra,
});

describe('liveLegsOf', () => {
  it('lists the inbound, agent and snoop legs of our application with call ids, roles and bridges', () => {
    const channels = [
      ch('in-1', 'switchboard,inbound,1000', { channelvars: { SWITCHBOARD_CALL_ID: 'call-a' } }),
      ch('sb-ag-1', 'switchboard,agent,call-a', { channelvars: { SWITCHBOARD_CALL_ID: 'call-a' }, connected: { name: '', number: '1001' } }),
      ch('sb-ag-2', 'switchboard,agent,call%2Cb', { state: 'Ringing', channelvars: {} }),
      ch('snoop-1', 'switchboard,snoop,listen,in-1'),
      ch('other-app', 'someoneelse,inbound,1000'),
      ch('in-dialplan', undefined),
      ch('garbled', 'switchboard,what'),
    ];
    const bridges: AriBridge[] = [{ id: 'sb-br-1', technology: 'simple_bridge', bridge_type: 'mixing', channels: ['in-1', 'sb-ag-1'] }];

    const legs = liveLegsOf(channels, bridges, 'switchboard');

    expect(legs).toEqual([
      { leg: 'in-1', role: 'inbound', answered: true, callId: 'call-a', bridge: 'sb-br-1', from: '5551000', to: '1000' },
      { leg: 'sb-ag-1', role: 'agent', answered: true, callId: 'call-a', bridge: 'sb-br-1', from: '5551000', to: '1001' },
      { leg: 'sb-ag-2', role: 'agent', answered: false, callId: 'call,b', from: '5551000' },
      { leg: 'snoop-1', role: 'snoop', answered: true, from: '5551000' },
      { leg: 'garbled', role: 'other', answered: true, from: '5551000' },
    ]);
  });
});

describe('legs in the prompt hop', () => {
  it('counts a caller hearing a menu in [switchboard-prompt] (or back from it in Stasis) as a live inbound leg', () => {
    const inHop: AriChannel = { ...ch('in-2', undefined, { channelvars: { SWITCHBOARD_CALL_ID: 'call-c' } }), dialplan: { context: 'switchboard-prompt', exten: 'sbp~en~switchboard/x', priority: 2, app_name: 'BackGround', app_data: 'switchboard/x' } };
    const back = ch('in-3', 'switchboard,prompt,key,1', { channelvars: { SWITCHBOARD_CALL_ID: 'call-d' } });
    // Waiting to get back while the engine restarts (Stasis() failed, Wait(1) before trying again).
    const waiting: AriChannel = { ...ch('in-4', undefined, { channelvars: { SWITCHBOARD_CALL_ID: 'call-e' } }), dialplan: { context: 'switchboard-prompt-back', exten: 's', priority: 7, app_name: 'Wait', app_data: '1' } };
    const legs = liveLegsOf([inHop, back, waiting], [], 'switchboard');
    expect(legs).toEqual([
      { leg: 'in-2', role: 'inbound', answered: true, callId: 'call-c', from: '5551000' },
      { leg: 'in-3', role: 'inbound', answered: true, callId: 'call-d', from: '5551000' },
      { leg: 'in-4', role: 'inbound', answered: true, callId: 'call-e', from: '5551000' },
    ]);
    // Only those still out are marked out: a play on them waits for their return.
    expect([...legsInPrompt([inHop, back, waiting])]).toEqual(['in-2', 'in-4']);
  });

  it('takes a leg found out in the hop up as already out of Stasis (its keys are Background()\'s), and an answered agent as reported', () => {
    expect(recoveredLegState({ leg: 'in-2' as never, role: 'inbound', answered: true }, true)).toEqual({ kind: 'inbound', inDialplan: true, inPrompt: true, leftForPrompt: true });
    expect(recoveredLegState({ leg: 'in-3' as never, role: 'inbound', answered: true }, false)).toEqual({ kind: 'inbound' });
    expect(recoveredLegState({ leg: 'ag-1' as never, role: 'agent', answered: true }, false)).toEqual({ kind: 'agent', ringingReported: true, answeredReported: true });
    expect(recoveredLegState({ leg: 'x' as never, role: 'other', answered: false }, false)).toEqual({ kind: 'inbound' });
  });
});
