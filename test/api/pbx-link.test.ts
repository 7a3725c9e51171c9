import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/stats/metrics.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';
import { exampleConfig } from '../support/sim-world.js';

describe('PBX link state in /health, /metrics and the CTI', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('gives a (re)connecting desktop a snapshot of agent states and the PBX link', async () => {
    w = await ctiWorld(exampleConfig());
    const sup = await w.connect(await w.session('sup', 'supervisor', { queues: ['q1'], groups: ['g1'] }));
    const snap = await sup.next((m) => m.msgType === 'Snapshot');
    expect(snap.ctiMessage.pbx).toMatchObject({ state: 'up' });
    const agents = snap.ctiMessage.agents as { agentId: string }[];
    expect(agents.map((a) => a.agentId).sort()).toEqual(['1001', '1002']);
  });

  it('reports the PBX lost and back: CTI PbxState events, /health degraded, pbx_up and link-change metrics', async () => {
    w = await ctiWorld(exampleConfig());
    const metrics = createMetrics();
    metrics.attach(w.engine);
    const admin = await w.connect(w.adminKey);
    await admin.next((m) => m.msgType === 'Snapshot');
    const health = async () => (await w.http('GET', '/health', w.adminKey)).json as { status: string; pbx: { state: string } };
    expect(await health()).toMatchObject({ status: 'ok', pbx: { state: 'up' } });

    w.pbx.crash();
    expect((await admin.next((m) => m.msgType === 'PbxState' && m.ctiMessage.state === 'lost')).ctiMessage).toMatchObject({ state: 'lost' });
    expect(await health()).toMatchObject({ status: 'degraded', pbx: { state: 'lost' } });
    let text = await metrics.render();
    expect(text).toMatch(/^pbx_up 0$/m);
    expect(text).toMatch(/^pbx_link_changes_total\{state="lost"\} 1$/m);

    w.pbx.restartDone();
    await admin.next((m) => m.msgType === 'PbxState' && m.ctiMessage.state === 'up');
    expect(await health()).toMatchObject({ status: 'ok' });
    text = await metrics.render();
    expect(text).toMatch(/^pbx_up 1$/m);
  });
});
