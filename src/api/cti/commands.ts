/**
 * The CTI WebSocket's commands (seed 002 shapes): one zod schema per command, used by the gateway
 * to validate what clients send and by the AsyncAPI generator to document it.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);
const phone = z.string().regex(/^\+?[0-9*#]{1,32}$/);
const agentId = id.describe('The agent commanded; an agent may omit it to command itself');
/** Echoed in the CommandResult or AgentError that answers the command. */
const requestId = z.union([z.string().max(64), z.number()]).describe('Echoed in the CommandResult or AgentError that answers this command').optional();

const command = <N extends string, S extends z.ZodRawShape>(name: N, description: string, shape: S) =>
  z.object({ command: z.literal(name), requestId, ...shape }).describe(description);

export const CTI_COMMANDS = [
  command('loginAgent', 'Log the agent in on a line (seed 002 cases); answered with the agent state', { agentPhoneNumber: phone.describe('The line (hot desk) or the agent\'s own endpoint'), agentId: agentId.optional() }),
  command('logoutAgent', 'Log the agent out; answered with the agent state', { agentId: agentId.optional() }),
  command('pauseAgent', 'Pause the agent (AgentOnPause with cause = reason); answered with the agent state', { agentId: agentId.optional(), reason: z.string().max(80).optional() }),
  command('unpauseAgent', 'Make a paused agent ready again; answered with the agent state', { agentId: agentId.optional() }),
  command('listenAgent', 'A phone hears the agent\'s call (supervisors and admins); AgentListen events follow', {
    agentId: id,
    phoneNumber: phone.describe('The line that hears the call; default the caller\'s own line').optional(),
    mode: z.enum(['listen', 'whisper', 'barge']).optional(),
  }),
  command('setAgentQueue', 'Add the agent to a queue or change its penalty; a QueueMember event follows', { agentId: id, queueId: id, penalty: z.number().int().min(0).max(1000) }),
  command('removeAgentFromQueue', 'Remove the agent\'s direct membership of a queue; a QueueMember event with penalty -1 follows', { agentId: id, queueId: id }),
  command('monitorPause', 'Pause the recording of the agent\'s queue call', { agentId: agentId.optional() }),
  command('monitorUnpause', 'Resume the recording of the agent\'s queue call', { agentId: agentId.optional() }),
  command('subscribeToAgentStats', 'One AgentStatistics per visible agent now, then one on each change', {}),
  command('subscribeToQueueStats', 'One QueueStatistics per visible queue now, then one on each change', {}),
  command('getList', 'Answered with AgentList, AgentGroupList, QueueList or QueueMemberList', { objectType: z.enum(['agent', 'agentgroup', 'queue', 'queuemember']) }),
  command('getAgentDirectory', 'Answered with AgentDirectory', {}),
  command('getAgentStates', 'Answered with one AgentStateEvent per visible agent', {}),
  command('click2call', 'Ring the agent, then the destination; answered with the call id', {
    agentId: agentId.optional(),
    destination: phone,
    callerId: phone.optional(),
    variables: z.record(z.string(), z.string().max(200)).optional(),
  }),
  command('callControl', 'Hold, transfer, consult or conference on the agent\'s call; answered with the call\'s control state, CallControl events follow', {
    agentId: agentId.optional(),
    action: z.enum(['hold', 'unhold', 'transfer', 'consult', 'conference', 'complete', 'cancel', 'swap', 'drop']),
    target: z
      .object({ agentId: id.optional(), queueId: id.optional(), number: z.string().regex(/^\+?[0-9]{1,32}$/).optional() })
      .strict()
      .describe('transfer: one of agentId, queueId, number; consult and conference: agentId or number')
      .optional(),
  }),
  command('dialFromQueue', 'Dial the destination through the trunk; once answered, it is queued for a free agent of the queue (seed 002); answered with the call id', {
    destination: phone,
    queueId: id,
    callerId: phone.describe('Seed 002: the caller id on both sides').optional(),
    callerIdName: z.string().max(80).optional(),
    callerIdNumber: phone.optional(),
    variables: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/), z.string().max(200)).optional().describe('Each becomes USR_<name> on the call, its events and CDR'),
  }),
  command('setAgentDnd', 'Do-not-disturb on or off: the agent stays logged in but is not offered calls; answered with the agent state, an AgentDnd event follows', { agentId: agentId.optional(), dnd: z.boolean() }),
  command('getCallbackLists', "Seed 002 Callback.getCallbackLists: one CallbackLists event per list of the agent's queues, with its open requests", { agentId: agentId.optional() }),
  command('takeCallback', 'Seed 002 Callback.takeCallback: hold the request (CallbackTaken); AgentError ALREADY_TAKEN when another agent holds it', { agentId: agentId.optional(), uuid: id }),
  command('releaseCallback', 'Seed 002 Callback.releaseCallback (CallbackReleased)', { agentId: agentId.optional(), uuid: id }),
  command('startCallback', "Seed 002 Callback.startCallback: a ticket; the agent's phone rings, then the number (CallbackStarted)", { agentId: agentId.optional(), uuid: id, phoneNumber: phone }),
  command('updateCallbackTicket', 'Seed 002 Callback.updateCallbackTicket: NoAnswer, Answered, Fax close the request (CallbackClotured); Callback keeps it (CallbackRequestUpdated on a new dueDate or period)', {
    agentId: agentId.optional(),
    uuid: id.describe('The ticket (from CallbackStarted)'),
    status: z.enum(['NoAnswer', 'Answered', 'Fax', 'Callback']),
    description: z.string().max(2000).optional(),
    dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').optional(),
    periodUuid: id.optional(),
  }),
  command('acceptPreview', 'Seed 003 preview dialing: accept the member on offer (DialerPreview offered); the agent is rung, then the customer', { agentId: agentId.optional() }),
  command('skipPreview', 'Seed 003 preview dialing: skip the member on offer with a reason; it goes back to the list', { agentId: agentId.optional(), reason: z.string().min(1).max(200) }),
  command('listenCallbackMessage', "Seed 002 Callback.listenCallbackMessage: the agent's phone rings (answering by itself where it can) and plays the request's voice message; answered with the request and the call id; AgentError CALLBACK_NO_MESSAGE, AGENT_NOT_FOUND, AGENT_NOT_LOGGED_IN", { agentId: agentId.optional(), uuid: id.describe('The callback request') }),
  command('ping', 'Answered with the server time', {}),
] as const;

export const ctiCommand = z.discriminatedUnion('command', CTI_COMMANDS);
export type CtiCommand = z.infer<typeof ctiCommand>;
