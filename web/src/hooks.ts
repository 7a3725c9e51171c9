/** Small shared hooks. */
import { useEffect, useState } from 'preact/hooks';
import type { CtiClient, LinkStatus } from './cti.js';
import type { CtiEvent, CtiEventType } from './types.js';

/** Re-render every `ms` (clocks, timers, countdowns); returns Date.now(). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function useCtiEvent<K extends CtiEventType>(cti: CtiClient, type: K, fn: (m: CtiEvent<K>) => void, deps: unknown[] = []): void {
  useEffect(() => cti.on(type, fn), [cti, ...deps]);
}

export function useLinkStatus(cti: CtiClient): LinkStatus {
  const [status, setStatus] = useState(cti.status);
  useEffect(() => {
    setStatus(cti.status);
    return cti.onStatus(setStatus);
  }, [cti]);
  return status;
}
