/**
 * The CTI WebSocket's event catalogue: one zod schema per `msgType`, the shape of its `ctiMessage`.
 * The gateway's `send`/`broadcast` are typed by these schemas, and the AsyncAPI document
 * (docs/cti.asyncapi.yaml) is generated from them. To add an event or a field, change it here:
 * the gateway then fails to compile until it sends it, and `npm run asyncapi` documents it.
 */
import { z } from 'zod';
import type { AgentStateMessage } from '../agent-service.js';

const agentStateNames = ['AgentLoggedOut', 'AgentReady', 'AgentOnPause', 'AgentRinging', 'AgentDialing', 'AgentOnCall', 'AgentOnWrapup'] as const;

export const agentState = z
  .object({
    name: z.enum(agentStateNames),
    agentId: z.string(),
    phoneNb: z.string().describe('The line the agent is logged in on; empty when logged out'),
    since: z.number().int().min(0).describe('Seconds in this state'),
    queues: z.array(z.string()).describe('Ids of the queues the agent serves'),
    online: z.boolean().describe("Whether the phone the agent is rung on is registered (seed 000 online/offline; an external number is always online; false for an agent removed from the configuration)"),
    cause: z.string().optional().describe('AgentReady: `available`; AgentOnPause: the reason (`no-answer` after repeated unanswered offers); AgentLoggedOut: `logout`, `takeover` or `removed`'),
    acd: z.boolean().optional().describe('AgentOnCall: a queue call'),
    direction: z.enum(['Incoming', 'Outgoing']).optional().describe('AgentOnCall only'),
    callType: z.literal('External').optional().describe('AgentOnCall only'),
    monitorState: z.enum(['ACTIVE', 'PAUSED', 'DISABLED']).optional().describe('AgentOnCall: the recording of the call'),
    dnd: z.literal(true).optional().describe('Do-not-disturb is on: the agent is logged in but not offered calls (absent when off)'),
  })
  .describe("An agent's state");

const pbxLink = z
  .object({ state: z.enum(['up', 'down', 'lost']).describe('up; down: the event stream to the PBX is lost (the engine reconnects and resynchronises); lost: the PBX itself is gone'), since: z.number().int().describe('Epoch ms of the change') })
  .describe('The PBX link');

const queueMember = z.object({ agentId: z.string(), queueId: z.string(), penalty: z.number().int().min(-1).describe('-1 when the agent was removed from the queue') });

const agentListEntry = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  number: z.string().describe('The line the agent is logged in on; empty when none'),
  context: z.string(),
  groupId: z.string().nullable().describe('The first of its groups'),
  groups: z.array(z.string()),
});

// Counter names are strings (src/stats/live-stats.ts builds them); the known ones are listed here.
const agentStatName = z.string().describe('AgentPausedTotalTime, AgentWrapupTotalTime, AgentReadyTotalTime (seconds today), LoginDateTime, LogoutDateTime (ISO date or null), OnlineStatus (online, offline, or null for an unknown agent)');
const queueStatName = z
  .string()
  .describe(
    'WaitingCalls, LongestWaitTime (s), AvailableAgents, LoggedAgents, TotalNumberCallsAnswered, TotalNumberCallsAbandonned, TotalNumberCallsTimeout, PercentageAnsweredBefore (service level, %), AverageSpeedOfAnswer (s)',
  );

const memberResult = z.object({ agentId: z.string(), queueId: z.string(), penalty: z.number().int().min(-1) });

/** What a command answers with in `CommandResult.result`. */
export const commandResult = z.union([
  agentState.describe('loginAgent, logoutAgent, pauseAgent, unpauseAgent: the agent state'),
  memberResult.describe('setAgentQueue, removeAgentFromQueue (penalty -1)'),
  z.object({ agentId: z.string(), monitorState: z.enum(['PAUSED', 'ACTIVE']) }).describe('monitorPause, monitorUnpause'),
  z.object({ agentId: z.string(), phoneNumber: z.string() }).describe('listenAgent: the line that hears the call'),
  z
    .object({
      agentId: z.string(),
      callId: z.string(),
      onHold: z.boolean(),
      party: z.object({ kind: z.enum(['consult', 'conference']), target: z.string(), answered: z.boolean() }).nullable(),
    })
    .describe('callControl: the call after the command'),
  z.object({ callId: z.string() }).describe('click2call, dialFromQueue: use it with GET /cdrs?activecallkey='),
  z.object({ pong: z.number().int().describe('Server time, epoch ms') }).describe('ping'),
  z.object({ eventType: z.string(), agentId: z.string() }).loose().describe('takeCallback, releaseCallback, startCallback, updateCallbackTicket: the event that follows (CallbackTaken, …)'),
  z.object({ lists: z.number().int() }).describe('getCallbackLists: how many CallbackLists events follow'),
  z.object({ dialerId: z.string(), memberId: z.number().int(), decision: z.enum(['accepted', 'skipped']) }).describe('acceptPreview, skipPreview: a DialerPreview event follows'),
  z.object({ requestUuid: z.string(), callId: z.string() }).describe("listenCallbackMessage: the agent's phone rings and plays the message"),
]);

const ATTEMPT_OUTCOMES = ['answered', 'busy', 'no_answer', 'failed', 'machine', 'abandoned', 'skipped', 'dnc'] as const;
const dialerMember = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  priority: z.number().int(),
  communications: z.array(z.object({ destination: z.string(), priority: z.number().int(), type: z.object({ id: z.string() }).optional(), description: z.string().optional() })).describe('Seed 003: in the order they are tried'),
  variables: z.record(z.string(), z.string()).describe('Seed 003 member variables'),
  attempts: z.number().int().describe('Attempts made so far'),
  expireAt: z.number().nullable().describe('Epoch ms after which the member is not called'),
  bucket: z.string().nullable(),
});

const callbackPeriod = z.object({ uuid: z.string(), name: z.string(), periodStart: z.string(), periodEnd: z.string(), default: z.boolean() });
const callbackRequest = z.object({
  uuid: z.string(), listUuid: z.string(), phoneNumber: z.string().nullable(), mobilePhoneNumber: z.string().nullable(),
  firstName: z.string().nullable(), lastName: z.string().nullable(), company: z.string().nullable(), description: z.string().nullable(),
  agentId: z.string().nullable().describe('The agent holding it'), dueDate: z.string().nullable().describe('YYYY-MM-DD'), preferredPeriod: callbackPeriod.nullable(),
  parentCallId: z.string().nullable().describe('The call the request was left from (the queue\'s "leave a message" key)'),
  message: z.string().nullable().describe('The caller\'s voice message (a recording name); listenCallbackMessage plays it'),
  messageMs: z.number().int().nullable().describe('Its length, ms'),
});

export const CTI_EVENTS = {
  RightProfile: z
    .object({ profile: z.enum(['Admin', 'Supervisor', 'NoRight']), rights: z.array(z.string()) })
    .describe("Sent once on connection: the client's profile, which filters every event it receives"),
  Snapshot: z
    .object({ agents: z.array(agentState).describe('Every agent the client may see'), pbx: pbxLink })
    .describe('Sent on connection, right after RightProfile: the state of now, for a desktop that (re)connects'),
  PbxState: pbxLink.describe('The PBX link changed (to every client); calls cut by a lost PBX end with CDR cause pbx-lost'),
  AgentStateEvent: agentState.describe("An agent's state changed (or getAgentStates was asked)"),
  AgentOnlineStatus: z
    .object({ agentId: z.string(), phoneNb: z.string(), online: z.boolean() })
    .describe("The phone the agent is rung on registered or unregistered, or the agent moved to a phone in the other state; the state name does not change"),
  AgentDnd: z
    .object({ agentId: z.string(), phoneNb: z.string(), dnd: z.boolean() })
    .describe('The agent turned do-not-disturb on or off (setAgentDnd); the state name does not change'),
  AgentSkills: z
    .object({ agentId: z.string(), skills: z.record(z.string(), z.number().int().min(1).max(100)).describe('skill → level (1–100); {} when none') })
    .describe("The agent's skills changed (PUT/PATCH /agents/:id/skills or a configuration write); applied to routing at once"),
  PhoneEvent: z
    .object({
      eventType: z.enum(['EventRinging', 'EventEstablished', 'EventReleased']).describe("EventRinging: a queue call is offered to the agent; EventEstablished: the agent answered; EventReleased: the call ended"),
      callId: z.string(),
      agentId: z.string(),
      DN: z.string().describe("The agent's line"),
      otherDN: z.string().describe("The customer's number"),
      queueId: z.string().nullable(),
      direction: z.enum(['inbound', 'outbound']).describe('outbound for dialFromQueue, click-to-call, CreateCall and calls dialled from agent phones'),
      userData: z.record(z.string(), z.string()).describe('The call variables (USR_* from dialFromQueue, CreateCall, click2call)'),
    })
    .describe("A call of an agent rang, was answered or ended (seed 002 Phone Events, with the call's USR_ variables)"),
  QueueMember: queueMember.describe("An agent's membership of a queue changed; penalty -1 when removed"),
  AgentStatistics: z
    .object({
      id: z.string().describe('The agent id'),
      statistics: z.array(z.object({ name: agentStatName, value: z.union([z.number(), z.string(), z.null()]).describe('Seconds today, or an ISO date (null when none)') })),
    })
    .describe("An agent's time counters (after subscribeToAgentStats)"),
  QueueStatistics: z
    .object({
      queueId: z.string(),
      counters: z.array(z.object({ statName: queueStatName, value: z.number().describe('Seconds for times, % for PercentageAnsweredBefore; counts cover today (UTC)') })),
    })
    .describe("A queue's live counters (after subscribeToQueueStats)"),
  CallControl: z
    .object({
      callId: z.string(),
      agentId: z.string().nullable().describe('The agent whose call it is'),
      action: z.enum(['held', 'retrieved', 'transferred', 'consult-started', 'consult-answered', 'consult-failed', 'consult-cancelled', 'swapped', 'party-added', 'party-answered', 'party-failed', 'party-dropped']),
      mode: z.enum(['blind', 'attended']).optional().describe('transferred only'),
      target: z.string().optional().describe('The other party: an agent id, queue:<id> or a number'),
      at: z.number().describe('Epoch ms'),
    })
    .describe("Call control on an agent's call (to the agents and supervisors who see that agent, and the target agent)"),
  AgentListen: z
    .object({ started: z.boolean(), phoneNumber: z.string().describe('The line that hears the call'), agentId: z.string() })
    .describe('A listen on an agent started or ended'),
  AgentCall: z
    .object({
      agentId: z.string(),
      callId: z.string().describe('Use it with GET /cdrs?activecallkey='),
      phase: z.enum(['ringing', 'connected', 'ended']).describe('ringing: offered to the agent; connected: bridged; ended: the call is over (the CDR is written)'),
      from: z.string().describe("The caller's number"),
      dialled: z.string().describe('The number the caller dialled'),
      queueId: z.string().nullable(),
      ivrPath: z.array(z.string()).describe('The IVR nodes and keys the caller went through'),
      enqueuedAt: z.number().nullable().describe('Epoch ms the call entered the queue'),
      waitS: z.number().int().nullable().describe('Seconds waited in the queue until now (or until answered)'),
      variables: z.record(z.string(), z.string()).describe('Call variables: the lookup answer and USR_* values'),
      at: z.number().int().describe('Epoch ms of this phase'),
      wrapupS: z.number().int().nullable().describe("The queue's wrap-up time after the call, seconds (the desktop's countdown)"),
    })
    .describe("The call an agent is offered or on (the desktop's call card); also sent after Snapshot for each visible agent with a call"),
  CallbackLists: z
    .object({ uuid: z.string(), name: z.string(), queueId: z.string(), auto: z.boolean().describe('Due requests are offered to the queue\'s agents like calls'), periods: z.array(callbackPeriod), callbacks: z.array(callbackRequest) })
    .describe('Seed 002: one callback list with its open requests (answer to getCallbackLists)'),
  CallbackTaken: z.object({ uuid: z.string(), agentId: z.string() }).describe('Seed 002: an agent took a callback request (to whoever sees the agent)'),
  CallbackReleased: z.object({ uuid: z.string(), agentId: z.string() }).describe('Seed 002: a callback request was released (releaseCallback, logout, or a ticket with status Callback and no new date)'),
  CallbackStarted: z.object({ requestUuid: z.string(), ticketUuid: z.string(), agentId: z.string() }).describe('Seed 002: a callback was started (a ticket)'),
  CallbackClotured: z.object({ uuid: z.string(), agentId: z.string() }).describe('Seed 002: a ticket closed its request (status NoAnswer, Answered or Fax)'),
  CallbackRequestUpdated: z.object({ request: callbackRequest, agentId: z.string() }).describe('Seed 002: a ticket with status Callback gave its request a new due date or period'),
  DialerPreview: z
    .object({
      dialerId: z.string(),
      agentId: z.string(),
      phase: z.enum(['offered', 'accepted', 'skipped']).describe('offered: the member is on offer to the agent (accept with acceptPreview, skip with skipPreview); accepted: the agent is rung, then the customer; skipped: back to the list'),
      memberId: z.number().int(),
      member: dialerMember.optional().describe('offered: the member with its communications and variables'),
      reason: z.string().optional().describe('skipped: the reason given'),
    })
    .describe('Seed 003 preview dialing: a member offered to an agent, and the agent\'s decision (to the agent and whoever sees it)'),
  DialerAttempt: z
    .object({
      dialerId: z.string(),
      queueId: z.string().describe("The campaign's queue"),
      attemptId: z.number().int(),
      memberId: z.number().int(),
      callId: z.string().describe('The attempt\'s call (its CDR has this call id)'),
      destination: z.string(),
      phase: z.enum(['dialing', 'answered', 'ended']).describe('dialing: the attempt is stored and the number dialled; answered: a person answered (after answering-machine detection; customer-first modes); ended: with its outcome'),
      agentId: z.string().nullable(),
      outcome: z.enum(ATTEMPT_OUTCOMES).optional().describe('ended only'),
      cause: z.string().nullable().optional().describe('ended only: the hang-up cause or reason'),
      amd: z.string().nullable().optional().describe('ended only: answering-machine detection, STATUS:cause (HUMAN, MACHINE, NOTSURE, HANGUP)'),
      at: z.number().int().describe('Epoch ms'),
    })
    .describe("A dialer attempt's progress (to supervisors who see the campaign's queue, and to the attempt's agent)"),
  AgentList: z.array(agentListEntry).describe('Answer to getList agent'),
  AgentGroupList: z.array(z.object({ id: z.string(), name: z.string() })).describe('Answer to getList agentgroup'),
  QueueList: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        strategy: z.string(),
        groups: z.array(z.object({ group: z.string(), priority: z.number().int() })),
        serviceLevelS: z.number().describe("The queue's service-level threshold: answered within it counts as in service level, seconds"),
      }),
    )
    .describe('Answer to getList queue'),
  QueueMemberList: z.array(queueMember).describe('Answer to getList queuemember'),
  AgentDirectory: z.object({ directory: z.array(z.object({ agent: agentListEntry, agentState })) }).describe('Answer to getAgentDirectory'),
  CommandResult: z
    .object({ command: z.string().describe('The command answered'), requestId: z.union([z.string(), z.number()]).optional(), result: commandResult })
    .describe('A command succeeded'),
  AgentError: z
    .looseObject({
      Error: z.string().describe('A seed error (`PhoneNumberUnknown`, `LoggedInOnAnotherPhone`), a code of the API error catalogue, `BadRequest` or `INTERNAL`'),
      message: z.string().optional(),
      requestId: z.union([z.string(), z.number()]).optional(),
      phoneNb: z.string().optional().describe('LoggedInOnAnotherPhone: the current line'),
      RequestedNb: z.string().optional().describe('LoggedInOnAnotherPhone: the requested line'),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('BadRequest and VALIDATION_FAILED: what is wrong with the command, by field path'),
    })
    .describe('A command failed'),
} as const;

export type CtiEventType = keyof typeof CTI_EVENTS;
export type CtiEvent<K extends CtiEventType> = z.infer<(typeof CTI_EVENTS)[K]>;
export type CtiCommandResult = z.infer<typeof commandResult>;

// The agent service builds agent states (AgentStateMessage); its type and the schema must not drift
// apart: a field added there fails to compile here until `agentState` above describes it.
// Same keys (optional ones included) and each assignable to the other.
type Same<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false;
const agentStateMatchesService: Same<AgentStateMessage, z.infer<typeof agentState>> = true;
void agentStateMatchesService;
