// Bearer-token authentication on every route but those marked @Public(). The comparison is
// constant-time over SHA-256 digests, so neither the content nor the length of the token leaks.
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerConfig } from '../config';
import { IS_PUBLIC } from './public.decorator';
import { CONFIG } from './tokens';

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) config: ServerConfig,
  ) {
    this.expected = createHash('sha256').update(config.apiToken).digest();
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; query?: Record<string, unknown> }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([^\s]+)$/.exec(header);
    const presented = match?.[1] ?? '';
    const digest = createHash('sha256').update(presented).digest();
    if (!match || !timingSafeEqual(digest, this.expected)) {
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'a valid bearer token is required' });
    }
    return true;
  }
}
