/**
 * The native baseline for `npm run load -- --baseline app_queue`: the reference flow done by
 * Asterisk alone — Background()/WaitExten() IVR with the same prompts, keys, time-outs and
 * retries, the queue's greeting, then Queue() with the same queues (music class, ring time-out,
 * retry, wrap-up, maximum wait) and static PJSIP members with penalties from the group priority
 * (plus a membership's own penalty). Rendered by the bench into the harness's private Asterisk
 * only (an extra context reached by dialling `native`); never the product's dialplan.
 *
 * Also: Asterisk's CPU time from /proc and the queue_log records of the native calls (the native
 * path's "CDR": a call that entered a queue has a terminal queue_log event).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, Ivr, IvrAction, Queue } from '../../src/domain/config.js';
import type { RunningAsterisk } from '../../test/asterisk/harness.js';

/** What SIPp dials to take the native path (the engine's path dials the number itself). */
export const NATIVE_EXTEN = 'native';

const ctxNode = (id: string) => `sbn-node-${id}`;
const ctxQueue = (id: string) => `sbn-queue-${id}`;
const soundName = (p: string) => p.replace(/^sound:/, '');

function pick(prompts: Record<string, string[]> | undefined, language: string): string[] {
  if (!prompts) return [];
  return (prompts[language] ?? prompts.default ?? Object.values(prompts)[0] ?? []).map(soundName);
}

function gotoAction(a: IvrAction): string[] {
  const out: string[] = [];
  if ('language' in a && a.language) out.push(`Set(CHANNEL(language)=${a.language})`);
  if (a.action === 'node') out.push(`Goto(${ctxNode(a.node)},s,1)`);
  else if (a.action === 'queue') out.push(`Goto(${ctxQueue(a.queue)},s,1)`);
  else out.push('Hangup()');
  return out;
}

function lines(exten: string, apps: string[]): string {
  return apps.map((app, i) => (i === 0 ? `exten => ${exten},1,${app}` : ` same => n,${app}`)).join('\n');
}

/** The IVR nodes (one context each) and one context per queue: greeting, then Queue(). */
export function nativeDialplan(config: Config, numberId: string): string {
  const number = config.numbers.find((n) => n.id === numberId || n.number === numberId);
  if (!number) throw new Error(`native baseline: number ${numberId} is not in the config`);
  const ivr: Ivr | undefined = number.enable_ivr && number.ivr ? config.ivrs.find((i) => i.id === number.ivr) : undefined;
  const lang = number.language ?? 'en';
  const out: string[] = ['', '; ---- native baseline (bench only) ----', `[sbn-entry]`];
  const entry = ivr ? `Goto(${ctxNode(ivr.root)},s,1)` : `Goto(${ctxQueue(number.queue ?? '')},s,1)`;
  out.push(lines('s', ['Answer()', `Set(CHANNEL(language)=${lang})`, `Set(TRIES=0)`, entry]));
  for (const node of ivr?.nodes ?? []) {
    // The prompts' language is resolved once per node, as the engine does (a language key sets it).
    const play = pick(node.prompts, lang).join('&');
    const invalid = pick(node.invalid_prompts, lang).join('&');
    const timeout = pick(node.timeout_prompts, lang).join('&');
    out.push('', `[${ctxNode(node.id)}]`);
    out.push(lines('s', ['Set(TRIES=0)', ...(play ? [`Background(${play})`] : []), `WaitExten(${node.timeout_s})`]));
    out.push(' same => n(retry),Set(TRIES=$[${TRIES}+1])');
    out.push(` same => n,GotoIf($[\${TRIES} > ${node.retries}]?fail)`);
    if (play) out.push(` same => n,Background(${play})`);
    out.push(` same => n,WaitExten(${node.timeout_s})`, ' same => n,Goto(retry)');
    out.push(' same => n(fail),' + gotoAction(node.on_failure).join('\n same => n,'));
    for (const [key, action] of Object.entries(node.keys)) out.push(lines(key, gotoAction(action)));
    out.push(lines('t', [...(timeout ? [`Playback(${timeout})`] : []), 'Goto(s,retry)']));
    out.push(lines('i', [...(invalid ? [`Playback(${invalid})`] : []), 'Goto(s,retry)']));
  }
  for (const q of config.queues) {
    const greeting = pick(q.greeting, lang).join('&');
    out.push('', `[${ctxQueue(q.id)}]`);
    out.push(lines('s', [...(greeting ? [`Playback(${greeting})`] : []), `Queue(${q.id},,,,${q.max_wait_s})`, 'Hangup()']));
  }
  return out.join('\n') + '\n';
}

/** queues.conf: each queue with static PJSIP members (penalty = group priority − 1 + membership penalty). */
export function nativeQueues(config: Config): string {
  const out = ['[general]', 'persistentmembers = no', 'autofill = yes', 'shared_lastcall = no', ''];
  for (const q of config.queues) {
    out.push(`[${q.id}]`, `musicclass = ${q.moh_class}`, `strategy = ${strategyOf(q)}`, `timeout = ${q.answer_timeout_s}`, `retry = ${q.retry_s}`, `wrapuptime = ${q.wrapup_s}`, 'joinempty = yes', 'leavewhenempty = no', 'ringinuse = no', 'announce-frequency = 0', 'periodic-announce-frequency = 0');
    const penalties = new Map<string, number>();
    for (const g of q.groups) {
      for (const a of config.agents) if (a.groups.includes(g.group)) penalties.set(a.id, Math.min(penalties.get(a.id) ?? Infinity, g.priority - 1));
    }
    for (const m of config.memberships) if (m.queue === q.id) penalties.set(m.agent, (penalties.get(m.agent) ?? 0) + m.penalty);
    for (const [agentId, penalty] of penalties) {
      const agent = config.agents.find((a) => a.id === agentId);
      if (agent?.phone.type === 'sip') out.push(`member => PJSIP/${agent.phone.endpoint},${penalty}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function strategyOf(q: Queue): string {
  switch (q.strategy) {
    case 'longest-idle':
      return 'leastrecent';
    case 'linear':
      return 'linear';
    case 'round-robin':
      return 'rrmemory';
    case 'fewest-calls':
      return 'fewestcalls';
    case 'random':
      return 'random';
    default:
      return 'leastrecent';
  }
}

/** Write the native flow into the running harness Asterisk and load app_queue; SIPp then dials NATIVE_EXTEN. */
export async function installNativeBaseline(asterisk: RunningAsterisk, config: Config, numberId: string): Promise<void> {
  const etc = join(asterisk.dir, 'etc');
  const ext = join(etc, 'extensions.conf');
  const text = readFileSync(ext, 'utf8');
  if (!text.includes('[from-trunk]\n')) throw new Error('native baseline: no [from-trunk] context in the rendered dialplan');
  writeFileSync(ext, text.replace('[from-trunk]\n', `[from-trunk]\nexten => ${NATIVE_EXTEN},1,Goto(sbn-entry,s,1)\n`));
  appendFileSync(ext, nativeDialplan(config, numberId));
  writeFileSync(join(etc, 'queues.conf'), nativeQueues(config));
  await asterisk.cli('dialplan reload');
  const loaded = await asterisk.cli('module load app_queue.so');
  const check = await asterisk.cli('queue show');
  if (!config.queues.every((q) => check.includes(q.id))) throw new Error(`native baseline: app_queue did not load the queues: ${loaded} ${check}`);
}

/** Asterisk's CPU time so far (user + system), ms, from /proc/<pid>/stat. */
export function asteriskCpuMs(asterisk: RunningAsterisk): number {
  const pid = readFileSync(join(asterisk.dir, 'run', 'asterisk.pid'), 'utf8').trim();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is [0], utime [11], stime [12] (clock ticks, 100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface QueueLogSummary {
  /** Calls (queue_log call ids) that entered a queue. */
  entered: number;
  /** Of which connected to an agent and completed. */
  completed: number;
  /** Of which ended some other way (abandon, time-out, exit). */
  otherEnd: number;
  /** When each completed call ended, ms since the epoch (queue_log has whole seconds). */
  completedAt: number[];
}

/** Read the queue_log lines written from byte `from` on (native calls only: the engine writes none). */
export function queueLogSince(asterisk: RunningAsterisk, from: number): QueueLogSummary {
  const file = join(asterisk.logDir, 'queue_log');
  if (!existsSync(file)) return { entered: 0, completed: 0, otherEnd: 0, completedAt: [] };
  const text = readFileSync(file).subarray(from).toString('utf8');
  const entered = new Set<string>();
  const completed = new Set<string>();
  const other = new Set<string>();
  const completedAt: number[] = [];
  for (const line of text.split('\n')) {
    const [time, callId, , , event] = line.split('|');
    if (!callId || callId === 'NONE' || !event) continue;
    if (event === 'ENTERQUEUE') entered.add(callId);
    else if (event === 'COMPLETEAGENT' || event === 'COMPLETECALLER') {
      completed.add(callId);
      completedAt.push(Number(time) * 1000);
    }
    else if (event === 'ABANDON' || event === 'EXITWITHTIMEOUT' || event === 'EXITEMPTY' || event === 'EXITWITHKEY') other.add(callId);
  }
  return { entered: entered.size, completed: completed.size, otherEnd: other.size, completedAt: completedAt.sort((a, b) => a - b) };
}

export function queueLogSize(asterisk: RunningAsterisk): number {
  const file = join(asterisk.logDir, 'queue_log');
  return existsSync(file) ? readFileSync(file).length : 0;
}
