import { z } from 'zod';
import { callbackMessageSchema } from './callback-message.js';
import { skillLevelsSchema } from './skills.js';
import { virtualQueueSchema } from './virtual-queue.js';

/**
 * The configuration model: numbers, IVR trees, queues, groups, agents and memberships.
 * One schema validates the YAML file and (later) API bodies, so both name the same field paths.
 * Times are in seconds in the config (operator-facing) and converted to ms by the engine.
 */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, and _ . : - only');

const language = z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'a language code such as en or es');

/** A prompt reference: `sound:name`, `recording:name`, or a bare name (treated as sound:). */
const prompt = z.string().min(1).max(256);

/** Prompts per language; `default` is used when the caller's language has none. */
const prompts = z.record(z.string(), z.array(prompt).min(1));

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

const secondsPositive = z.number().positive().max(86_400);
const secondsNonNeg = z.number().min(0).max(86_400);

/** Skills a key adds to the caller (skill → minimum level), required when it enters a queue that routes on skills. */
const ivrSkills = skillLevelsSchema.optional();

export const ivrActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('node'), node: id, language: language.optional(), skills: ivrSkills }).strict(),
  z.object({ action: z.literal('queue'), queue: id, language: language.optional(), priority: z.number().int().min(0).max(100).optional(), skills: ivrSkills }).strict(),
  z.object({ action: z.literal('hangup') }).strict(),
]);
export type IvrAction = z.infer<typeof ivrActionSchema>;

export const ivrNodeSchema = z
  .object({
    id,
    prompts,
    /** Seconds to wait for a key after the prompts end. */
    timeout_s: secondsPositive.default(5),
    /** How many times the node is replayed after a time-out or an invalid key. */
    retries: z.number().int().min(0).max(10).default(2),
    invalid_prompts: prompts.optional(),
    timeout_prompts: prompts.optional(),
    keys: z.record(z.string().regex(/^[0-9*#]$/, 'one DTMF key: 0-9, * or #'), ivrActionSchema),
    /** What happens when retries are exhausted. */
    on_failure: ivrActionSchema.default({ action: 'hangup' }),
  })
  .strict();
export type IvrNode = z.infer<typeof ivrNodeSchema>;

export const ivrSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    root: id,
    nodes: z.array(ivrNodeSchema).min(1),
  })
  .strict();
export type Ivr = z.infer<typeof ivrSchema>;

export const numberSchema = z
  .object({
    id,
    /** The dialled number (DID / extension) that reaches this entry. */
    number: z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +'),
    name: z.string().max(200).optional(),
    enable_ivr: z.boolean().default(false),
    ivr: id.optional(),
    /** The queue used when IVR is disabled. */
    queue: id.optional(),
    language: language.default('en'),
    /** Prompts played once the call is answered, before the IVR or queue. */
    greeting: prompts.optional(),
  })
  .strict();
export type NumberEntry = z.infer<typeof numberSchema>;

export const strategySchema = z.enum(['longest-idle', 'round-robin', 'fewest-calls', 'random', 'linear']);
export type Strategy = z.infer<typeof strategySchema>;

export const exitSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('hangup') }).strict(),
  z.object({ action: z.literal('queue'), queue: id }).strict(),
]);
export type ExitDestination = z.infer<typeof exitSchema>;

export const queueSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    strategy: strategySchema.default('longest-idle'),
    /** Higher weight wins when an agent serving several queues picks its next call. */
    weight: z.number().int().min(0).max(1000).default(0),
    /** Groups attached to the queue; priority 1 is the first tier. */
    groups: z.array(z.object({ group: id, priority: z.number().int().min(1).max(100).default(1) }).strict()).default([]),
    /** Seconds a call waits before each lower tier opens even while higher-tier agents are merely busy; 0 = a lower tier serves as soon as no higher-tier agent is available. */
    overflow_delay_s: secondsNonNeg.default(0),
    answer_timeout_s: secondsPositive.default(15),
    /** Consecutive unanswered offers after which the agent is paused with reason no-answer; 0 disables. */
    max_no_answer: z.number().int().min(0).max(100).default(3),
    /** Seconds before a call that every available agent declined is offered round again. */
    retry_s: secondsNonNeg.default(5),
    wrapup_s: secondsNonNeg.default(0),
    /** 0 = no limit. */
    max_wait_s: secondsNonNeg.default(0),
    exit: exitSchema.default({ action: 'hangup' }),
    /** When no member agent is logged in: join and wait, or refuse and go to `exit`. */
    join_empty: z.enum(['join', 'refuse']).default('join'),
    /** Answer within this many seconds counts toward the service level. */
    service_level_s: secondsPositive.default(20),
    greeting: prompts.optional(),
    moh_class: z.string().max(80).default('default'),
    /** Periodic announcement; 0 = none. */
    announce_every_s: secondsNonNeg.default(0),
    announce_prompts: prompts.optional(),
    announce_position: z.boolean().default(false),
    announce_wait_time: z.boolean().default(false),
    record: z.boolean().default(false),
    /** Seed 000 get_list_agents_url: POST the calls in queue, receive an ordered agent list per call. */
    agent_list_url: httpUrl.optional(),
    /** Skills-based routing: callers' skills restrict the agents offered, optionally relaxed after a wait. */
    skills: z
      .object({
        required: z.boolean().default(true),
        /** After this long in the queue a call's skills no longer restrict it; 0 = never. */
        relax_after_s: secondsNonNeg.default(0),
      })
      .strict()
      .optional(),
    /** Seed 004 virtual queue: callers keep their place without holding the line. */
    virtual_queue: virtualQueueSchema.optional(),
    /** "Leave a message and we call you back": a key that records a voice message into a callback request. */
    callback_message: callbackMessageSchema.optional(),
  })
  .strict();
export type Queue = z.infer<typeof queueSchema>;

export const groupSchema = z.object({ id, name: z.string().max(200).optional() }).strict();
export type Group = z.infer<typeof groupSchema>;

/** How an agent is reached: its SIP phone on the PBX (routing_type 1) or its own number through the trunk (2). */
export const agentPhoneSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sip'), endpoint: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a PJSIP endpoint name') }).strict(),
  z.object({ type: z.literal('external'), number: z.string().regex(/^\+?[0-9]{2,20}$/, 'a phone number') }).strict(),
]);
export type AgentPhone = z.infer<typeof agentPhoneSchema>;

export const agentSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    phone: agentPhoneSchema,
    groups: z.array(id).default([]),
    /** Logged in and ready when the engine starts (handy for demos and tests). */
    auto_login: z.boolean().default(false),
    /** Skill → level (1–100), for queues that route on callers' skills. */
    skills: skillLevelsSchema.optional(),
  })
  .strict();
export type Agent = z.infer<typeof agentSchema>;

export const membershipSchema = z
  .object({ agent: id, queue: id, penalty: z.number().int().min(0).max(1000).default(0) })
  .strict();
export type Membership = z.infer<typeof membershipSchema>;

/** A phone line agents can log in on (seed 002 loginAgent): a number and the SIP endpoint that rings. */
export const lineSchema = z
  .object({
    number: z.string().regex(/^\+?[0-9*#]{1,32}$/, 'digits, optionally with a leading +'),
    endpoint: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a PJSIP endpoint name'),
  })
  .strict();
export type Line = z.infer<typeof lineSchema>;

/** Outbound HTTP to CRMs: lookups, notifications. Delivery never blocks a call past `timeout_ms`. */
export const webhooksSchema = z
  .object({
    /** HMAC-SHA256 key for the X-Switchboard-Signature header. */
    secret: z.string().min(16, 'at least 16 characters').max(256).optional(),
    timeout_ms: z.number().int().min(50).max(10_000).default(2000),
    retries: z.number().int().min(0).max(10).default(3),
    /** Seed 003: GET with the caller's number on arrival; the JSON answer can set priority, queue, agent. */
    lookup_url: httpUrl.optional(),
    /** Seed 003: POST when a call is offered to an agent, and when the agent answers. */
    offering_url: httpUrl.optional(),
    bridged_url: httpUrl.optional(),
    /** Seed 001: GET with a query string when a call ends. */
    hangup_url: httpUrl.optional(),
    /** Seed 000 projectId sent to agent list URLs. */
    project_id: z.number().int().min(0).default(0),
  })
  .strict();
export type Webhooks = z.infer<typeof webhooksSchema>;

/** A regular expression over dialled digits. */
const numberPattern = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'a valid regular expression');

export const clickToCallSchema = z
  .object({
    /** Destinations a click-to-call, CreateCall or dialFromQueue may dial (a regular expression over the digits). */
    allow: numberPattern.default('^\\+?[0-9]{3,15}$'),
    /** Caller id shown to the customer. */
    caller_id: z.string().regex(/^\+?[0-9]{1,32}$/).optional(),
    /** Caller id shown on the agent's phone while it rings first. */
    agent_caller_id: z.string().max(80).optional(),
    answer_timeout_s: secondsPositive.default(30),
  })
  .strict();
export type ClickToCall = z.infer<typeof clickToCallSchema>;

/**
 * What an agent's own phone may dial out (through the trunk), for the agents and groups listed.
 * An agent's policy is the first one naming it in `agents`, else the first naming one of its
 * groups; an agent with none dials nothing.
 */
export const phonePolicySchema = z
  .object({
    id,
    agents: z.array(id).default([]),
    groups: z.array(id).default([]),
    /** A dialled number must match one of these (regular expressions over the digits). */
    allow: z.array(numberPattern).min(1),
    /** Checked first: a number matching one of these is refused even when allowed. */
    deny: z.array(numberPattern).default([]),
    /** Caller id shown to the called party; default the agent's line. */
    caller_id: z.string().regex(/^\+?[0-9]{1,32}$/, 'digits, optionally with a leading +').optional(),
    caller_name: z.string().max(80).optional(),
    /** Record these calls. */
    record: z.boolean().default(false),
    answer_timeout_s: secondsPositive.default(45),
  })
  .strict();
export type PhonePolicy = z.infer<typeof phonePolicySchema>;

/** The reasons an agent may give for a pause (the desktop's list; shown on the wallboard). */
export const DEFAULT_PAUSE_REASONS: readonly string[] = ['break', 'lunch', 'training', 'meeting'];
export const pauseReasonsSchema = z
  .array(z.string().trim().min(1, 'a reason cannot be empty').max(64))
  .min(1, 'list at least one reason')
  .max(50)
  .refine((list) => new Set(list).size === list.length, 'each reason once');

export const configSchema = z
  .object({
    numbers: z.array(numberSchema).default([]),
    ivrs: z.array(ivrSchema).default([]),
    queues: z.array(queueSchema).default([]),
    groups: z.array(groupSchema).default([]),
    agents: z.array(agentSchema).default([]),
    memberships: z.array(membershipSchema).default([]),
    lines: z.array(lineSchema).default([]),
    webhooks: webhooksSchema.default({ timeout_ms: 2000, retries: 3, project_id: 0 }),
    click_to_call: clickToCallSchema.default({ allow: '^\\+?[0-9]{3,15}$', answer_timeout_s: 30 }),
    phone_policies: z.array(phonePolicySchema).default([]),
    pause_reasons: pauseReasonsSchema.default(() => [...DEFAULT_PAUSE_REASONS]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const unique = <T extends { id: string }>(list: T[], key: string) => {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        if (seen.has(item.id)) issue([key, i, 'id'], `duplicate id "${item.id}"`);
        seen.add(item.id);
      });
      return seen;
    };
    const queues = unique(cfg.queues, 'queues');
    const groups = unique(cfg.groups, 'groups');
    const agents = unique(cfg.agents, 'agents');
    const ivrs = new Map(cfg.ivrs.map((ivr) => [ivr.id, ivr]));
    unique(cfg.ivrs, 'ivrs');
    unique(cfg.numbers, 'numbers');

    cfg.queues.forEach((q, i) => {
      if (q.callback_message && q.virtual_queue && q.callback_message.key === q.virtual_queue.key) {
        issue(['queues', i, 'callback_message', 'key'], `key "${q.callback_message.key}" is the virtual_queue key too`);
      }
    });

    const dialled = new Set<string>();
    cfg.numbers.forEach((n, i) => {
      if (dialled.has(n.number)) issue(['numbers', i, 'number'], `number "${n.number}" is used twice`);
      dialled.add(n.number);
      if (n.enable_ivr) {
        if (!n.ivr) issue(['numbers', i, 'ivr'], 'required when enable_ivr is true');
        else if (!ivrs.has(n.ivr)) issue(['numbers', i, 'ivr'], `unknown ivr "${n.ivr}"`);
      } else if (!n.queue) issue(['numbers', i, 'queue'], 'required when enable_ivr is false');
      if (n.queue && !queues.has(n.queue)) issue(['numbers', i, 'queue'], `unknown queue "${n.queue}"`);
      if (n.ivr && !ivrs.has(n.ivr) && !n.enable_ivr) issue(['numbers', i, 'ivr'], `unknown ivr "${n.ivr}"`);
    });

    const checkAction = (a: IvrAction, nodes: Set<string>, path: (string | number)[]) => {
      if (a.action === 'node' && !nodes.has(a.node)) issue([...path, 'node'], `unknown node "${a.node}"`);
      if (a.action === 'queue' && !queues.has(a.queue)) issue([...path, 'queue'], `unknown queue "${a.queue}"`);
    };
    cfg.ivrs.forEach((ivr, i) => {
      const nodes = new Set<string>();
      ivr.nodes.forEach((node, j) => {
        if (nodes.has(node.id)) issue(['ivrs', i, 'nodes', j, 'id'], `duplicate node id "${node.id}"`);
        nodes.add(node.id);
      });
      if (!nodes.has(ivr.root)) issue(['ivrs', i, 'root'], `unknown node "${ivr.root}"`);
      ivr.nodes.forEach((node, j) => {
        for (const [key, action] of Object.entries(node.keys)) checkAction(action, nodes, ['ivrs', i, 'nodes', j, 'keys', key]);
        checkAction(node.on_failure, nodes, ['ivrs', i, 'nodes', j, 'on_failure']);
      });
    });

    cfg.queues.forEach((q, i) => {
      q.groups.forEach((g, j) => {
        if (!groups.has(g.group)) issue(['queues', i, 'groups', j, 'group'], `unknown group "${g.group}"`);
      });
      if (q.exit.action === 'queue') {
        if (!queues.has(q.exit.queue)) issue(['queues', i, 'exit', 'queue'], `unknown queue "${q.exit.queue}"`);
        else if (q.exit.queue === q.id) issue(['queues', i, 'exit', 'queue'], 'a queue cannot exit to itself');
      }
    });
    // Exits must not loop (q1 → q2 → q1): a caller would bounce between queues for ever.
    const exitOf = new Map(cfg.queues.map((q) => [q.id, q.exit.action === 'queue' ? q.exit.queue : undefined]));
    cfg.queues.forEach((q, i) => {
      const seen = new Set([q.id]);
      for (let next = exitOf.get(q.id); next !== undefined; next = exitOf.get(next)) {
        if (seen.has(next)) {
          if (next === q.id && exitOf.get(q.id) !== q.id) issue(['queues', i, 'exit', 'queue'], `exits loop back to queue "${q.id}"`);
          break;
        }
        seen.add(next);
      }
    });
    cfg.agents.forEach((a, i) => {
      a.groups.forEach((g, j) => {
        if (!groups.has(g)) issue(['agents', i, 'groups', j], `unknown group "${g}"`);
      });
    });
    const lineNumbers = new Set<string>();
    cfg.lines.forEach((l, i) => {
      if (lineNumbers.has(l.number)) issue(['lines', i, 'number'], `line "${l.number}" is listed twice`);
      lineNumbers.add(l.number);
    });
    unique(cfg.phone_policies, 'phone_policies');
    cfg.phone_policies.forEach((p, i) => {
      if (p.agents.length === 0 && p.groups.length === 0) issue(['phone_policies', i, 'agents'], 'name at least one agent or group');
      p.agents.forEach((a, j) => {
        if (!agents.has(a)) issue(['phone_policies', i, 'agents', j], `unknown agent "${a}"`);
      });
      p.groups.forEach((g, j) => {
        if (!groups.has(g)) issue(['phone_policies', i, 'groups', j], `unknown group "${g}"`);
      });
    });
    const pairs = new Set<string>();
    cfg.memberships.forEach((m, i) => {
      if (!agents.has(m.agent)) issue(['memberships', i, 'agent'], `unknown agent "${m.agent}"`);
      if (!queues.has(m.queue)) issue(['memberships', i, 'queue'], `unknown queue "${m.queue}"`);
      const key = `${m.agent}\u0000${m.queue}`;
      if (pairs.has(key)) issue(['memberships', i], `agent "${m.agent}" is already a member of queue "${m.queue}"`);
      pairs.add(key);
    });
  });

export type Config = z.infer<typeof configSchema>;
/** What a config file may contain before defaults are applied. */
export type ConfigInput = z.input<typeof configSchema>;

export interface FieldIssue {
  /** Dotted path to the offending field, e.g. `queues[1].groups[0].group`. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

export type ParseResult = { ok: true; config: Config } | { ok: false; issues: FieldIssue[] };

/** Validate raw (already YAML/JSON-decoded) input; never throws. */
export function parseConfig(raw: unknown): ParseResult {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}
