import { afterEach, describe, expect, it } from 'vitest';
import type { AgentListCall } from '../../src/calls/hooks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createAgentList, mapAgentListAnswer } from '../../src/integrations/agent-list.js';
import { createHttpClient } from '../../src/integrations/http-client.js';
import { aQueue, aWebhooks, downUrl, fakeMetrics, json, later, startServer, verifySignature, type Handler, type TestServer } from './support.js';

const SECRET = 'a-shared-secret-of-32-characters';
const never = () => new AbortController().signal;

/** The two calls of seed 000. */
const calls: AgentListCall[] = [
  { callId: 'call-vn-1-EHHC6JW1LT-1534145391502', from: '84986776777', to: '842473082666' },
  { callId: 'call-vn-1-EHHC6JW1LT-1534145391504', from: '84919982888', to: '842473082888' },
];

/** The answer of seed 000. */
const seedAnswer = {
  version: 2,
  calls: [
    {
      callId: 'call-vn-1-EHHC6JW1LT-1534145391502',
      agents: [
        { stringee_user_id: 'agent_1', phone_number: '84909992666', routing_type: 2, answer_timeout: 15 },
        { stringee_user_id: 'agent_2', phone_number: '84909992666', routing_type: 1, answer_timeout: 10 },
      ],
    },
    {
      callId: 'call-vn-1-EHHC6JW1LT-1534145391504',
      agents: [{ stringee_user_id: 'agent_1', phone_number: '84909992666', routing_type: 2, answer_timeout: 15 }],
    },
  ],
};

const withAgent = (agent: Record<string, unknown>) => ({ version: 2, calls: [{ callId: calls[0]!.callId, agents: [agent] }] });

describe('mapAgentListAnswer', () => {
  it('maps the seed 000 answer to ordered agents per call', () => {
    const mapped = mapAgentListAnswer(seedAnswer, calls);

    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.lists.get(calls[0]!.callId)).toEqual([
      { agentId: 'agent_1', routingType: 2, phoneNumber: '84909992666', answerTimeoutMs: 15_000 },
      { agentId: 'agent_2', routingType: 1, phoneNumber: '84909992666', answerTimeoutMs: 10_000 },
    ]);
    expect(mapped.lists.get(calls[1]!.callId)).toEqual([{ agentId: 'agent_1', routingType: 2, phoneNumber: '84909992666', answerTimeoutMs: 15_000 }]);
  });

  it('keeps an agent without a phone number, ignores calls not asked about and repeated agents', () => {
    const answer = {
      version: 2,
      calls: [
        { callId: calls[0]!.callId, agents: [{ stringee_user_id: 'a', routing_type: 1, answer_timeout: 5, phone_number: null }, { stringee_user_id: 'a', routing_type: 1, answer_timeout: 9 }] },
        { callId: 'someone-else', agents: [] },
      ],
    };

    const mapped = mapAgentListAnswer(answer, calls);

    expect(mapped).toEqual({ ok: true, lists: new Map([[calls[0]!.callId, [{ agentId: 'a', routingType: 1, answerTimeoutMs: 5000 }]]]) });
  });

  it.each([
    ['version 1', { ...seedAnswer, version: 1 }],
    ['no version', { calls: seedAnswer.calls }],
    ['calls not an array', { version: 2, calls: {} }],
    ['a call without callId', { version: 2, calls: [{ agents: [] }] }],
    ['routing_type 3', withAgent({ stringee_user_id: 'a', routing_type: 3, answer_timeout: 5 })],
    ['routing_type as a string', withAgent({ stringee_user_id: 'a', routing_type: '1', answer_timeout: 5 })],
    ['answer_timeout 0', withAgent({ stringee_user_id: 'a', routing_type: 1, answer_timeout: 0 })],
    ['no answer_timeout', withAgent({ stringee_user_id: 'a', routing_type: 1 })],
    ['no stringee_user_id', withAgent({ routing_type: 1, answer_timeout: 5 })],
    ['a bad phone number', withAgent({ stringee_user_id: 'a', phone_number: 'call me', routing_type: 2, answer_timeout: 5 })],
    ['null', null],
    ['a string', 'agents'],
  ])('rejects an answer with %s', (_name, answer) => {
    expect(mapAgentListAnswer(answer, calls).ok).toBe(false);
  });
});

describe('createAgentList', () => {
  let server: TestServer | undefined;
  const serve = async (handler: Handler) => (server = await startServer(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const anAgentList = () => {
    const metrics = fakeMetrics();
    const cfg = aWebhooks({ secret: SECRET, project_id: 25 });
    const agentList = createAgentList({ getConfig: () => cfg, http: createHttpClient(), log: silentLogger(), metrics });
    return { agentList, metrics, cfg };
  };

  it('posts exactly the seed 000 body, signed, and returns the lists', async () => {
    const s = await serve((_req, res) => json(res, 200, seedAnswer));
    const { agentList, metrics } = anAgentList();

    const lists = await agentList(aQueue({ id: 'queue_1', agent_list_url: `${s.url}/agents` }), calls, never());

    const seen = s.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/agents');
    expect(JSON.parse(seen.body.toString('utf8'))).toStrictEqual({
      queueId: 'queue_1',
      calls: [
        { callId: 'call-vn-1-EHHC6JW1LT-1534145391502', from: '84986776777', to: '842473082666' },
        { callId: 'call-vn-1-EHHC6JW1LT-1534145391504', from: '84919982888', to: '842473082888' },
      ],
      projectId: 25,
    });
    expect(verifySignature(SECRET, seen)).toBe(true);
    expect(lists?.get(calls[0]!.callId)?.map((a) => a.agentId)).toEqual(['agent_1', 'agent_2']);
    expect(lists?.get(calls[1]!.callId)).toHaveLength(1);
    expect(metrics.observed).toEqual([{ kind: 'agent_list', seconds: expect.any(Number), ok: true }]);
  });

  it.each([
    ['version 1', 200, { ...seedAnswer, version: 1 }],
    ['not JSON', 200, '<html>busy</html>'],
    ['a wrong shape', 200, { version: 2, calls: [{ callId: 'x', agents: [{ id: 'a' }] }] }],
    ['a server error', 500, seedAnswer],
    ['not found', 404, seedAnswer],
  ])('gives undefined and counts a failure when the server answers %s', async (_name, status, body) => {
    const s = await serve((_req, res) => json(res, status, body));
    const { agentList, metrics } = anAgentList();

    const lists = await agentList(aQueue({ agent_list_url: s.url }), calls, never());

    expect(lists).toBeUndefined();
    expect(s.seen).toHaveLength(1);
    expect(metrics.observed).toEqual([{ kind: 'agent_list', seconds: expect.any(Number), ok: false }]);
  });

  it('gives undefined within the time-out when the server is slow', async () => {
    const s = await serve((_req, res) => later(2000, () => json(res, 200, seedAnswer)));
    const { agentList, cfg } = anAgentList();

    const started = performance.now();
    const lists = await agentList(aQueue({ agent_list_url: s.url }), calls, never());

    expect(lists).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(cfg.timeout_ms + 500);
  });

  it('gives undefined within the time-out when the server is down', async () => {
    const { agentList, metrics, cfg } = anAgentList();

    const started = performance.now();
    const lists = await agentList(aQueue({ agent_list_url: await downUrl() }), calls, never());

    expect(lists).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(cfg.timeout_ms + 500);
    expect(metrics.observed.map((o) => o.ok)).toEqual([false]);
  });

  it('sends nothing when the queue has no agent_list_url', async () => {
    const { agentList, metrics } = anAgentList();

    expect(await agentList(aQueue(), calls, never())).toBeUndefined();
    expect(metrics.observed).toEqual([]);
  });
});
