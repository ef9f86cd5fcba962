// What an operator may do to a stream now, and why not: each answer comes from the machine (its
// `can` and its refusal reason, the same check a command goes through), so a button in the
// inspector is enabled exactly when the command would be accepted, and disabled with the
// reason the API's 409 would give.
import { z } from 'zod/v4';
import { InvalidCommandError, stepStart, type ActorHost, type AnyMachineDefinition, type CommandEvent } from '@engine/core';

export const allowedActionSchema = z.object({
  action: z.string().describe('cancel, retry, resubmit, answerCaptcha, recover.soft, recover.hard, recover.nuclear, pause, resume'),
  allowed: z.boolean(),
  reason: z.string().nullable().describe('why it is refused now (the machine’s reason); null when allowed'),
});
export type AllowedAction = z.infer<typeof allowedActionSchema>;

export const allowed = (action: string): AllowedAction => ({ action, allowed: true, reason: null });
export const refused = (action: string, reason: string): AllowedAction => ({ action, allowed: false, reason });

/** The reason the stream's machine would refuse `event` now, or null when it accepts it. Records nothing. */
export async function refusalOf(host: ActorHost, stream: string, event: CommandEvent): Promise<string | null> {
  try {
    await host.assertAccepts(stream, event);
    return null;
  } catch (error) {
    if (!(error instanceof InvalidCommandError)) throw error;
    return typeof error.details.reason === 'string' ? error.details.reason : error.message;
  }
}

/** The same question for a stream that does not exist yet: asked of the machine's first state for `input`. */
export function refusalAtStart(def: AnyMachineDefinition, stream: string, input: unknown, event: CommandEvent, at: number): string | null {
  try {
    assertAcceptsAtStart(def, stream, input, event, at);
    return null;
  } catch (error) {
    if (!(error instanceof InvalidCommandError)) throw error;
    return typeof error.details.reason === 'string' ? error.details.reason : error.message;
  }
}

/** Throws the InvalidCommandError `send` would give if the stream existed in its first state; creates nothing. */
export function assertAcceptsAtStart(def: AnyMachineDefinition, stream: string, input: unknown, event: CommandEvent, at: number): void {
  const { snapshot, state } = stepStart(def, stream, input, { at });
  if (!snapshot.can(event)) throw new InvalidCommandError(stream, event.type, state.value, def.refusal?.(snapshot, event));
}

export async function actionFor(action: string, host: ActorHost, stream: string, event: CommandEvent): Promise<AllowedAction> {
  const reason = await refusalOf(host, stream, event);
  return reason === null ? allowed(action) : refused(action, reason);
}
