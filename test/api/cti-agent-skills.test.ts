import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../support/sim-world.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';

const config = () =>
  configFrom({
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], skills: { required: true } }],
    groups: [{ id: 'g' }, { id: 'other' }],
    agents: [
      { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'], skills: { en: 40 } },
      { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['other'] },
    ],
  });

describe('CTI AgentSkills', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  it('sends AgentSkills to those who see the agent when its skills change over REST', async () => {
    w = await ctiWorld(config());
    const admin = await w.connect(w.adminKey);
    const own = await w.connect(await w.session('ann', 'agent', { agentId: 'a1' }));
    const sup = await w.connect(await w.session('sup', 'supervisor', { groups: ['other'] }));

    const res = await w.http('PATCH', '/agents/a1/skills', w.adminKey, { skills: { fr: 70, en: null } });
    const event = await admin.next((m) => m.msgType === 'AgentSkills');
    await own.next((m) => m.msgType === 'AgentSkills');

    expect(res.status).toBe(200);
    expect(event.ctiMessage).toEqual({ agentId: 'a1', skills: { fr: 70 } });
    expect(sup.messages.some((m) => m.msgType === 'AgentSkills')).toBe(false);
  });

  it('sends nothing when a configuration write leaves the skills as they were', async () => {
    w = await ctiWorld(config());
    const admin = await w.connect(w.adminKey);

    await w.http('PUT', '/agents/a1/skills', w.adminKey, { skills: { en: 40 } });
    await w.http('PATCH', '/agents/a2/skills', w.adminKey, { skills: { de: 1 } });
    const event = await admin.next((m) => m.msgType === 'AgentSkills');

    expect(event.ctiMessage).toEqual({ agentId: 'a2', skills: { de: 1 } });
    expect(admin.messages.filter((m) => m.msgType === 'AgentSkills')).toHaveLength(1);
  });
});
