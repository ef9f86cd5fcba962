// The master-sessions facade for operators: each master session's state (one per portal, or one
// per account of a portal that lists accounts: `<portal>` or `<portal>.<account>`), its recovery in
// progress and history, a manual recovery, and the captcha a manual solver waits on (image out,
// answer in). Views come from the host's read feed; commands answer with what they committed.
// The answer goes to the waiting login only: the event records that the challenge was
// answered, never how.
import { z } from 'zod/v4';
import { InvalidCommandError, NotFoundError, type ActorHost, type Clock, type EventStore, type StreamState } from '@engine/core';
import type { ManualCaptchaSolver, PendingCaptcha } from '@engine/portals';
import {
  isMasterAvailable,
  JOB_MACHINE,
  MASTER_SESSION_MACHINE,
  masterSessionHasTag,
  masterSessionStream,
  masterStateName,
  parseMasterSessionId,
  recoveryHistory,
  type MasterSessionDefinition,
  type MasterSessionEvent,
  type RecoveryLevel,
} from '@engine/machines';
import type { StateOf } from '@engine/core';
import { actionFor, refused, type AllowedAction } from '../actions/allowed-actions';
import { incidentOf, unavailableWindow, type Incident } from './incidents';

type MasterState = StateOf<MasterSessionDefinition>;

export const sessionViewSchema = z.object({
  portal: z.string(),
  session: z.string().describe('the master session: `<portal>` (a portal with one login, or its first account) or `<portal>.<account>`; its stream is `master-<session>`'),
  account: z.string().nullable().describe('the account it logs in as, for a portal that lists accounts; null for a portal with one credentials reference'),
  state: z.string().describe('the top-level state: launching, loggingIn, awaitingCaptcha, captchaBackoff, ready, probing, recovering, critical, restarting'),
  intakeHalted: z.boolean(),
  readySince: z.string().nullable(),
  probes: z.number().int(),
  recoveryInProgress: z
    .object({ number: z.number().int(), level: z.string().nullable(), try: z.number().int().nullable(), joinedReports: z.number().int() })
    .nullable(),
  recoveries: z.number().int(),
  awaitingCaptcha: z.boolean().describe('the login waits on an operator (a challenge open, or about to be asked again after one expired)'),
  captcha: z
    .object({
      challengeId: z.string().describe('the open challenge (answer it with this id), or the last one while waiting to ask again'),
      open: z.boolean().describe('false once it expired: a new challenge is asked after the retry wait'),
      askedAt: z.string().nullable(),
      expiresAt: z.string().nullable().describe('null for a challenge recorded before deadlines existed (machine version 1)'),
      unanswered: z.number().int().describe('challenges in a row that expired without an answer'),
      wrongAnswers: z.number().int(),
    })
    .nullable(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const recoveryHistorySchema = z.object({
  portal: z.string(),
  attempts: z.array(
    z.object({
      recovery: z.number().int().describe('the nth recovery of the session'),
      level: z.enum(['soft', 'hard', 'nuclear']),
      try: z.number().int(),
      startedAt: z.string(),
      endedAt: z.string().nullable(),
      durationMs: z.number().nullable(),
      outcome: z.enum(['running', 'succeeded', 'failed']),
      errorCode: z.string().nullable(),
    }),
  ),
});
export type RecoveryHistory = z.infer<typeof recoveryHistorySchema>;

export interface SessionsApiOptions {
  host: ActorHost;
  store: EventStore;
  clock: Clock;
  manualCaptcha: ManualCaptchaSolver;
  /** Whether the master session's browser (`<portal>` or `<portal>.<account>`) is running in this process. */
  browserAlive: (session: string) => boolean;
  /** The configured portals (a portal without credentials has no session). */
  portals: () => string[];
  /** The account a master session (`<portal>` or `<portal>.<account>`) logs in as; default: the id's own account part. */
  accountOf?: (session: string) => string | null;
  /** What a session's outage after `after` held, cancelled or refused besides jobs (SessionOperations.chargedTo), by stream. */
  operations?: (stream: string, after: string | null) => Incident['operations'];
}

/** An answer to a challenge the session does not wait on (HTTP 409); names the open one, if any. */
export class CaptchaConflictError extends InvalidCommandError {
  constructor(stream: string, state: unknown, reason: string, currentChallengeId: string | null) {
    super(stream, 'CAPTCHA_ANSWERED', state, reason);
    this.details.currentChallengeId = currentChallengeId;
  }
}

/** Which of a portal's sessions a captcha request is for, when its path names only the portal. */
export interface CaptchaTarget {
  account?: string;
  challengeId?: string;
}

/**
 * A captcha request that names a portal whose accounts wait on several challenges, without the
 * account or the challenge id (HTTP 409): nothing is answered; the open ones are listed.
 */
export class CaptchaAmbiguousError extends InvalidCommandError {
  constructor(portal: string, open: { session: string; account: string | null; challengeId: string }[]) {
    super(
      masterSessionStream(portal),
      'CAPTCHA_ANSWERED',
      'awaitingCaptcha',
      `portal ${portal} has ${open.length} captcha challenges open (sessions ${open.map((o) => o.session).join(', ')}): name the session in the path (<portal>.<account>), or the account or challengeId`,
    );
    this.details.open = open;
  }
}

export class SessionsApi {
  /** Each unavailable session's current unavailable run, by the stream version it was read at. */
  private readonly since = new Map<string, { version: number; since: string; after: string | null }>();

  constructor(private readonly options: SessionsApiOptions) {}

  /** Every configured portal, with or without a master session. */
  portals(): string[] {
    return this.options.portals();
  }

  /** The master sessions of a portal (`<portal>` first, then `<portal>.<account>` by id); empty when it has none. */
  sessionsOf(portal: string): string[] {
    const sessions: string[] = [];
    for (const entry of this.options.host.feed.allOf(MASTER_SESSION_MACHINE)) if (entry.state.context.portal === portal) sessions.push(sessionIdOf(entry.stream));
    return sessions.sort((a, b) => (a === portal ? -1 : b === portal ? 1 : a.localeCompare(b)));
  }

  /** The session's view (a portal id: its only or first account's; or `<portal>.<account>`), or undefined when there is none. */
  find(portal: string): SessionView | undefined {
    const entry = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, portal);
    return entry && this.view(entry);
  }

  /** Every master session: one per portal, one per account of a portal with accounts. */
  list(): SessionView[] {
    return [...this.options.host.feed.allOf(MASTER_SESSION_MACHINE)].map((entry) => this.view(entry));
  }

  /** A portal's (default) session, or one account's by `<portal>.<account>`. */
  get(session: string): SessionView {
    return this.view(this.entry(session));
  }

  async recoveries(session: string): Promise<RecoveryHistory> {
    const entry = this.entry(session);
    return { portal: entry.state.context.portal, attempts: recoveryHistory(await this.options.store.read(masterSessionStream(session))) };
  }

  /**
   * One open incident per master session (each account's of a portal with accounts) that cannot
   * serve jobs now: its root cause, since when, the jobs waiting on it, and the leases and
   * keep-alive probes its outage held, cancelled or refused. Empty when every session is available.
   */
  async incidents(): Promise<Incident[]> {
    const jobs = [...this.options.host.feed.allOf(JOB_MACHINE)];
    const masters = [...this.options.host.feed.allOf(MASTER_SESSION_MACHINE)];
    const served = new Set(masters.filter((master) => isMasterAvailable(master.state)).map((master) => master.state.context.portal));
    const incidents: Incident[] = [];
    for (const master of masters) {
      if (isMasterAvailable(master.state)) continue;
      const window = await this.unavailableWindow(master);
      const operations = this.options.operations?.(master.stream, window.after) ?? { waiting: 0, cancelled: 0, refused: 0, byName: {} };
      incidents.push(incidentOf(master, jobs, window.since, { account: this.accountOf(sessionIdOf(master.stream)), operations, portalServed: served.has(master.state.context.portal) }));
    }
    return incidents.sort((a, b) => a.portal.localeCompare(b.portal) || a.session.localeCompare(b.session));
  }

  /**
   * With a level: a recovery forced at that level, from any state. Without: a logged-in session
   * or a running recovery gets a failure report (starts a recovery, or joins the one running);
   * anywhere else (critical, starting up, waiting on a captcha, restarting) an operator reset, a
   * clean start from a fresh browser.
   */
  async recover(session: string, by = 'api', level?: RecoveryLevel): Promise<SessionView> {
    const entry = this.entry(session);
    if (level) {
      const forced: MasterSessionEvent = { type: 'RECOVERY_REQUESTED', level, by, at: new Date(this.options.clock.now()).toISOString() };
      return this.view(await this.options.host.sendTo(MASTER_SESSION_MACHINE, session, forced));
    }
    const heals = (isMasterAvailable(entry.state) || masterSessionHasTag(entry.state, 'recovering')) && !masterSessionHasTag(entry.state, 'awaitingCaptcha');
    const event: MasterSessionEvent = heals
      ? { type: 'FAILURE_REPORTED', jobId: `operator:${by}`, reason: 'operator_request', at: new Date(this.options.clock.now()).toISOString() }
      : { type: 'RESET', by };
    return this.view(await this.options.host.sendTo(MASTER_SESSION_MACHINE, session, event));
  }

  /**
   * The image of the challenge a session's login waits on; NotFoundError when none is open. The
   * session is found as for an answer (captchaSession): `<portal>.<account>`, or a portal id with
   * the account or challenge id when several of its accounts wait.
   */
  captchaImage(target: string, which: CaptchaTarget = {}): Buffer {
    const session = this.captchaSession(target, which);
    const open = this.openChallenge(this.entry(session));
    const challenge = open && this.pendingChallenge(session, open);
    if (!challenge) throw new NotFoundError('open captcha challenge for session', session);
    return challenge.image;
  }

  /**
   * Hands the answer to the waiting login and records CAPTCHA_ANSWERED. Only the session's open
   * challenge is answered: another id (expired, unknown), or no open challenge at all, is a
   * conflict naming the current challenge; nothing is handed over or recorded. `target` is a
   * session (`<portal>.<account>`) or a portal id: with one session waiting, that one; with several,
   * the one `account` or `challengeId` names, else a conflict listing them (CaptchaAmbiguousError).
   */
  async answerCaptcha(target: string, answer: string, challengeId?: string, by = 'api', account?: string): Promise<SessionView> {
    const portal = this.captchaSession(target, { challengeId, account });
    const entry = this.entry(portal);
    const open = this.openChallenge(entry);
    const pending = open ? this.pendingChallenge(portal, open) : undefined;
    if (!open || !pending || (challengeId !== undefined && challengeId !== open)) {
      const reason = !open
        ? 'the session is not waiting on a captcha'
        : challengeId !== undefined && challengeId !== open
          ? `challenge ${challengeId} is not the open one (expired, answered or unknown); the open challenge is ${open}`
          : `challenge ${open} is no longer waiting for an answer in this process`;
      throw new CaptchaConflictError(`master-${portal}`, entry.state.value, reason, pending ? open : null);
    }
    const event: MasterSessionEvent = { type: 'CAPTCHA_ANSWERED', challengeId: open, by };
    await this.options.host.assertAccepts(`master-${portal}`, event);
    this.options.manualCaptcha.answer(open, answer);
    return this.view(await this.options.host.sendTo(MASTER_SESSION_MACHINE, portal, event));
  }

  /**
   * What an operator may do with the session now, each with the reason it is refused: answer the
   * open captcha (only one this process holds the parked login of), force a recovery level.
   */
  async actions(portal: string): Promise<AllowedAction[]> {
    const entry = this.entry(portal);
    const open = this.openChallenge(entry);
    const pending = open !== null && this.pendingChallenge(portal, open) !== undefined;
    const answer = !open
      ? refused('answerCaptcha', 'the session is not waiting on a captcha')
      : !pending
        ? refused('answerCaptcha', `challenge ${open} is no longer waiting for an answer in this process`)
        : await actionFor('answerCaptcha', this.options.host, entry.stream, { type: 'CAPTCHA_ANSWERED', challengeId: open, by: 'operator' });
    const at = new Date(this.options.clock.now()).toISOString();
    const levels = await Promise.all(
      (['soft', 'hard', 'nuclear'] as const).map((level) => actionFor(`recover.${level}`, this.options.host, entry.stream, { type: 'RECOVERY_REQUESTED', level, by: 'operator', at })),
    );
    return [answer, ...levels];
  }

  /** The solver's pending challenge `id` when it is this session's (an older one, untagged, by portal). */
  private pendingChallenge(session: string, id: string): PendingCaptcha | undefined {
    const { portal } = parseMasterSessionId(session);
    return this.options.manualCaptcha.pending().find((c) => c.id === id && (c.session !== undefined ? c.session === session : c.portal === portal));
  }

  /**
   * The session a captcha request is for. `<portal>.<account>` names it. A portal id names the
   * portal's only session; of a portal with accounts, the one `account` names, else the one whose
   * open challenge is `challengeId`, else the only one with an open challenge. Several open and
   * none named: CaptchaAmbiguousError (409) listing them; none open: the portal's own session
   * (whose answer then is the usual conflict, "not waiting on a captcha").
   */
  private captchaSession(target: string, which: CaptchaTarget): string {
    if (parseMasterSessionId(target).account !== null) return target;
    const sessions = this.sessionsOf(target);
    if (which.account !== undefined) {
      const named = sessions.find((session) => this.accountOf(session) === which.account);
      if (!named) throw new NotFoundError(`account of portal ${target}`, which.account);
      return named;
    }
    if (sessions.length <= 1) return target;
    const open = sessions.flatMap((session) => {
      const challengeId = this.openChallenge(this.entry(session));
      return challengeId ? [{ session, account: this.accountOf(session), challengeId }] : [];
    });
    if (which.challengeId !== undefined) return open.find((o) => o.challengeId === which.challengeId)?.session ?? target;
    if (open.length === 0) return target;
    if (open.length === 1) return open[0].session;
    throw new CaptchaAmbiguousError(target, open);
  }

  /** The challenge an operator can answer now: the session waits on it (not expired). */
  private openChallenge(entry: StreamState<MasterState>): string | null {
    const state = entry.state;
    if (!masterSessionHasTag(state, 'awaitingCaptcha') || masterSessionHasTag(state, 'captchaExpired')) return null;
    return state.context.captcha?.challengeId ?? null;
  }

  /**
   * The session waits on a captcha past its deadline: the challenge expired unanswered (a new
   * one is asked after the retry wait) or its expiry is due. /health reports the portal degraded.
   */
  captchaOverdue(session: string): boolean {
    const entry = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, session);
    if (!entry || !masterSessionHasTag(entry.state, 'awaitingCaptcha')) return false;
    if (masterSessionHasTag(entry.state, 'captchaExpired')) return true;
    const expiresAt = entry.state.context.captcha?.expiresAt;
    return expiresAt !== undefined && Date.parse(expiresAt) <= this.options.clock.now();
  }

  /** Whether the session's browser is up where its state says it should be (for /health). */
  browser(session: string): { alive: boolean; expected: boolean } {
    const entry = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, session);
    return { alive: this.options.browserAlive(session), expected: entry !== undefined && masterSessionHasTag(entry.state, 'available') };
  }

  /** Reads the session's log again only when its stream moved since the last answer. */
  private async unavailableWindow(master: StreamState<MasterState>): Promise<{ since: string; after: string | null }> {
    const cached = this.since.get(master.stream);
    if (cached?.version === master.version) return cached;
    const window = unavailableWindow(await this.options.store.read(master.stream));
    const read = { version: master.version, since: window.since ?? master.updatedAt, after: window.after };
    this.since.set(master.stream, read);
    return read;
  }

  private accountOf(session: string): string | null {
    return this.options.accountOf ? this.options.accountOf(session) : parseMasterSessionId(session).account;
  }

  private view(entry: StreamState<MasterState>): SessionView {
    return sessionView(entry, this.accountOf(sessionIdOf(entry.stream)));
  }

  private entry(portal: string): StreamState<MasterState> {
    const entry = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, portal);
    if (!entry) throw new NotFoundError('session', portal);
    return entry;
  }
}

function sessionIdOf(stream: string): string {
  return stream.slice(MASTER_SESSION_MACHINE.streamPrefix.length);
}

function levelOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const recovering = (value as Record<string, unknown>).recovering;
  return typeof recovering === 'string' ? recovering : recovering ? (Object.keys(recovering as object)[0] ?? null) : null;
}

export function sessionView(entry: StreamState<MasterState>, account: string | null = null): SessionView {
  const c = entry.state.context;
  const running = c.recovery && c.recovery.outcome === 'running' ? c.recovery : null;
  const lastAttempt = running?.attempts[running.attempts.length - 1];
  return {
    portal: c.portal,
    session: entry.stream.slice(MASTER_SESSION_MACHINE.streamPrefix.length),
    account,
    state: masterStateName(entry.state),
    intakeHalted: c.intakeHalted,
    readySince: c.readySince,
    probes: c.probes,
    recoveryInProgress: running
      ? { number: running.number, level: lastAttempt?.level ?? levelOf(entry.state.value), try: lastAttempt?.try ?? null, joinedReports: running.joinedReports }
      : null,
    recoveries: c.recoveries,
    awaitingCaptcha: masterSessionHasTag(entry.state, 'awaitingCaptcha'),
    captcha:
      c.captcha && masterSessionHasTag(entry.state, 'awaitingCaptcha')
        ? {
            challengeId: c.captcha.challengeId,
            open: !masterSessionHasTag(entry.state, 'captchaExpired'),
            askedAt: c.captcha.askedAt ?? null,
            expiresAt: c.captcha.expiresAt ?? null,
            unanswered: c.captcha.unanswered ?? 0,
            wrongAnswers: c.captcha.wrongAnswers ?? 0,
          }
        : null,
    updatedAt: entry.updatedAt,
    version: entry.version,
  };
}
