/**
 * Answering-machine detection through the dialplan: the answered leg is sent from our
 * application to [switchboard-amd] (ARI continue), where AMD() listens to the greeting; the
 * dialplan sends it back with Stasis(app,amd,<AMDSTATUS>,<AMDCAUSE>), which leg-events.ts turns
 * into the settlement of the pending hop. While it is out, leaving Stasis is not its end.
 * Chosen over TALK_DETECT by measurement (`npm run bench:amd`, README).
 */
import { PbxError, type LegId, type MachineDetection } from '../port.js';
import type { LegEvents } from './leg-events.js';

/** The dialplan context of the hop (dialplan/extensions.conf). */
export const AMD_CONTEXT = 'switchboard-amd';
/** AMD decides within total_analysis_time (amd.conf, 5 s); past this the hop is given up. */
const HOP_TIMEOUT_MS = 15_000;

/**
 * Send `leg` to the hop with `send` (the ARI continue request) and resolve with AMD's result;
 * rejects LEG_GONE when the leg hangs up meanwhile, TIMEOUT, or ABORTED with `signal`.
 */
export function amdHop(book: LegEvents, leg: LegId, send: () => Promise<unknown>, signal?: AbortSignal): Promise<MachineDetection> {
  const state = book.legs.get(leg);
  if (!state || state.going) return Promise.reject(new PbxError('LEG_GONE', 'leg is gone', { leg }));
  if (book.hops.has(leg)) return Promise.reject(new PbxError('REJECTED', 'AMD already running on this leg', { leg }));
  return new Promise<MachineDetection>((resolve, reject) => {
    const timer = setTimeout(() => settle(new PbxError('TIMEOUT', 'no AMD result', { leg, timeoutMs: HOP_TIMEOUT_MS })), HOP_TIMEOUT_MS);
    timer.unref();
    const onAbort = () => settle(new PbxError('ABORTED', 'AMD aborted', { leg }));
    function settle(r: MachineDetection | PbxError): void {
      if (book.hops.get(leg) !== settle) return;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      book.hops.delete(leg);
      if (r instanceof PbxError) reject(r);
      else resolve(r);
    }
    book.hops.set(leg, settle);
    signal?.addEventListener('abort', onAbort, { once: true });
    state.inDialplan = true;
    send().catch((err: unknown) => {
      state.inDialplan = false;
      settle(err instanceof PbxError ? err : new PbxError('PROTOCOL', 'AMD hop refused', { leg, err: String(err) }));
    });
  });
}
