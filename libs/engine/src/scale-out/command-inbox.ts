// Commands for a stream another worker holds travel through the log: the sender appends them
// to the stream's inbox `inbox-<stream>` (a plain fact, no state), the holder applies them in
// order as its own commands and records in its lease row how far it got. A new holder starts
// from that mark, so a command sent to a worker that died is applied by the next one.
// Delivery is at least once (a crash between applying and marking repeats the last command),
// which the commands sent this way tolerate: a repeated FAILURE_REPORTED joins the recovery in
// progress or is counted as stale, a repeated CANCEL of a cancelled job is refused.
import { InvalidCommandError, type ActorHost, type Clock, type CommandEvent, type EngineEvent, type EventStore, type Logger } from '@engine/core';

export const INBOX_PREFIX = 'inbox-';
export const COMMAND_FORWARDED = 'command.forwarded';

export function inboxOf(stream: string): string {
  return `${INBOX_PREFIX}${stream}`;
}

export interface CommandInboxOptions {
  store: EventStore;
  clock: Clock;
  logger: Logger;
  host: ActorHost;
  /** Persists how far a stream's inbox was applied (the lease row, under this holder's fencing token). */
  markApplied: (stream: string, version: number, fence: number) => Promise<void>;
}

export class CommandInbox {
  constructor(private readonly options: CommandInboxOptions) {}

  /** Appends a command for `stream`; its holder (now or later) applies it. */
  async forward(stream: string, event: CommandEvent): Promise<void> {
    const at = new Date(this.options.clock.now()).toISOString();
    await this.options.store.append(inboxOf(stream), [{ type: COMMAND_FORWARDED, data: { event }, stateAfter: null, meta: { at } }], { expectedVersion: 'any' });
  }

  /**
   * Applies the commands after `appliedVersion` to `stream` (which this worker holds under token
   * `fence`) while `stillHeld` says so; returns the new mark. A command is never sent once the
   * stream is lost: the host would forward it to the inbox again, and the new holder run it twice.
   */
  async drain(stream: string, appliedVersion: number, fence: number, stillHeld: () => boolean): Promise<number> {
    const messages = await this.options.store.read(inboxOf(stream), appliedVersion + 1);
    let mark = appliedVersion;
    for (const message of messages) {
      if (!stillHeld()) break;
      const { event } = message.data as { event: EngineEvent };
      try {
        await this.options.host.send(stream, event);
      } catch (error) {
        // Refused (the state moved on) is an answer too; anything else is retried at the next drain.
        if (!(error instanceof InvalidCommandError)) throw error;
        this.options.logger.info('forwarded command refused', { stream, type: event.type });
      }
      mark = message.version;
    }
    if (mark > appliedVersion) await this.options.markApplied(stream, mark, fence);
    return mark;
  }
}
