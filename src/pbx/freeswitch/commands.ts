/**
 * How the FreeSWITCH driver sends commands: `api` calls that fail fast while the driver is
 * stopped or FreeSWITCH is lost, commands on one leg whose refusal becomes LEG_GONE when the
 * leg no longer exists (checked with uuid_exists, not by reading the error text), and
 * `execute` of an application on a leg with the Event-UUID its CHANNEL_EXECUTE_COMPLETE carries;
 * and taking a parked call (deleting the refusal our dialplan scheduled for it).
 */
import type { Logger } from 'pino';
import { PbxError, isPbxError, type LegId } from '../port.js';
import type { EslClient } from './esl-client.js';
import type { LegBook } from './leg-book.js';

export class FsCommands {
  constructor(
    private readonly client: EslClient,
    private readonly book: LegBook,
    /** Throws DISCONNECTED when commands cannot be sent now. */
    readonly ensureStarted: () => void,
  ) {}

  async api(command: string, signal?: AbortSignal): Promise<string> {
    this.ensureStarted();
    abortable(signal);
    return this.client.api(command);
  }

  /** A command on one leg; a refusal on a leg that no longer exists becomes LEG_GONE. */
  async legApi(leg: LegId, command: string, signal?: AbortSignal): Promise<string> {
    this.ensureStarted();
    if (this.book.isGone(leg)) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    abortable(signal);
    try {
      return await this.client.api(command);
    } catch (err) {
      throw await this.goneOr(leg, err);
    }
  }

  /** `execute` an application on a leg, with an Event-UUID its CHANNEL_EXECUTE_COMPLETE carries. */
  async execute(leg: LegId, app: string, arg: string, eventUuid: string, signal?: AbortSignal): Promise<void> {
    this.ensureStarted();
    if (this.book.isGone(leg)) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    abortable(signal);
    const msg = `sendmsg ${leg}\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}\nEvent-UUID: ${eventUuid}`;
    try {
      await this.client.command(msg);
    } catch (err) {
      throw await this.goneOr(leg, err);
    }
  }

  /** Stop what plays on a leg (a prompt, music on hold); a leg already gone is fine. */
  async breakMedia(leg: LegId): Promise<void> {
    try {
      await this.legApi(leg, `uuid_break ${leg}`);
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) throw err;
    }
  }

  private async goneOr(leg: LegId, err: unknown): Promise<PbxError> {
    const e = asPbxError(err);
    if (e.code !== 'REJECTED') return e;
    if (this.book.isGone(leg)) return new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg });
    const exists = await this.client.api(`uuid_exists ${leg}`).catch(() => 'true');
    return exists.trim() === 'false' ? new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg }) : e;
  }
}

/**
 * The dialplan schedules a 503 for every call it parks (sched_hangup +ENGINE_TAKE_S, in case no
 * engine takes it); a call reported to the engine is taken: its scheduled hang-up is deleted (the
 * task's group is the leg's uuid). One command per call; never throws.
 */
export async function takeCall(client: Pick<EslClient, 'api'>, leg: string, log: Logger): Promise<void> {
  try {
    const reply = await client.api(`sched_del ${leg}`);
    if (!/Deleted: [1-9]/.test(reply)) log.warn({ legId: leg, reply: reply.trim() }, 'no scheduled hang-up to delete on a call taken (dialplan without sched_hangup?)');
  } catch (err) {
    log.warn({ err, legId: leg }, 'deleting the scheduled hang-up failed: the call will be refused after ENGINE_TAKE_S');
  }
}

export function abortable(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PbxError('ABORTED', 'aborted before the command was sent');
}

export function asPbxError(err: unknown): PbxError {
  if (err instanceof PbxError) return err;
  return new PbxError('PROTOCOL', err instanceof Error ? err.message : String(err));
}
