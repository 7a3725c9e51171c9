/** The virtual queue on a simulated world: the service wired to the world's engine and store. */
import type { Engine } from '../../src/calls/engine.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createHttpClient } from '../../src/integrations/http-client.js';
import { VirtualQueueService } from '../../src/outbound/virtual-queue.js';
import type { Store } from '../../src/store/store.js';

export function virtualQueue(engine: Engine, store: Store, prefix = 'cb'): VirtualQueueService {
  let n = 0;
  return new VirtualQueueService({ engine, waiters: store.virtualWaiters, http: createHttpClient(), log: silentLogger(), newId: () => `${prefix}-${++n}` });
}
