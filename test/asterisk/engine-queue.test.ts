import { engineQueueSuite } from './engine-queue.suite.js';

engineQueueSuite('asterisk');
