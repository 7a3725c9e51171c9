/**
 * Trunk etiquette on a real Asterisk: the carrier side (a SIPp caller over the trunk) sees no
 * re-INVITE when the agent answers (no connected-line update), and a number nobody configured is
 * refused with 404 and recorded with that cause.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';

/** SIP requests the SIPp peer received, from its message trace (method names). */
function requestsReceived(messages: string): string[] {
  return [...messages.matchAll(/message received[^\n]*\n\s*\n\s*([A-Z]+) sip:/g)].map((m) => m[1]!);
}

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: trunk etiquette${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  it('sends the trunk caller no re-INVITE when the agent answers, and the call completes cleanly', async () => {
    await w.beginTest(referenceConfig());
    await w.phone('1001', { kind: 'talk', ringMs: 200, talkMs: 2500 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    const from = w.nextCaller();
    const caller = await w.caller({ to: '2000', from }); // number B: straight to Queue 1 (1001)
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    const result = await caller.done;

    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(requestsReceived(result.messages)).toEqual(['BYE']);
    expect(result.code, result.errors).toBe(0);
  });

  it('refuses a number nobody configured with 404 Not Found and records the cause not-found', async () => {
    await w.beginTest(referenceConfig());
    const from = w.nextCaller();
    const caller = await w.caller({ to: '7777', from, timeoutMs: 10_000 });
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 10_000);
    const result = await caller.done;

    expect(cdr).toMatchObject({ numberId: null, disposition: 'failed', hangupSide: 'system', hangupCause: 'not-found', answeredAt: null });
    expect(result.messages).toMatch(/SIP\/2\.0 404 Not Found/);
    expect(result.messages).not.toMatch(/SIP\/2\.0 603/);
  });
});
