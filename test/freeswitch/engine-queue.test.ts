import { engineQueueSuite } from '../asterisk/engine-queue.suite.js';

engineQueueSuite('freeswitch');
