/**
 * Which phone each agent is rung on, and whether that phone is registered: known lines (the
 * config's hot-desk `lines` and every agent's own SIP endpoint), the line each agent is logged in
 * on (seed 002 loginAgent), and the registration state the PBX last reported per endpoint.
 */
import type { Agent, Config, Line } from '../domain/config.js';
import type { Destination } from '../pbx/port.js';

export class AgentPhones {
  private agents = new Map<string, Agent>();
  private lines = new Map<string, Line>();
  /** Hot-desk lines agents are logged in on. */
  private readonly agentLine = new Map<string, string>();
  private agentByAddress = new Map<string, string>();
  /** Last registration state reported per endpoint; an endpoint never reported counts as online. */
  private readonly endpointOnline = new Map<string, boolean>();

  /** Take a new configuration: lines and agents swap; a hot-desk login on a vanished line or agent ends. */
  apply(config: Config): void {
    this.agents = new Map(config.agents.map((a) => [a.id, a]));
    this.lines = new Map<string, Line>();
    for (const a of config.agents) if (a.phone.type === 'sip') this.lines.set(a.phone.endpoint, { number: a.phone.endpoint, endpoint: a.phone.endpoint });
    for (const l of config.lines) this.lines.set(l.number, l);
    for (const [agentId, line] of [...this.agentLine]) if (!this.agents.has(agentId) || !this.lines.has(line)) this.agentLine.delete(agentId);
    this.rebuildAddresses();
  }

  line(number: string): Line | undefined {
    return this.lines.get(number);
  }

  /** The line an agent is logged in on (its own phone's number when it has no hot-desk line). */
  lineOf(agentId: string): string | undefined {
    const line = this.agentLine.get(agentId);
    if (line) return line;
    const a = this.agents.get(agentId);
    return a ? (a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number) : undefined;
  }

  /** The hot-desk line the agent is logged in on, if any (not its own phone). */
  hotDeskLine(agentId: string): string | undefined {
    return this.agentLine.get(agentId);
  }

  /** The agent holding a hot-desk line, if any. */
  agentOnLine(line: string): string | undefined {
    for (const [agentId, l] of this.agentLine) if (l === line) return agentId;
    return undefined;
  }

  setLine(agentId: string, line: string | undefined): void {
    if (line === undefined) this.agentLine.delete(agentId);
    else this.agentLine.set(agentId, line);
    this.rebuildAddresses();
  }

  destination(agentId: string): Destination | undefined {
    const line = this.agentLine.get(agentId);
    if (line) {
      const l = this.lines.get(line);
      if (l) return { kind: 'sip', endpoint: l.endpoint };
    }
    const a = this.agents.get(agentId);
    if (!a) return undefined;
    return a.phone.type === 'sip' ? { kind: 'sip', endpoint: a.phone.endpoint } : { kind: 'external', number: a.phone.number };
  }

  /** Record a registration change; returns the agent rung on that endpoint, if any. */
  endpointState(endpoint: string, online: boolean): string | undefined {
    this.endpointOnline.set(endpoint, online);
    return this.agentByAddress.get(endpoint);
  }

  /** The agent rung on this endpoint or number, if any. */
  agentAt(address: string): string | undefined {
    return this.agentByAddress.get(address);
  }

  /** Whether the phone the agent is rung on now is registered (an external number always is). */
  reachable(agentId: string): boolean {
    const a = this.agents.get(agentId);
    return a ? (this.endpointOnline.get(this.addressOf(a)) ?? true) : true;
  }

  /** Where an agent is rung: its hot-desk line's endpoint, else its own phone. */
  private addressOf(a: Agent): string {
    const line = this.agentLine.get(a.id);
    return line ? this.lines.get(line)!.endpoint : a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number;
  }

  private rebuildAddresses(): void {
    this.agentByAddress = new Map();
    for (const a of this.agents.values()) this.agentByAddress.set(this.addressOf(a), a.id);
  }
}
