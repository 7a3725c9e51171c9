import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { afterEach, describe, expect, it } from 'vitest';
import { renderCtiAsyncApi } from '../../src/api/cti/asyncapi.js';
import { CTI_COMMANDS } from '../../src/api/cti/commands.js';
import { CTI_EVENTS, type CtiEventType } from '../../src/api/cti/events.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';
import type { CtiMessage } from '../support/cti-world.js';
import { configFrom } from '../support/sim-world.js';
import { campaignSchema, membersBody } from '../../src/dialer/campaign.js';

const committed = () => readFileSync(new URL('../../docs/cti.asyncapi.yaml', import.meta.url), 'utf8');
const S = 1000;

describe('CTI AsyncAPI document', () => {
  let w: ApiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('matches what the generator produces now from the zod schemas (run `npm run asyncapi` when this fails)', () => {
    expect(committed()).toBe(renderCtiAsyncApi());
  });

  it('parses with @asyncapi/parser without errors or warnings and describes every command and event', async () => {
    const { document, diagnostics } = await new Parser().parse(committed());
    // Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    const names = document!.allMessages().all().map((m) => m.id());
    const expected = [...CTI_COMMANDS.map((c) => c.shape.command.value), ...Object.keys(CTI_EVENTS)];
    expect(names.sort()).toEqual(expected.sort());
    expect(document!.allOperations().all().filter((o) => o.action() === 'receive').map((o) => o.id())).toHaveLength(CTI_COMMANDS.length);
  });

  it('is served at /asyncapi.yaml as application/yaml without credentials', async () => {
    w = await apiWorld();
    const res = await w.request('GET', '/asyncapi.yaml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.body).toBe(committed());
  });
});

describe('CTI event catalogue', () => {
  let w: CtiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const config = (): ConfigInput => ({
    numbers: [{ id: 'n1', number: '100', queue: 'sales' }],
    queues: [{ id: 'sales', groups: [{ group: 'gs', priority: 1 }], record: true }],
    groups: [{ id: 'gs', name: 'Sales' }],
    agents: [
      { id: 's1', name: 'Sam One', phone: { type: 'sip', endpoint: '1001' }, groups: ['gs'] },
      { id: 's2', phone: { type: 'sip', endpoint: '1002' }, groups: ['gs'] },
    ],
    lines: [{ number: '2001', endpoint: 'desk-1' }],
    click_to_call: { allow: '^0[0-9]{9}$', caller_id: '0123456789' },
  });

  it('describes every message the gateway sends exactly, field for field, when a client runs through the commands and a call', async () => {
    w = await ctiWorld(configFrom(config()));
    const admin = await w.connect(w.adminKey);
    const commands: Record<string, unknown>[] = [
      { command: 'subscribeToAgentStats' },
      { command: 'subscribeToQueueStats' },
      ...['agent', 'agentgroup', 'queue', 'queuemember'].map((objectType) => ({ command: 'getList', objectType })),
      { command: 'getAgentDirectory' },
      { command: 'getAgentStates' },
      { command: 'loginAgent', agentPhoneNumber: '1001', agentId: 's1', requestId: 'r1' },
      { command: 'loginAgent', agentPhoneNumber: '2001', agentId: 's2' },
      { command: 'pauseAgent', agentId: 's2', reason: 'lunch' },
      { command: 'unpauseAgent', agentId: 's2' },
      { command: 'setAgentDnd', agentId: 's2', dnd: true },
      { command: 'setAgentQueue', agentId: 's2', queueId: 'sales', penalty: 2 },
      { command: 'removeAgentFromQueue', agentId: 's2', queueId: 'sales' },
      { command: 'logoutAgent', agentId: 's2' },
      { command: 'loginAgent', agentPhoneNumber: '9999', agentId: 's2' },
      { command: 'monitorPause', agentId: 's2' },
      { command: 'ping', requestId: 3 },
      { command: 'nonsense' },
    ];
    for (const c of commands) admin.send(c);
    await admin.next((m) => m.msgType === 'AgentError' && m.ctiMessage.Error === 'BadRequest');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    w.pbx.setPhone('desk-1', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.placeCall({ to: '100', from: '+1' });
    await w.clock.runFor(5 * S);
    admin.send({ command: 'listenAgent', agentId: 's1', phoneNumber: '2001' });
    await admin.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.command === 'listenAgent');
    await w.clock.runFor(3 * S);
    await admin.next((m) => m.msgType === 'AgentListen');
    admin.send({ command: 'monitorPause', agentId: 's1' });
    await admin.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.command === 'monitorPause');
    admin.send({ command: 'callControl', agentId: 's1', action: 'hold' });
    await admin.next((m) => m.msgType === 'CallControl' && m.ctiMessage.action === 'held');
    admin.send({ command: 'callControl', agentId: 's1', action: 'unhold' });
    await admin.next((m) => m.msgType === 'CallControl' && m.ctiMessage.action === 'retrieved');
    await w.clock.runFor(60 * S);
    // Seed 002 callback lists: list, take, release, start, then a ticket rescheduled and one closed.
    const list = w.callbacks.createList({ name: 'Liste de test', queueId: 'sales', periods: [{ name: 'Afternoon', periodStart: '14:00:00', periodEnd: '17:00:00', default: true }] });
    const [request] = w.callbacks.addRequests(list.uuid, [{ phoneNumber: '0230210082', firstName: 'Alice', dueDate: '2026-12-01' }]);
    const callback = async (command: Record<string, unknown>, msgType: string, pred: (m: CtiMessage) => boolean = () => true) => {
      admin.send({ agentId: 's1', ...command });
      return admin.next((m) => m.msgType === msgType && pred(m));
    };
    await callback({ command: 'getCallbackLists' }, 'CallbackLists');
    await callback({ command: 'takeCallback', uuid: request!.uuid }, 'CallbackTaken');
    await callback({ command: 'releaseCallback', uuid: request!.uuid }, 'CallbackReleased');
    admin.send({ command: 'takeCallback', agentId: 's1', uuid: request!.uuid });
    const first = await callback({ command: 'startCallback', uuid: request!.uuid, phoneNumber: '0230210082' }, 'CallbackStarted');
    await w.clock.runFor(5 * S);
    await callback({ command: 'updateCallbackTicket', uuid: first.ctiMessage.ticketUuid, status: 'Callback', dueDate: '2026-12-02' }, 'CallbackRequestUpdated');
    admin.send({ command: 'takeCallback', agentId: 's1', uuid: request!.uuid });
    const second = await callback({ command: 'startCallback', uuid: request!.uuid, phoneNumber: '0230210082' }, 'CallbackStarted', (m) => m.ctiMessage.ticketUuid !== first.ctiMessage.ticketUuid);
    await w.clock.runFor(5 * S);
    await callback({ command: 'updateCallbackTicket', uuid: second.ctiMessage.ticketUuid, status: 'Answered' }, 'CallbackClotured');
    admin.send({ command: 'click2call', agentId: 's1', destination: '0612345678' });
    await admin.next((m) => m.msgType === 'CommandResult' && m.ctiMessage.command === 'click2call');
    w.pbx.setOnline('1001', false);
    await admin.next((m) => m.msgType === 'AgentOnlineStatus');
    w.pbx.cutEvents().resume();
    await admin.next((m) => m.msgType === 'PbxState' && m.ctiMessage.state === 'up');
    // Seed 003 preview dialing: an offer, accepted by command, and the attempt's progress.
    w.pbx.setOnline('1001', true);
    await w.clock.runFor(60 * S);
    w.pbx.setPhone('0698765432', { behavior: 'busy', answerAfterMs: 500 });
    w.dialer.create(campaignSchema.parse({ id: 'camp', queue: 'sales', mode: 'preview', caller_id: '0123456789' }));
    w.store.dialers.addMembers('camp', membersBody.parse({ items: [{ name: 'Alice', communications: [{ destination: '0698765432', type: { id: '1' }, description: 'home' }], variables: { crm: '7' } }] }).items, w.clock.now());
    w.dialer.act('camp', 'start');
    await w.clock.runFor(2 * S);
    await admin.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'offered');
    admin.send({ command: 'acceptPreview', agentId: 's1' });
    await admin.next((m) => m.msgType === 'DialerPreview' && m.ctiMessage.phase === 'accepted');
    await w.clock.runFor(10 * S);
    await admin.next((m) => m.msgType === 'DialerAttempt' && m.ctiMessage.phase === 'ended');
    await w.http('PATCH', '/agents/s1/skills', w.adminKey, { skills: { en: 10 } });
    await admin.next((m) => m.msgType === 'AgentSkills');

    const seen = new Set<string>();
    for (const m of admin.messages) {
      const schema = CTI_EVENTS[m.msgType as CtiEventType];
      expect(schema, m.msgType).toBeDefined();
      // zod drops unknown keys: a field the catalogue does not describe makes the parse differ.
      expect(schema.parse(m.ctiMessage), m.msgType).toEqual(m.ctiMessage);
      seen.add(m.msgType);
    }
    expect([...seen].sort()).toEqual(Object.keys(CTI_EVENTS).sort());
  });
});
