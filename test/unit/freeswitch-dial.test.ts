import { describe, expect, it } from 'vitest';
import { dialTarget, originateVars, playString, promptFiles, varsPrefix } from '../../src/pbx/freeswitch/dial.js';
import { isPbxError } from '../../src/pbx/port.js';

const dirs = { soundsDir: '/s', recordingsDir: '/r', defaultLanguage: 'en' };
const plan = { domain: 'switchboard', trunkProfile: 'trunk', trunkHost: '10.0.0.1:5060' };

describe('freeswitch dial strings', () => {
  it('dials a phone through the directory and a number through the trunk profile', () => {
    expect(dialTarget({ kind: 'sip', endpoint: '1001' }, plan)).toBe('user/1001@switchboard');
    expect(dialTarget({ kind: 'external', number: '+33612345678' }, plan)).toBe('sofia/trunk/+33612345678@10.0.0.1:5060');
  });

  it('refuses a destination that would inject another argument, naming the field', () => {
    let err: unknown;
    try {
      dialTarget({ kind: 'external', number: '061 &park()' }, plan);
    } catch (e) {
      err = e;
    }

    expect(isPbxError(err, 'REJECTED')).toBe(true);
    expect((err as Error).message).toContain('destination.number');
  });

  it('quotes variable values and escapes commas, so a caller name cannot add a variable', () => {
    expect(varsPrefix({ origination_caller_id_name: "Smith, John' x" })).toBe("{origination_caller_id_name='Smith\\, John x'}");
  });

  it('puts our variables last so request variables cannot override the leg id or call id', () => {
    const vars = originateVars(
      { destination: { kind: 'sip', endpoint: '1001' }, callerId: { number: '900', name: 'Sales' }, timeoutMs: 4500, callId: 'c1', variables: { origination_uuid: 'x', SWITCHBOARD_CALL_ID: 'y' }, autoAnswer: true },
      'leg-1',
      'switchboard',
    );

    expect(vars).toMatchObject({ origination_uuid: 'leg-1', SWITCHBOARD_CALL_ID: 'c1', originate_timeout: '5', origination_caller_id_name: 'Sales', sb_kind: 'agent' });
    expect(vars['sip_h_Call-Info']).toBe('<sip:auto>;answer-after=0');
  });

  it('resolves prompts per language, recordings, tones and digits to files', () => {
    expect(promptFiles('sound:switchboard/goodbye', 'es', dirs)).toEqual(['/s/es/switchboard/goodbye.wav']);
    expect(promptFiles('switchboard/goodbye', undefined, dirs)).toEqual(['/s/en/switchboard/goodbye.wav']);
    expect(promptFiles('recording:r1', 'en', dirs)).toEqual(['/r/r1.wav']);
    expect(promptFiles('tone:beep', 'en', dirs)[0]).toMatch(/^tone_stream:\/\//);
    expect(promptFiles('digits:12', 'en', dirs)).toEqual(['/s/en/digits/1.wav', '/s/en/digits/2.wav']);
    expect(playString(['/a.wav', '/b.wav'])).toBe('file_string:///a.wav!/b.wav');
  });

  it('refuses a prompt that climbs out of the sounds directory', () => {
    expect(() => promptFiles('sound:../../etc/passwd', 'en', dirs)).toThrow(/prompt/);
  });
});
