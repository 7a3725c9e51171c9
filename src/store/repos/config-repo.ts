import { DEFAULT_PAUSE_REASONS, type Agent, type Config, type ExitDestination, type Group, type Ivr, type Membership, type NumberEntry, type Queue } from '../../domain/config.js';
import type { CallbackMessageSettings } from '../../domain/callback-message.js';
import type { VirtualQueueSettings } from '../../domain/virtual-queue.js';
import type { Database } from '../db.js';

type Prompts = NonNullable<Queue['greeting']>;
type Bool = 0 | 1;

interface GroupRow { id: string; position: number; name: string | null }
interface QueueRow {
  id: string; position: number; name: string | null; strategy: Queue['strategy']; weight: number;
  overflow_delay_s: number; answer_timeout_s: number; max_no_answer: number; retry_s: number; wrapup_s: number;
  max_wait_s: number; exit: string; join_empty: Queue['join_empty']; service_level_s: number; greeting: string | null;
  moh_class: string; announce_every_s: number; announce_prompts: string | null; announce_position: Bool;
  announce_wait_time: Bool; record: Bool; agent_list_url: string | null; virtual_queue: string | null; skills: string | null;
  callback_message: string | null;
}
interface QueueGroupRow { queue_id: string; position: number; group_id: string; priority: number }
interface IvrRow { id: string; position: number; name: string | null; root: string; nodes: string }
interface NumberRow {
  id: string; position: number; number: string; name: string | null; enable_ivr: Bool; ivr_id: string | null;
  queue_id: string | null; language: string; greeting: string | null;
}
interface AgentRow {
  id: string; position: number; name: string | null; phone_type: Agent['phone']['type'];
  phone_endpoint: string | null; phone_number: string | null; auto_login: Bool; skills: string | null;
}
interface AgentGroupRow { agent_id: string; position: number; group_id: string }
interface MembershipRow { agent_id: string; queue_id: string; position: number; penalty: number }

export interface ConfigRepo {
  /** Replace the whole stored configuration in one transaction; on any error nothing changes. */
  replaceAll(config: Config): void;
  /** Read back the stored configuration, lists in the order they were saved. */
  load(): Config;
}

/** Stores the configuration model in the config tables (see migrations/001_init.sql). */
export function createConfigRepo(db: Database): ConfigRepo {
  const tables = ['config_sections', 'memberships', 'agent_groups', 'queue_groups', 'numbers', 'agents', 'ivrs', 'queues', 'groups'];
  const deletes = tables.map((t) => db.prepare(`DELETE FROM ${t}`));

  const insertGroup = db.prepare<GroupRow>('INSERT INTO groups (id, position, name) VALUES (@id, @position, @name)');
  const insertQueue = db.prepare<QueueRow>(`INSERT INTO queues (id, position, name, strategy, weight, overflow_delay_s,
    answer_timeout_s, max_no_answer, retry_s, wrapup_s, max_wait_s, exit, join_empty, service_level_s, greeting,
    moh_class, announce_every_s, announce_prompts, announce_position, announce_wait_time, record, agent_list_url, virtual_queue, skills, callback_message)
    VALUES (@id, @position, @name, @strategy, @weight, @overflow_delay_s, @answer_timeout_s, @max_no_answer, @retry_s,
    @wrapup_s, @max_wait_s, @exit, @join_empty, @service_level_s, @greeting, @moh_class, @announce_every_s,
    @announce_prompts, @announce_position, @announce_wait_time, @record, @agent_list_url, @virtual_queue, @skills, @callback_message)`);
  const insertQueueGroup = db.prepare<QueueGroupRow>(
    'INSERT INTO queue_groups (queue_id, position, group_id, priority) VALUES (@queue_id, @position, @group_id, @priority)',
  );
  const insertIvr = db.prepare<IvrRow>(
    'INSERT INTO ivrs (id, position, name, root, nodes) VALUES (@id, @position, @name, @root, @nodes)',
  );
  const insertNumber = db.prepare<NumberRow>(`INSERT INTO numbers
    (id, position, number, name, enable_ivr, ivr_id, queue_id, language, greeting)
    VALUES (@id, @position, @number, @name, @enable_ivr, @ivr_id, @queue_id, @language, @greeting)`);
  const insertAgent = db.prepare<AgentRow>(`INSERT INTO agents
    (id, position, name, phone_type, phone_endpoint, phone_number, auto_login, skills)
    VALUES (@id, @position, @name, @phone_type, @phone_endpoint, @phone_number, @auto_login, @skills)`);
  const insertAgentGroup = db.prepare<AgentGroupRow>(
    'INSERT INTO agent_groups (agent_id, position, group_id) VALUES (@agent_id, @position, @group_id)',
  );
  const insertMembership = db.prepare<MembershipRow>(
    'INSERT INTO memberships (agent_id, queue_id, position, penalty) VALUES (@agent_id, @queue_id, @position, @penalty)',
  );

  const insertSection = db.prepare<[string, string]>('INSERT INTO config_sections (key, value) VALUES (?, ?)');
  const selectSections = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM config_sections');

  const selectGroups = db.prepare<[], GroupRow>('SELECT * FROM groups ORDER BY position');
  const selectQueues = db.prepare<[], QueueRow>('SELECT * FROM queues ORDER BY position');
  const selectQueueGroups = db.prepare<[], QueueGroupRow>('SELECT * FROM queue_groups ORDER BY queue_id, position');
  const selectIvrs = db.prepare<[], IvrRow>('SELECT * FROM ivrs ORDER BY position');
  const selectNumbers = db.prepare<[], NumberRow>('SELECT * FROM numbers ORDER BY position');
  const selectAgents = db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY position');
  const selectAgentGroups = db.prepare<[], AgentGroupRow>('SELECT * FROM agent_groups ORDER BY agent_id, position');
  const selectMemberships = db.prepare<[], MembershipRow>('SELECT * FROM memberships ORDER BY position');

  const replaceAll = db.transaction((config: Config) => {
    for (const del of deletes) del.run();
    config.groups.forEach((g, position) => insertGroup.run({ id: g.id, position, name: g.name ?? null }));
    config.queues.forEach((q, position) => {
      insertQueue.run(queueToRow(q, position));
      q.groups.forEach((g, i) =>
        insertQueueGroup.run({ queue_id: q.id, position: i, group_id: g.group, priority: g.priority }),
      );
    });
    config.ivrs.forEach((ivr, position) =>
      insertIvr.run({ id: ivr.id, position, name: ivr.name ?? null, root: ivr.root, nodes: JSON.stringify(ivr.nodes) }),
    );
    config.numbers.forEach((n, position) => insertNumber.run(numberToRow(n, position)));
    config.agents.forEach((a, position) => {
      insertAgent.run(agentToRow(a, position));
      a.groups.forEach((group_id, i) => insertAgentGroup.run({ agent_id: a.id, position: i, group_id }));
    });
    config.memberships.forEach((m, position) =>
      insertMembership.run({ agent_id: m.agent, queue_id: m.queue, position, penalty: m.penalty }),
    );
    insertSection.run('lines', JSON.stringify(config.lines));
    insertSection.run('webhooks', JSON.stringify(config.webhooks));
    insertSection.run('click_to_call', JSON.stringify(config.click_to_call));
    insertSection.run('phone_policies', JSON.stringify(config.phone_policies));
    insertSection.run('pause_reasons', JSON.stringify(config.pause_reasons));
  });

  function load(): Config {
    const queueGroups = groupBy(selectQueueGroups.all(), (r) => r.queue_id);
    const agentGroups = groupBy(selectAgentGroups.all(), (r) => r.agent_id);
    const sections = new Map(selectSections.all().map((r) => [r.key, JSON.parse(r.value) as unknown]));
    return {
      numbers: selectNumbers.all().map(rowToNumber),
      ivrs: selectIvrs.all().map(rowToIvr),
      queues: selectQueues.all().map((r) => rowToQueue(r, queueGroups.get(r.id) ?? [])),
      groups: selectGroups.all().map(rowToGroup),
      agents: selectAgents.all().map((r) => rowToAgent(r, agentGroups.get(r.id) ?? [])),
      memberships: selectMemberships.all().map(rowToMembership),
      lines: (sections.get('lines') as Config['lines'] | undefined) ?? [],
      webhooks: (sections.get('webhooks') as Config['webhooks'] | undefined) ?? { timeout_ms: 2000, retries: 3, project_id: 0 },
      click_to_call: (sections.get('click_to_call') as Config['click_to_call'] | undefined) ?? { allow: '^\\+?[0-9]{3,15}$', answer_timeout_s: 30 },
      phone_policies: (sections.get('phone_policies') as Config['phone_policies'] | undefined) ?? [],
      pause_reasons: (sections.get('pause_reasons') as Config['pause_reasons'] | undefined) ?? [...DEFAULT_PAUSE_REASONS],
    };
  }

  return { replaceAll: (config) => replaceAll(config), load };
}

function queueToRow(q: Queue, position: number): QueueRow {
  return {
    id: q.id, position, name: q.name ?? null, strategy: q.strategy, weight: q.weight,
    overflow_delay_s: q.overflow_delay_s, answer_timeout_s: q.answer_timeout_s, max_no_answer: q.max_no_answer,
    retry_s: q.retry_s, wrapup_s: q.wrapup_s, max_wait_s: q.max_wait_s, exit: JSON.stringify(q.exit),
    join_empty: q.join_empty, service_level_s: q.service_level_s, greeting: jsonOrNull(q.greeting),
    moh_class: q.moh_class, announce_every_s: q.announce_every_s, announce_prompts: jsonOrNull(q.announce_prompts),
    announce_position: bit(q.announce_position), announce_wait_time: bit(q.announce_wait_time), record: bit(q.record),
    agent_list_url: q.agent_list_url ?? null,
    virtual_queue: jsonOrNull(q.virtual_queue),
    skills: jsonOrNull(q.skills),
    callback_message: jsonOrNull(q.callback_message),
  };
}

function rowToQueue(r: QueueRow, groups: QueueGroupRow[]): Queue {
  return {
    id: r.id,
    ...optional('name', r.name),
    strategy: r.strategy,
    weight: r.weight,
    groups: groups.map((g) => ({ group: g.group_id, priority: g.priority })),
    overflow_delay_s: r.overflow_delay_s,
    answer_timeout_s: r.answer_timeout_s,
    max_no_answer: r.max_no_answer,
    retry_s: r.retry_s,
    wrapup_s: r.wrapup_s,
    max_wait_s: r.max_wait_s,
    exit: JSON.parse(r.exit) as ExitDestination,
    join_empty: r.join_empty,
    service_level_s: r.service_level_s,
    ...optional('greeting', parseJson<Prompts>(r.greeting)),
    moh_class: r.moh_class,
    announce_every_s: r.announce_every_s,
    ...optional('announce_prompts', parseJson<Prompts>(r.announce_prompts)),
    announce_position: r.announce_position === 1,
    announce_wait_time: r.announce_wait_time === 1,
    record: r.record === 1,
    ...optional('agent_list_url', r.agent_list_url),
    ...optional('virtual_queue', parseJson<VirtualQueueSettings>(r.virtual_queue)),
    ...optional('skills', parseJson<NonNullable<Queue['skills']>>(r.skills)),
    ...optional('callback_message', parseJson<CallbackMessageSettings>(r.callback_message)),
  };
}

function rowToIvr(r: IvrRow): Ivr {
  return { id: r.id, ...optional('name', r.name), root: r.root, nodes: JSON.parse(r.nodes) as Ivr['nodes'] };
}

function numberToRow(n: NumberEntry, position: number): NumberRow {
  return {
    id: n.id, position, number: n.number, name: n.name ?? null, enable_ivr: bit(n.enable_ivr),
    ivr_id: n.ivr ?? null, queue_id: n.queue ?? null, language: n.language, greeting: jsonOrNull(n.greeting),
  };
}

function rowToNumber(r: NumberRow): NumberEntry {
  return {
    id: r.id,
    number: r.number,
    ...optional('name', r.name),
    enable_ivr: r.enable_ivr === 1,
    ...optional('ivr', r.ivr_id),
    ...optional('queue', r.queue_id),
    language: r.language,
    ...optional('greeting', parseJson<Prompts>(r.greeting)),
  };
}

function rowToGroup(r: GroupRow): Group {
  return { id: r.id, ...optional('name', r.name) };
}

function agentToRow(a: Agent, position: number): AgentRow {
  return {
    id: a.id, position, name: a.name ?? null, phone_type: a.phone.type,
    phone_endpoint: a.phone.type === 'sip' ? a.phone.endpoint : null,
    phone_number: a.phone.type === 'external' ? a.phone.number : null,
    auto_login: bit(a.auto_login),
    skills: jsonOrNull(a.skills),
  };
}

function rowToAgent(r: AgentRow, groups: AgentGroupRow[]): Agent {
  const phone: Agent['phone'] =
    r.phone_type === 'sip' ? { type: 'sip', endpoint: r.phone_endpoint ?? '' } : { type: 'external', number: r.phone_number ?? '' };
  return {
    id: r.id,
    ...optional('name', r.name),
    phone,
    groups: groups.map((g) => g.group_id),
    auto_login: r.auto_login === 1,
    ...optional('skills', parseJson<Record<string, number>>(r.skills)),
  };
}

function rowToMembership(r: MembershipRow): Membership {
  return { agent: r.agent_id, queue: r.queue_id, penalty: r.penalty };
}

/** `{ [key]: value }` when the column holds a value, `{}` when NULL, so absent optional fields stay absent. */
function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function bit(value: boolean): Bool {
  return value ? 1 : 0;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}
