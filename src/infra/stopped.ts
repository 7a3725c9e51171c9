/**
 * The reason given to AbortController.abort() when a call's media or a wait is stopped on
 * purpose (a key, a hang-up, an agent answering): one shared Error, so that each stop does not
 * build a DOMException with its stack (a measurable share of the engine's CPU under load).
 * Whoever catches it only needs to know the work was stopped.
 */
export const STOPPED: Error = new Error('stopped');
