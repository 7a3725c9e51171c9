import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { talkScenario } from '../asterisk/talk-scenario.js';

describe('talkScenario', () => {
  it('writes the talk time into the talk recv and nowhere else, once per value', () => {
    const path = talkScenario(4321);
    const xml = readFileSync(path, 'utf8');

    expect(xml).toMatch(/<label id="talk"\/>\s*<recv request="INVITE" timeout="4321" ontimeout="bye"\/>/);
    expect(xml.match(/timeout="4321"/g)).toHaveLength(1);
    expect(xml).toContain('<recv request="ACK" crlf="true" next="talk"/>');
    expect(talkScenario(4321)).toBe(path);
    expect(talkScenario(1000)).not.toBe(path);
  });

  it('refuses a talk time that is not a whole number of milliseconds', () => {
    expect(() => talkScenario(0)).toThrow(/talkMs/);
    expect(() => talkScenario(1.5)).toThrow(/talkMs/);
  });
});
