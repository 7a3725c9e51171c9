/** Wrap any PBX driver so every command's latency and outcome are observed (Prometheus). */
import { isPbxError, type PbxPort } from './port.js';

export interface PbxObserver {
  observePbx(op: string, seconds: number, ok: boolean): void;
}

const COMMANDS = [
  'answer', 'play', 'startMoh', 'stopMoh', 'originate', 'bridge', 'addToBridge', 'removeFromBridge', 'destroyBridge',
  'startBridgeMoh', 'stopBridgeMoh',
  'recordBridge', 'recordLeg', 'pauseRecording', 'resumeRecording', 'stopRecording', 'snoop', 'hangup', 'setVariable',
] as const satisfies readonly (keyof PbxPort)[];

export function instrumentPbx(port: PbxPort, observer: PbxObserver): PbxPort {
  const wrapped: Record<string, unknown> = {};
  for (const op of COMMANDS) {
    const fn = port[op] as (...args: unknown[]) => Promise<unknown>;
    wrapped[op] = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        const result = await fn.apply(port, args);
        // A playback lasts as long as its prompts: only its failures are latency-relevant.
        if (op !== 'play') observer.observePbx(op, (performance.now() - t0) / 1000, true);
        return result;
      } catch (err) {
        // A leg that is gone is an expected race, not a PBX failure.
        observer.observePbx(op, (performance.now() - t0) / 1000, isPbxError(err, 'LEG_GONE'));
        throw err;
      }
    };
  }
  const detect = port.detectMachine;
  if (detect) {
    wrapped.detectMachine = async (...args: Parameters<NonNullable<PbxPort['detectMachine']>>) => {
      // Its time is the greeting's length, not latency: only failures are observed.
      try {
        return await detect.apply(port, args);
      } catch (err) {
        observer.observePbx('detectMachine', 0, isPbxError(err, 'LEG_GONE'));
        throw err;
      }
    };
  }
  return Object.assign(Object.create(port) as PbxPort, wrapped, {
    name: port.name,
    start: () => port.start(),
    stop: () => port.stop(),
    onEvent: (listener: Parameters<PbxPort['onEvent']>[0]) => port.onEvent(listener),
  });
}
