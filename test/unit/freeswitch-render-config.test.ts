import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandUsers, freeswitchConfigDefaults, renderFreeswitchConfig, type FreeswitchConfigVars } from '../../src/pbx/freeswitch/render-config.js';

const confDir = resolve(import.meta.dirname, '../../freeswitch-conf');
const full: FreeswitchConfigVars = { ...freeswitchConfigDefaults, ESL_PASSWORD: 'esl-secret', PHONE_PASSWORD: 'phone-secret', MOH_DIR: '/moh', MOH_CLASSES: 'q1,q2' };

describe('renderFreeswitchConfig', () => {
  let out: string | undefined;
  afterEach(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('stops with the placeholder named when a secret is missing', async () => {
    out = await mkdtemp(join(tmpdir(), 'sb-fsconf-'));

    await expect(renderFreeswitchConfig({ confDir, outDir: out, vars: { ...full, ESL_PASSWORD: '' } })).rejects.toThrow(/ESL_PASSWORD/);
  });

  it('keeps the event socket and SIP on loopback by default and lists users and MOH classes', async () => {
    out = await mkdtemp(join(tmpdir(), 'sb-fsconf-'));

    await renderFreeswitchConfig({ confDir, outDir: out, vars: full });
    const esl = await readFile(join(out, 'event_socket.conf.xml'), 'utf8');
    const sofia = await readFile(join(out, 'sofia.conf.xml'), 'utf8');
    const dir = await readFile(join(out, 'directory.xml'), 'utf8');
    const moh = await readFile(join(out, 'local_stream.conf.xml'), 'utf8');

    expect(esl).toContain('name="listen-ip" value="127.0.0.1"');
    expect(esl).toContain('name="apply-inbound-acl" value="loopback.auto"');
    expect(sofia).not.toMatch(/value="0\.0\.0\.0"/);
    expect(dir).toContain('<user id="1001"/>');
    expect(dir).toContain('<user id="1006"/>');
    expect(moh.match(/<directory name="/g)).toHaveLength(3);
  });

  it('schedules the refusal of untaken calls after ENGINE_TAKE_S and refuses a value that is not whole seconds', async () => {
    out = await mkdtemp(join(tmpdir(), 'sb-fsconf-'));

    await renderFreeswitchConfig({ confDir, outDir: out, vars: { ...full, ENGINE_TAKE_S: '5' } });
    const dialplan = await readFile(join(out, 'dialplan.xml'), 'utf8');

    expect(dialplan.match(/application="sched_hangup" data="\+5 NORMAL_CIRCUIT_CONGESTION"/g)).toHaveLength(2);
    await expect(renderFreeswitchConfig({ confDir, outDir: out, vars: { ...full, ENGINE_TAKE_S: '0' } })).rejects.toThrow(/ENGINE_TAKE_S/);
    await expect(renderFreeswitchConfig({ confDir, outDir: out, vars: { ...full, ENGINE_TAKE_S: '3 ALLOTTED_TIMEOUT' } })).rejects.toThrow(/ENGINE_TAKE_S/);
  });

  it('expands user ranges and refuses a bad one, naming PHONE_USERS', () => {
    expect(expandUsers('1001-1003,2001')).toEqual(['1001', '1002', '1003', '2001']);
    expect(() => expandUsers('1003-1001')).toThrow(/PHONE_USERS/);
    expect(() => expandUsers('a"b')).toThrow(/PHONE_USERS/);
  });
});
