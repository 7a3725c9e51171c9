/** Callback lists on a simulated world: the list service, the message key and auto lists wired to an engine and store. */
import type { Engine } from '../../src/calls/engine.js';
import { silentLogger } from '../../src/infra/logger.js';
import { AutoCallbacks } from '../../src/outbound/callback-auto.js';
import { CallbackListService, type CallbackEvent } from '../../src/outbound/callback-lists.js';
import { CallbackMessages } from '../../src/outbound/callback-message.js';
import type { Store } from '../../src/store/store.js';

export interface CallbackWorld {
  lists: CallbackListService;
  auto: AutoCallbacks;
  events: CallbackEvent[];
}

/**
 * Ids: `<idPrefix>1`, `<idPrefix>2`, … (default `u1`, …) for lists, periods, requests and tickets;
 * `<prefix>-1`, … for callback calls. A world made again after a restart takes other prefixes.
 */
export function callbackWorld(engine: Engine, store: Store, prefix = 'cbcall', idPrefix = 'u'): CallbackWorld {
  let n = 0;
  let c = 0;
  const lists = new CallbackListService({ engine, repo: store.callbackLists, log: silentLogger(), newId: () => `${idPrefix}${++n}` });
  const events: CallbackEvent[] = [];
  lists.on('event', (e) => events.push(e));
  new CallbackMessages({ engine, lists, log: silentLogger() });
  const auto = new AutoCallbacks({ engine, lists, repo: store.callbackLists, log: silentLogger(), newId: () => `${prefix}-${++c}` });
  auto.start();
  return { lists, auto, events };
}
