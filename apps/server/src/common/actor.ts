// Who acted, for the audit trail of every operator command. The API has one bearer token, so
// this is a declared origin, not an identity: `X-Engine-Actor: inspector` from the inspector
// page, nothing (or `api`) from any other caller. Only the names in the allow-list are accepted;
// anything else is a 400, so no free text from a header reaches the log.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { parseOrThrow } from './validation';

export const ACTOR_HEADER = 'x-engine-actor';
export const actorSchema = z.enum(['api', 'inspector']);
export type Actor = z.infer<typeof actorSchema>;

export function actorFrom(value: unknown): Actor {
  return value === undefined ? 'api' : parseOrThrow(actorSchema, value, `${ACTOR_HEADER} header`);
}

/** The declared actor of the request (`api` when the header is absent). */
export const ActingAs = createParamDecorator((_: unknown, context: ExecutionContext): Actor => actorFrom(context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[ACTOR_HEADER]));

/** Documents the header on a route that records who acted. */
export const ApiActorHeader = () =>
  ApiHeader({ name: 'X-Engine-Actor', required: false, enum: actorSchema.options, description: 'who acted, recorded with the event: `inspector` from the inspector page; default `api`' });
