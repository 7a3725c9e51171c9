import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/app.js';
import { freeswitchSettingsFromEnv } from '../../src/pbx/freeswitch/settings.js';

describe('freeswitch settings', () => {
  it('reads the event socket and driver settings with loopback defaults when SWITCHBOARD_PBX=freeswitch', () => {
    const s = settingsFromEnv({ SWITCHBOARD_PBX: 'freeswitch', ESL_PASSWORD: 'pw', FS_MOH_CLASSES: 'q1,q2', SWITCHBOARD_CONFIG: '' });

    expect(s.pbx).toBe('freeswitch');
    expect(s.freeswitch).toEqual({ host: '127.0.0.1', port: 8021, password: 'pw', app: 'switchboard', domain: 'switchboard', trunkHost: '127.0.0.1:5080', mohClasses: ['default', 'q1', 'q2'] });
  });

  it('stops with an error naming ESL_PASSWORD when it is missing', () => {
    expect(() => settingsFromEnv({ SWITCHBOARD_PBX: 'freeswitch' })).toThrow(/^ESL_PASSWORD: required/);
  });

  it('names the variable when ESL_PORT, FS_TRUNK_HOST or FS_MOH_CLASSES is malformed', () => {
    expect(() => freeswitchSettingsFromEnv({ ESL_PASSWORD: 'pw', ESL_PORT: 'x' })).toThrow(/^ESL_PORT/);
    expect(() => freeswitchSettingsFromEnv({ ESL_PASSWORD: 'pw', FS_TRUNK_HOST: 'a b' })).toThrow(/^FS_TRUNK_HOST/);
    expect(() => freeswitchSettingsFromEnv({ ESL_PASSWORD: 'pw', FS_MOH_CLASSES: 'a b' })).toThrow(/^FS_MOH_CLASSES/);
  });

  it('names the three PBXes when SWITCHBOARD_PBX is unknown', () => {
    expect(() => settingsFromEnv({ SWITCHBOARD_PBX: 'yate' })).toThrow(/"sim", "asterisk" or "freeswitch"/);
  });
});
