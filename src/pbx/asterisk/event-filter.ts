/** Which ARI events the driver lets through: the application's event filter and a raw-text skip. */

/** The ARI event types leg-events.ts and map-event.ts read (and REST answers); the application's event filter lets only these through. */
export const EVENT_TYPES_READ = [
  'StasisStart', 'StasisEnd', 'ChannelStateChange', 'ChannelDtmfReceived', 'ChannelHangupRequest', 'ChannelDestroyed', 'Dial',
  'PlaybackFinished', 'RecordingFinished', 'RecordingFailed', 'EndpointStateChange',
  // Answers to REST requests sent over the WebSocket (not events, but they travel the same way).
  'RESTResponse',
] as const;

/**
 * The trunk's EndpointStateChange: it lists every channel on the trunk (hundreds under load, ~5 KB
 * per call at 40 calls/s) and no agent phone is the trunk. Recognised on the raw text (Asterisk
 * writes "type" first, compact); anything else is parsed as usual.
 */
export function trunkEndpointState(trunk: string): (raw: string) => boolean {
  const resource = `"resource":${JSON.stringify(trunk)}`;
  return (raw) => raw.startsWith('{"type":"EndpointStateChange"') && raw.includes(resource);
}
