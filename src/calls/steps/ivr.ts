/**
 * The IVR step: walk a tree of menus, one node at a time, until an action leaves it (a queue, a
 * hang-up). Each node plays its prompts (a key stops them, and keys typed ahead are kept), waits
 * for a key, retries on time-out or an invalid key, then takes the key's action or `on_failure`.
 */
import type { Ivr, IvrAction } from '../../domain/config.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import type { PlayOutcome } from '../../pbx/port.js';
import { STOPPED } from '../../infra/stopped.js';
import { pickPrompts } from './queue-media.js';

/** DTMF keys typed by the caller, with type-ahead: a key pressed during a prompt stops it and waits to be read. */
export class Keypad {
  private readonly typed: string[] = [];
  private wake: (() => void) | undefined;

  push(key: string): void {
    this.typed.push(key);
    this.wake?.();
  }

  clear(): void {
    this.typed.length = 0;
  }

  /** Run `play` unless a key is already waiting; a key (or `hangup`) stops it. */
  async interruptible(play: (signal: AbortSignal) => Promise<PlayOutcome>, hangup: AbortSignal): Promise<void> {
    if (this.typed.length > 0) return;
    await this.until(hangup, (signal) => play(signal));
  }

  /** The next key, waiting at most `timeoutMs` (undefined on time-out or hang-up). */
  async next(clock: Clock, timeoutMs: number, hangup: AbortSignal): Promise<string | undefined> {
    const ready = this.typed.shift();
    if (ready !== undefined) return ready;
    await this.until(hangup, (signal) =>
      clock.sleep(timeoutMs, signal).catch(() => {
        // woken by a key or by hang-up
      }),
    );
    return this.typed.shift();
  }

  private async until(hangup: AbortSignal, work: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    const stop = new AbortController();
    const onHangup = () => stop.abort(STOPPED);
    hangup.addEventListener('abort', onHangup, { once: true });
    this.wake = () => stop.abort(STOPPED);
    try {
      await work(stop.signal);
    } finally {
      this.wake = undefined;
      hangup.removeEventListener('abort', onHangup);
    }
  }
}

export interface IvrContext {
  log: Logger;
  /** The path so far (`node:key`, `node:fail`), appended to. */
  path: string[];
  /** Play a node's prompts; a key stops them. Throws when the caller is gone. */
  prompt(prompts: Record<string, string[]>): Promise<void>;
  /** The next key within `timeoutMs`, or undefined. Throws when the caller is gone. */
  nextKey(timeoutMs: number): Promise<string | undefined>;
  clearKeys(): void;
  /** The caller enters a node (for the journal). */
  enterNode(id: string): void;
  setLanguage(language: string): void;
  /** A key's `skills`: the caller needs them (at least at these levels) in the queue it enters. */
  addSkills(skills: Record<string, number>): void;
  /** The root menu's prompts were played already (with the greeting): not again on its first visit. */
  rootPromptPlayed?: boolean;
}

/**
 * The greeting followed by the IVR's root menu, as one prompt list in `language` (one play
 * request for both, and one stop when a key cuts it).
 */
export function greetingWithMenu(greeting: Record<string, string[]>, ivr: Ivr, language: string): Record<string, string[]> {
  const root = ivr.nodes.find((n) => n.id === ivr.root);
  return { [language]: [...pickPrompts(greeting, language), ...(root ? pickPrompts(root.prompts, language) : [])] };
}

/** Walk the tree from `startNode` (a restart) or its root; resolves with the action that leaves it. */
export async function runIvr(ivr: Ivr, startNode: string | undefined, ctx: IvrContext): Promise<IvrAction> {
  const nodes = new Map(ivr.nodes.map((n) => [n.id, n]));
  let node = (startNode ? nodes.get(startNode) : undefined) ?? nodes.get(ivr.root);
  let played = !startNode && ctx.rootPromptPlayed === true;
  while (node) {
    ctx.enterNode(node.id);
    let chosen: IvrAction | undefined;
    for (let attempt = 0; attempt <= node.retries && !chosen; attempt++) {
      if (!played) await ctx.prompt(node.prompts);
      played = false;
      const key = await ctx.nextKey(node.timeout_s * 1000);
      if (key === undefined) {
        ctx.log.debug({ node: node.id }, 'ivr time-out');
        if (node.timeout_prompts && attempt < node.retries) await ctx.prompt(node.timeout_prompts);
        continue;
      }
      const action = node.keys[key];
      if (!action) {
        ctx.log.debug({ node: node.id, digit: key }, 'ivr invalid key');
        ctx.clearKeys();
        if (node.invalid_prompts && attempt < node.retries) await ctx.prompt(node.invalid_prompts);
        continue;
      }
      ctx.path.push(`${node.id}:${key}`);
      chosen = action;
    }
    if (!chosen) {
      ctx.path.push(`${node.id}:fail`);
      chosen = node.on_failure;
    }
    if ('language' in chosen && chosen.language) ctx.setLanguage(chosen.language);
    if ('skills' in chosen && chosen.skills) ctx.addSkills(chosen.skills);
    ctx.log.info({ node: node.id, action: chosen.action, path: ctx.path.join('>'), ...('skills' in chosen && chosen.skills ? { skills: Object.keys(chosen.skills) } : {}) }, 'ivr choice');
    if (chosen.action !== 'node') return chosen;
    node = nodes.get(chosen.node);
  }
  return { action: 'hangup' };
}
