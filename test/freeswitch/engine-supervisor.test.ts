import { engineSupervisorSuite } from '../asterisk/engine-supervisor.suite.js';

engineSupervisorSuite('freeswitch');
