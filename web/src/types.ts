/**
 * The API's own types, imported (type-only, erased from the bundle) from the engine's sources:
 * the CTI catalogue's zod schemas, the CDR, users and keys. Never written twice.
 */
import type { CtiEvent, CtiEventType } from '../../src/api/cti/events.js';

export type { CtiEvent, CtiEventType } from '../../src/api/cti/events.js';
export type { CtiCommand } from '../../src/api/cti/commands.js';
export type { Cdr } from '../../src/domain/cdr.js';
export type { ApiKeyView, Profile, SessionGrant, UserView } from '../../src/api/auth.js';
export type { FieldIssue } from '../../src/domain/config.js';

export type AgentState = CtiEvent<'AgentStateEvent'>;
export type AgentStateName = AgentState['name'];
export type AgentCall = CtiEvent<'AgentCall'>;
export type QueueInfo = CtiEvent<'QueueList'>[number];
export type AgentInfo = CtiEvent<'AgentList'>[number];
export type QueueMember = CtiEvent<'QueueMember'>;
export type Statistic = CtiEvent<'AgentStatistics'>['statistics'][number];
export type PbxLink = CtiEvent<'PbxState'>;

/** A message as it arrives on the CTI WebSocket. */
export type CtiFrame = { [K in CtiEventType]: { msgType: K; ctiMessage: CtiEvent<K> } }[CtiEventType];
export type CallbackList = CtiEvent<'CallbackLists'>;
export type CallbackRequest = CallbackList['callbacks'][number];
