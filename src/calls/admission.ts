/**
 * The engine's admission limits: past them a new call is shed (hung up busy with a refused CDR),
 * so the calls in progress keep their PBX round trips.
 */
import type { AdmissionLimits } from './engine-types.js';

export class Admission {
  /** Calls shed at the limit since start. */
  private shedCount = 0;

  constructor(
    private readonly limits: AdmissionLimits | undefined,
    private readonly liveCalls: () => number,
  ) {}

  /** The limits in force and the calls shed at them. */
  get view(): { maxLiveCalls: number | undefined; maxPbxRequests: number | undefined; shed: number } {
    const a = this.limits;
    return { maxLiveCalls: a?.maxLiveCalls, maxPbxRequests: a?.pbxLoad ? a.maxPbxRequests : undefined, shed: this.shedCount };
  }

  /** Which limit a new call would pass, if any; a call that passes one is counted as shed. */
  shed(): 'live-calls' | 'pbx-requests' | undefined {
    const over = this.overLimit();
    if (over) this.shedCount += 1;
    return over;
  }

  private overLimit(): 'live-calls' | 'pbx-requests' | undefined {
    const a = this.limits;
    if (!a) return undefined;
    if (a.maxLiveCalls !== undefined && this.liveCalls() >= a.maxLiveCalls) return 'live-calls';
    if (a.maxPbxRequests !== undefined && a.pbxLoad && a.pbxLoad() >= a.maxPbxRequests) return 'pbx-requests';
    return undefined;
  }
}
