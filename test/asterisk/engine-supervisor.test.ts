import { engineSupervisorSuite } from './engine-supervisor.suite.js';

engineSupervisorSuite('asterisk');
