// What a request handler gets: the parsed request, its session, and the portal's services.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptchaStore } from './captcha';
import type { FaultState } from './faults';
import type { LoginThrottle } from './login-throttle';
import type { ResolvedOptions } from './options';
import type { FormProgress } from './proposal/form-progress';
import type { SubmissionLog } from './proposal/submissions';
import type { Session, SessionStore } from './session-store';
import type { StatsCounter } from './stats';

export interface PortalServices {
  options: ResolvedOptions;
  sessions: SessionStore;
  captchas: CaptchaStore;
  throttle: LoginThrottle;
  faults: FaultState;
  stats: StatsCounter;
  submissions: SubmissionLog;
  formProgress: FormProgress;
  /** Waits `ms`; rejects when the simulator closes, so no timer outlives it. */
  delay(ms: number): Promise<void>;
  /** Keeps a response open without answering until the client gives up or the simulator closes. */
  hang(res: ServerResponse): void;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  services: PortalServices;
}

export interface AuthenticatedContext extends RequestContext {
  session: Session;
}

export type Handler<C extends RequestContext = RequestContext> = (ctx: C) => void | Promise<void>;
