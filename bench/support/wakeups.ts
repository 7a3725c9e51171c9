/**
 * Voluntary context switches of this process's main thread, from /proc: each is one sleep (mostly
 * an epoll wait; also a wait on a helper thread) and wake-up. Linux only; 0 elsewhere.
 */
import { readFileSync } from 'node:fs';

export function mainThreadSleeps(): number {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
