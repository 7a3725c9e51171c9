import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingRoutes } from '../../src/api/routes/recordings.js';
import { cdrStart, type Cdr } from '../../src/domain/cdr.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

const aCdr = (callId: string, over: Partial<Cdr> = {}): Cdr => ({
  ...cdrStart({ callId, legId: `leg-${callId}`, direction: 'inbound', numberId: 'A', dialled: '1000', caller: '+15550001', callerName: null, startedAt: Date.UTC(2026, 10, 2, 8) }),
  endedAt: Date.UTC(2026, 10, 2, 8, 5),
  disposition: 'answered',
  queueId: 'q1',
  agentId: '1001',
  ...over,
});

describe('GET /cdrs/:callId/recording', () => {
  let w: ApiWorld;
  let dir: string | undefined;
  afterEach(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function world(withDir: boolean): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
    writeFileSync(join(dir, 'rec-1.wav'), Buffer.from('RIFF....WAVEfmt '));
    w = await apiWorld(undefined, {
      cdrs: [aCdr('c1', { recording: 'rec-1' }), aCdr('c2'), aCdr('c3', { recording: '../outside' }), aCdr('c4', { recording: 'rec-1', queueId: 'q3', agentId: '1005' })],
      server: { protectedRoutes: [recordingRoutes(withDir ? dir : undefined)] },
    });
  }

  it('streams the recording as audio/wav when the caller may see the call', async () => {
    await world(true);
    const res = await w.request('GET', '/cdrs/c1/recording', { token: w.adminKey });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.body).toBe('RIFF....WAVEfmt ');
  });

  it('refuses a supervisor a call of a queue outside its list with 403', async () => {
    await world(true);
    const token = await w.userSession('sue', 'supervisor', { queues: ['q1'], groups: ['g1'] });
    expect((await w.request('GET', '/cdrs/c1/recording', { token })).statusCode).toBe(200);
    const res = await w.request('GET', '/cdrs/c4/recording', { token });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it.each([
    ['c2', 'a call without a recording'],
    ['c3', 'a recording name leaving the folder'],
    ['nope', 'an unknown call'],
  ])('answers 404 for %s (%s)', async (callId) => {
    await world(true);
    const res = await w.request('GET', `/cdrs/${callId}/recording`, { token: w.adminKey });
    expect(res.statusCode).toBe(404);
  });

  it('says SWITCHBOARD_RECORDINGS_DIR is not set when no folder is configured', async () => {
    await world(false);
    const res = await w.request('GET', '/cdrs/c1/recording', { token: w.adminKey });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('SWITCHBOARD_RECORDINGS_DIR');
  });
});
