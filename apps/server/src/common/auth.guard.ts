// Bearer-token authentication on every route but those marked @Public().
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerConfig } from '../config';
import { BearerToken, UNAUTHORIZED_BODY } from './bearer-token';
import { IS_PUBLIC } from './public.decorator';
import { CONFIG } from './tokens';

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly token: BearerToken;

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) config: ServerConfig,
  ) {
    this.token = new BearerToken(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    if (!this.token.accepts(request.headers.authorization)) throw new UnauthorizedException({ ...UNAUTHORIZED_BODY });
    return true;
  }
}
