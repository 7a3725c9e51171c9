import { describe, expect, it } from 'vitest';
import { trunkEndpointState } from '../../src/pbx/asterisk/event-filter.js';

describe('trunkEndpointState', () => {
  const skip = trunkEndpointState('trunk');

  it("recognises the trunk's EndpointStateChange on the raw text", () => {
    expect(skip('{"type":"EndpointStateChange","timestamp":"t","endpoint":{"technology":"PJSIP","resource":"trunk","state":"online","channel_ids":["a","b"]}}')).toBe(true);
  });

  it("keeps an agent phone's EndpointStateChange and every other event", () => {
    expect(skip('{"type":"EndpointStateChange","endpoint":{"technology":"PJSIP","resource":"1001","state":"offline","channel_ids":[]}}')).toBe(false);
    expect(skip('{"type":"ChannelDestroyed","channel":{"id":"x","name":"PJSIP/trunk-0001","caller":{"number":"1"}},"endpoint":{"resource":"trunk"}}')).toBe(false);
  });

  it('keeps an event written in another order (parsed as usual)', () => {
    expect(skip('{"timestamp":"t","type":"EndpointStateChange","endpoint":{"resource":"trunk"}}')).toBe(false);
  });
});
