// Exact-path routing, case-insensitive as IIS is, with a flag for the few pages that need no
// session (login, captcha, static assets).
import type { AuthenticatedContext, Handler, RequestContext } from './context';

export type Method = 'GET' | 'POST';

export type Route =
  | { public: true; handlers: Partial<Record<Method, Handler<RequestContext>>> }
  | { public: false; handlers: Partial<Record<Method, Handler<AuthenticatedContext>>> };

export class Router {
  private readonly routes = new Map<string, Route>();

  public(path: string, handlers: Partial<Record<Method, Handler<RequestContext>>>): this {
    this.routes.set(path.toLowerCase(), { public: true, handlers });
    return this;
  }

  protected(path: string, handlers: Partial<Record<Method, Handler<AuthenticatedContext>>>): this {
    this.routes.set(path.toLowerCase(), { public: false, handlers });
    return this;
  }

  match(path: string): Route | undefined {
    return this.routes.get(path.toLowerCase());
  }
}
