// The simulator's options and their defaults, resolved once at start.
import { randomSeed } from './prng';

export interface PortalUser {
  username: string;
  password: string;
}

export interface PortalSimOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Seeds captchas, latency jitter and 5xx rolls; random when absent (read it back from `PortalSim.seed`). */
  seed?: number;
  /** Default false; enables the /__test/* routes. */
  testHooks?: boolean;
  /** Default [{ username: 'agent', password: 'Secr3t!pass' }]. */
  users?: PortalUser[];
  /** Default 20 minutes. */
  idleTtlMs?: number;
  /** Default 8 hours. */
  absoluteTtlMs?: number;
  /** Default false; when true a new login ends the user's older sessions. */
  singleSessionPerUser?: boolean;
  /** Default false; when true the form's progress lives in the server session (WebForms style). */
  formStateInSession?: boolean;
  /** Default 5 wrong passwords. */
  lockoutAfter?: number;
  /** Default 60 000. */
  lockoutMs?: number;
  /** Latency of the model dropdown's XHR, default 120. */
  modelsLatencyMs?: number;
  /** Default Date.now. */
  now?: () => number;
}

export type ResolvedOptions = Required<PortalSimOptions>;

export const DEFAULT_USERS: readonly PortalUser[] = [{ username: 'agent', password: 'Secr3t!pass' }];

export function resolveOptions(options: PortalSimOptions = {}): ResolvedOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed: options.seed ?? randomSeed(),
    testHooks: options.testHooks ?? false,
    users: options.users ?? DEFAULT_USERS.map((u) => ({ ...u })),
    idleTtlMs: options.idleTtlMs ?? 20 * 60_000,
    absoluteTtlMs: options.absoluteTtlMs ?? 8 * 60 * 60_000,
    singleSessionPerUser: options.singleSessionPerUser ?? false,
    formStateInSession: options.formStateInSession ?? false,
    lockoutAfter: options.lockoutAfter ?? 5,
    lockoutMs: options.lockoutMs ?? 60_000,
    modelsLatencyMs: options.modelsLatencyMs ?? 120,
    now: options.now ?? Date.now,
  };
}
