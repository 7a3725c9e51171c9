import type { Engine, EngineEvents } from '../../calls/engine.js';

/** Subscribe to an engine event; returns the unsubscribe. */
export function on<K extends keyof EngineEvents>(engine: Engine, event: K, fn: (...args: EngineEvents[K]) => void): () => void {
  const listener = fn as never;
  engine.on(event, listener);
  return () => engine.off(event, listener);
}
