/**
 * The PBX had been taken as lost (its calls ended with `pbx-lost`) but was only out of reach:
 * what is still alive there belongs to no call any more and is hung up. (After a mere cut of
 * the event stream the driver itself ends the legs that vanished, with cause `lost`.)
 */
import type { Logger } from '../infra/logger.js';
import type { LegId, PbxPort } from '../pbx/port.js';

export async function hangUpOrphans(pbx: PbxPort, owned: (leg: LegId) => boolean, log: Logger): Promise<void> {
  let legs;
  try {
    legs = await pbx.recover();
  } catch (err) {
    log.warn({ err }, 'listing legs after the PBX came back failed');
    return;
  }
  let orphans = 0;
  for (const l of legs) {
    if (owned(l.leg)) continue;
    orphans += 1;
    log.warn({ legId: l.leg, role: l.role, callId: l.callId }, 'hanging up a leg left from before the PBX was lost');
    await pbx.hangup(l.leg, 'normal').catch((err: unknown) => log.debug({ err, legId: l.leg }, 'orphan hang-up failed'));
  }
  log.info({ legs: legs.length, orphans }, 'pbx back after being lost');
}
