/**
 * The AsyncAPI 3.0 document of the CTI WebSocket, generated from the zod schemas the gateway uses
 * (commands.ts, events.ts). `npm run asyncapi` writes it to docs/cti.asyncapi.yaml; the API serves
 * it at GET /asyncapi.yaml.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { CTI_COMMANDS, type CtiCommand } from './commands.js';
import { CTI_EVENTS, type CtiEventType } from './events.js';

type CommandName = CtiCommand['command'];

/** What the server sends back for each command (besides an AgentError when it fails). */
const REPLIES: Record<CommandName, CtiEventType[]> = {
  loginAgent: ['CommandResult'],
  logoutAgent: ['CommandResult'],
  pauseAgent: ['CommandResult'],
  unpauseAgent: ['CommandResult'],
  listenAgent: ['CommandResult'],
  setAgentQueue: ['CommandResult'],
  removeAgentFromQueue: ['CommandResult'],
  monitorPause: ['CommandResult'],
  monitorUnpause: ['CommandResult'],
  subscribeToAgentStats: ['AgentStatistics'],
  subscribeToQueueStats: ['QueueStatistics'],
  getList: ['AgentList', 'AgentGroupList', 'QueueList', 'QueueMemberList'],
  getAgentDirectory: ['AgentDirectory'],
  getAgentStates: ['AgentStateEvent'],
  click2call: ['CommandResult'],
  callControl: ['CommandResult', 'CallControl'],
  dialFromQueue: ['CommandResult'],
  setAgentDnd: ['CommandResult'],
  getCallbackLists: ['CallbackLists', 'CommandResult'],
  takeCallback: ['CommandResult', 'CallbackTaken'],
  releaseCallback: ['CommandResult', 'CallbackReleased'],
  startCallback: ['CommandResult', 'CallbackStarted'],
  updateCallbackTicket: ['CommandResult', 'CallbackClotured', 'CallbackRequestUpdated', 'CallbackReleased'],
  acceptPreview: ['CommandResult', 'DialerPreview'],
  skipPreview: ['CommandResult', 'DialerPreview'],
  listenCallbackMessage: ['CommandResult'],
  ping: ['CommandResult'],
};

/** Events a client receives without asking (after connecting or subscribing). */
const PUSHED: CtiEventType[] = ['RightProfile', 'AgentStateEvent', 'QueueMember', 'AgentStatistics', 'QueueStatistics', 'AgentListen', 'AgentDnd', 'AgentSkills', 'PhoneEvent', 'CallControl', 'CallbackReleased', 'DialerPreview', 'DialerAttempt'];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-07', io });
  return rest;
};

const ref = (path: string) => ({ $ref: path });

/** Kept in step with the OpenAPI document's version (src/api/server.ts). */
const VERSION = '0.1.0';

export function buildCtiAsyncApi(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const schema of CTI_COMMANDS) {
    const name = schema.shape.command.value;
    messages[name] = { name, title: name, summary: schema.description, contentType: 'application/json', payload: jsonSchema(schema, 'input') };
    channelMessages[name] = ref(`#/components/messages/${name}`);
  }
  for (const [msgType, schema] of Object.entries(CTI_EVENTS)) {
    const envelope = z.object({ msgType: z.literal(msgType), ctiMessage: schema });
    messages[msgType] = { name: msgType, title: msgType, summary: schema.description, contentType: 'application/json', payload: jsonSchema(envelope, 'output') };
    channelMessages[msgType] = ref(`#/components/messages/${msgType}`);
  }
  const channel = ref('#/channels/cti');
  for (const schema of CTI_COMMANDS) {
    const name = schema.shape.command.value;
    operations[name] = {
      action: 'receive',
      title: name,
      summary: schema.description,
      channel,
      messages: [ref(`#/channels/cti/messages/${name}`)],
      reply: { channel, messages: [...REPLIES[name], 'AgentError'].map((m) => ref(`#/channels/cti/messages/${m}`)) },
    };
  }
  for (const msgType of PUSHED) {
    operations[`push${msgType}`] = { action: 'send', title: msgType, summary: CTI_EVENTS[msgType].description, channel, messages: [ref(`#/channels/cti/messages/${msgType}`)] };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard CTI WebSocket',
      version: VERSION,
      description: [
        'Agent desktops, supervisor wallboards and CRMs send commands and receive events (seed 002 shapes).',
        'Every message from the server is `{"msgType", "ctiMessage"}`; messages to the server are JSON objects with a `command`.',
        'Events are filtered by the client\'s profile (see docs/cti.md). Generated from the zod schemas in src/api/cti/ by `npm run asyncapi`.',
      ].join('\n'),
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:8080',
        protocol: 'ws',
        pathname: '/cti',
        description: 'The engine\'s HTTP port (SWITCHBOARD_HTTP_HOST, SWITCHBOARD_HTTP_PORT)',
        security: [ref('#/components/securitySchemes/token'), ref('#/components/securitySchemes/bearer'), ref('#/components/securitySchemes/apiKey')],
      },
    },
    channels: {
      cti: {
        address: '/cti',
        title: 'CTI',
        description: 'One WebSocket per client. The server pings every 30 s and drops clients that do not answer.',
        messages: channelMessages,
      },
    },
    operations,
    components: {
      messages,
      securitySchemes: {
        token: { type: 'httpApiKey', in: 'query', name: 'token', description: 'A session token (POST /auth/login) or an API key' },
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token or an API key as `Authorization: Bearer`' },
        apiKey: { type: 'httpApiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
  };
}

/** The document as YAML, exactly as committed in docs/cti.asyncapi.yaml. */
export function renderCtiAsyncApi(): string {
  return `# Generated by \`npm run asyncapi\` from src/api/cti/{commands,events}.ts; do not edit.\n${stringify(buildCtiAsyncApi(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
