import { engineReferenceSuite } from './engine-reference.suite.js';

engineReferenceSuite('asterisk');
