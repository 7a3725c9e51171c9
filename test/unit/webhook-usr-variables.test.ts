import { describe, expect, it } from 'vitest';
import { cdrStart, type Cdr } from '../../src/domain/cdr.js';
import { callEventBody, hangupParams } from '../../src/integrations/payloads.js';

const notice = (variables: Record<string, string>) => ({ callId: 'c1', direction: 'outbound' as const, queueId: 'q', agentId: 'a1', cid: '0612345678', dialled: '0612345678', variables });

describe('webhook payloads with call variables', () => {
  it('adds the USR_ variables to offering/bridged bodies and leaves other variables out', () => {
    const body = callEventBody('bridged', notice({ USR_crm: '42', lookup_score: '3' }));

    expect(body).toEqual({ event: 'bridged', direction: 'outbound', queue: 'q', member: null, attempt: null, uuid: 'c1', agent: 'a1', cid: '0612345678', variables: { USR_crm: '42' } });
  });

  it('sends the seed 003 body unchanged when the call has no USR_ variable', () => {
    expect(Object.keys(callEventBody('offering', notice({ other: 'x' })))).toEqual(['event', 'direction', 'queue', 'member', 'attempt', 'uuid', 'agent', 'cid']);
  });

  it('adds the USR_ variables to the hang-up query string', () => {
    const cdr: Cdr = { ...cdrStart({ callId: 'c1', legId: 'l', direction: 'outbound', numberId: null, dialled: '06', caller: '01', callerName: null, startedAt: 0 }), endedAt: 1000, disposition: 'answered', variables: { USR_crm: '42', internal: 'no' } };

    const params = hangupParams(cdr);

    expect(params.get('USR_crm')).toBe('42');
    expect(params.has('internal')).toBe(false);
    expect(params.get('direction')).toBe('outbound');
  });
});
