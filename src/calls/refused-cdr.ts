/** The CDR of a call refused on arrival (engine starting or stopping, shed at the admission limit, no dialling policy). */
import { cdrStart, type Cdr } from '../domain/cdr.js';
import type { PbxEvent } from '../pbx/port.js';

export function refusedCdr(e: Extract<PbxEvent, { type: 'call.arrived' }>, o: { callId: string; numberId: string | null; cause: string; now: number }): Cdr {
  return {
    ...cdrStart({
      callId: o.callId,
      legId: e.leg,
      direction: e.origin === 'phone' ? 'outbound' : 'inbound',
      numberId: o.numberId,
      dialled: e.to,
      caller: e.from,
      callerName: e.fromName ?? null,
      startedAt: o.now,
    }),
    hangupSide: 'system',
    hangupCause: o.cause,
    endedAt: o.now,
    disposition: 'refused',
  };
}
