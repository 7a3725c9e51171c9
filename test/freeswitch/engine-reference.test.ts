import { engineReferenceSuite } from '../asterisk/engine-reference.suite.js';

engineReferenceSuite('freeswitch');
