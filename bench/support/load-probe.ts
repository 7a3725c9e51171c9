/**
 * Probes for `npm run load`: ARI requests counted by method + path pattern and events by type
 * (the ARI client's onRequest and onEvent hooks), and a proxy around the PBX port stamped with
 * performance.now() (call.arrived → first play request; agent free → next originate).
 */
import { performance } from 'node:perf_hooks';
import type { LegId, PbxEvent, PbxPort } from '../../src/pbx/port.js';

// ------------------------------------------------------------ ARI request counting (global fetch)

export const counter = { on: false, byPattern: new Map<string, number>(), inflight: 0, maxInflight: 0, events: new Map<string, number>(), eventBytes: new Map<string, number>() };
const KNOWN = new Set(['ari', 'channels', 'bridges', 'playbacks', 'recordings', 'live', 'applications', 'endpoints', 'PJSIP', 'answer', 'play', 'moh', 'variable', 'addChannel', 'removeChannel', 'record', 'pause', 'stop', 'subscription', 'snoop', 'ring', 'hold', 'mute', 'dtmf', 'events', 'continue']);

/** The ARI client's onRequest hook: counts requests by method + path pattern, and those in flight. */
export function countRequest(method: string, path: string): (() => void) | undefined {
  if (!counter.on) return undefined;
  const pattern = path.split('/').map((seg) => (seg === '' || KNOWN.has(seg) ? seg : ':id')).join('/');
  const key = `${method} /ari${pattern}`;
  counter.byPattern.set(key, (counter.byPattern.get(key) ?? 0) + 1);
  counter.inflight++;
  counter.maxInflight = Math.max(counter.maxInflight, counter.inflight);
  return () => {
    counter.inflight--;
  };
}

/** The ARI client's onEvent listener: counts events and their JSON bytes by type. */
export function countEvent(e: { type: string }, raw: string): void {
  if (!counter.on) return;
  counter.events.set(e.type, (counter.events.get(e.type) ?? 0) + 1);
  counter.eventBytes.set(e.type, (counter.eventBytes.get(e.type) ?? 0) + raw.length);
}

// ------------------------------------------------------------ PBX port probe

export interface Probe {
  port: PbxPort;
  /** call.arrived → first play request on that leg, ms. */
  greet: number[];
  /** Of which awaiting the PBX (setVariable + answer round trips), ms. */
  greetPbx: number[];
  /** agent leg hung up while calls waited → next originate to that agent, ms. */
  freeToOffer: number[];
  arrivals: number[];
  /** Forget what was measured so far (after warm-up calls). */
  reset(): void;
}

export function probePort(inner: PbxPort, waitingCalls: () => number): Probe {
  const arrivedAt = new Map<string, number>();
  const pbxMs = new Map<string, number>();
  const agentLegs = new Map<string, string>();
  const freeAt = new Map<string, number>();
  const p: Probe = {
    port: inner, greet: [], greetPbx: [], freeToOffer: [], arrivals: [],
    reset() {
      for (const xs of [p.greet, p.greetPbx, p.freeToOffer, p.arrivals]) xs.length = 0;
    },
  };
  const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, leg: (a: A) => string) =>
    async (...a: A): Promise<R> => {
      const t0 = performance.now();
      try {
        return await fn.apply(inner, a);
      } finally {
        const id = leg(a);
        if (arrivedAt.has(id)) pbxMs.set(id, (pbxMs.get(id) ?? 0) + performance.now() - t0);
      }
    };
  const port: PbxPort = Object.assign(Object.create(inner) as PbxPort, {
    name: inner.name,
    start: () => inner.start(),
    stop: () => inner.stop(),
    onEvent: (listener: (e: PbxEvent) => void) =>
      inner.onEvent((e) => {
        const t = performance.now();
        if (e.type === 'call.arrived') {
          arrivedAt.set(e.leg, t);
          p.arrivals.push(t);
        } else if (e.type === 'leg.hangup') {
          const endpoint = agentLegs.get(e.leg);
          agentLegs.delete(e.leg);
          arrivedAt.delete(e.leg);
          pbxMs.delete(e.leg);
          if (endpoint && waitingCalls() > 0) freeAt.set(endpoint, t);
        }
        listener(e);
      }),
    setVariable: timed(inner.setVariable, (a) => a[0]),
    answer: timed(inner.answer, (a) => a[0]),
    play: (leg: LegId, prompts: readonly string[], opts?: Parameters<PbxPort['play']>[2]) => {
      const t0 = arrivedAt.get(leg);
      if (t0 !== undefined) {
        p.greet.push(performance.now() - t0);
        p.greetPbx.push(pbxMs.get(leg) ?? 0);
        arrivedAt.delete(leg);
        pbxMs.delete(leg);
      }
      return inner.play(leg, prompts, opts);
    },
    originate: async (req: Parameters<PbxPort['originate']>[0], opts?: Parameters<PbxPort['originate']>[1]) => {
      const endpoint = req.destination.kind === 'sip' ? req.destination.endpoint : req.destination.number;
      const t = freeAt.get(endpoint);
      if (t !== undefined) {
        p.freeToOffer.push(performance.now() - t);
        freeAt.delete(endpoint);
      }
      const leg = await inner.originate(req, opts);
      agentLegs.set(leg, endpoint);
      return leg;
    },
  });
  p.port = port;
  return p;
}

