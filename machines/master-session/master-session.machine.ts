// The master session: the one logged-in portal session every job clones. It launches and logs
// in (waiting for an operator when the portal asks for a captcha), stays ready under a
// heartbeat, and heals itself when a probe fails or a job reports a failure: soft (re-login) →
// hard (new browser) → nuclear (fresh profile, backup restored if that fails) → critical
// (alert sent, job intake halted until an operator RESET or a successful probe).
// One stream per portal and one writer per stream make recovery single-flight: a report that
// arrives while a recovery runs joins it. Pure: effects and timers are named actions the host
// runs after the append; every wait is a durable timer with a deterministic jitter.
//
// Version 2: a captcha challenge expires on a durable timer (the policy comes with the
// challenge); an expired or withdrawn challenge is followed by a new one after a backoff; a
// refused answer asks a new challenge at once; an operator RESET is accepted in every state.
// A version-1 log replays unchanged: every new transition is taken only on an event or event
// field version 1 never recorded (machines/master-session/fixtures holds such a log).
import { and, assign, setup, type SnapshotFrom } from 'xstate';
import type { MachineDefinition } from '@engine/core';
import { captchaRetryDelayMs, DEFAULT_CAPTCHA_POLICY, RECOVERY_LEVELS, type RecoveryLevel } from './master-session.config';
import {
  beginAttempt,
  endAttempt,
  initialContext,
  retryDelayMs,
  startRecovery,
  triesLeft,
  type MasterSessionContext,
  type MasterSessionInput,
  type Recovery,
  type RecoveryTrigger,
} from './master-session.context';
import type { MasterSessionEffect, MasterSessionEffectParams } from './master-session.effects';
import type { MasterSessionErrorInfo, MasterSessionEvent } from './master-session.events';

type Args = { context: MasterSessionContext; event: MasterSessionEvent };

/**
 * What other layers ask of a state: `available` (logged in, jobs may clone it), `awaitingCaptcha`
 * (the login waits on an operator), `captchaExpired` (nobody answered in time: waiting to ask
 * again), `recovering`, `intakeHalted` (critical: no new jobs until a reset).
 */
export type MasterSessionTag = 'available' | 'awaitingCaptcha' | 'captchaExpired' | 'recovering' | 'intakeHalted';

const portalParams = ({ context }: Args) => ({ portal: context.portal });

/** A login right after an operator's answer names the challenge, so the effect asks the solver for it. */
const loginParams = ({ context, event }: Args) => ({
  portal: context.portal,
  credentialsRef: context.credentialsRef,
  challengeId: event.type === 'CAPTCHA_ANSWERED' ? event.challengeId : null,
});

const probeParams = ({ context }: Args) => ({ portal: context.portal, probe: context.probes });

const retryTimer = (level: RecoveryLevel) => ({ context }: Args) => ({ name: 'retry', delayMs: retryDelayMs(context, level) });

function errorOf(event: MasterSessionEvent): MasterSessionErrorInfo | null {
  return event.type === 'LOGIN_FAILED' || event.type === 'EFFECT_FAILED' ? event.error : null;
}

function triggerOf(kind: RecoveryTrigger['kind'], event: MasterSessionEvent): RecoveryTrigger {
  if (kind === 'failureReport' && event.type === 'FAILURE_REPORTED') return { kind, jobId: event.jobId, reason: event.reason, at: event.at };
  if (kind === 'browserLost' && event.type === 'BROWSER_LOST') return { kind, reason: event.reason, at: event.at };
  if (kind === 'operator' && event.type === 'RECOVERY_REQUESTED') return { kind, reason: `${event.level} recovery forced by ${event.by}`, by: event.by, level: event.level, at: event.at };
  const reason = event.type === 'PROBE_FAILED' ? event.reason : (errorOf(event)?.code ?? event.type);
  return kind === 'heartbeat' ? { kind, reason } : { kind: 'startup', reason };
}

const running = (context: MasterSessionContext) => context.recovery as Recovery;


/** The end of a failed try of `level`: its `failed` state decides between another try and the next level. */
const failed = (level: RecoveryLevel) => `#masterSession.recovering.${level}.failed` as const;

/**
 * One level of the recovery ladder: an `attempt` made of the level's steps, then `failed`
 * (another try after a durable, jittered wait while tries are left, else `exhausted`).
 */
function recoveryLevel<const TSteps, const TExhausted>(level: RecoveryLevel, initial: string, steps: TSteps, exhausted: TExhausted) {
  return {
    initial: 'attempt',
    states: {
      attempt: { entry: { type: 'beginAttempt', params: { level } }, initial, states: steps },
      failed: { always: [{ guard: { type: 'triesLeft', params: { level } }, target: 'waiting' }, exhausted] },
      waiting: { entry: { type: 'scheduleTimer', params: retryTimer(level) }, on: { 'TIMER.retry': 'attempt' } },
    },
  } as const;
}

const TIMERS = ['heartbeat', 'retry', 'alertRetry', 'captchaExpiry', 'captchaRetry'] as const;

const captchaExpiryTimer = ({ event }: Args) => ({ name: 'captchaExpiry', delayMs: event.type === 'CAPTCHA_REQUIRED' ? (event.policy?.answerWithinMs ?? 0) : 0 });

const captchaRetryTimer = ({ context }: Args) => ({
  name: 'captchaRetry',
  delayMs: captchaRetryDelayMs(context.captcha?.policy ?? DEFAULT_CAPTCHA_POLICY, Math.max(1, context.captcha?.unanswered ?? 0)),
});

const cancelExpiry = { type: 'cancelTimer', params: { name: 'captchaExpiry' } } as const;

const withdrawParams = ({ context }: Args) => ({ portal: context.portal, challengeId: context.captcha?.challengeId ?? '' });

/**
 * The captcha of the login state `login`: `awaitingCaptcha` until the answer, the expiry of a
 * timed challenge (the parked login is withdrawn) or a withdrawal; then `captchaBackoff` waits
 * (doubling per unanswered challenge) and the login asks a new challenge.
 */
function captchaSteps<const TLogin extends string>(login: TLogin) {
  return {
    // No exit action here: a version-1 log has none, and an action's position is part of the
    // ids of the effects that follow it. The transitions that leave cancel the expiry themselves.
    awaitingCaptcha: {
      tags: 'awaitingCaptcha',
      on: {
        CAPTCHA_ANSWERED: [
          { guard: and(['answersChallenge', 'timedCaptcha']), target: login, actions: ['markAnswered', cancelExpiry] },
          { guard: 'answersChallenge', target: login, actions: 'releaseCaptcha' },
        ],
        'TIMER.captchaExpiry': { target: 'captchaBackoff', actions: ['expireCaptcha', { type: 'withdrawCaptcha', params: withdrawParams }] },
        CAPTCHA_WITHDRAWN: [
          // The page is gone with the process: a new challenge at once.
          { guard: and(['withdrawsChallenge', 'processRestarted']), target: login, actions: cancelExpiry },
          { guard: 'withdrawsChallenge', target: 'captchaBackoff', actions: cancelExpiry },
        ],
      },
    },
    captchaBackoff: {
      tags: ['awaitingCaptcha', 'captchaExpired'],
      entry: { type: 'scheduleTimer', params: captchaRetryTimer },
      exit: { type: 'cancelTimer', params: { name: 'captchaRetry' } },
      on: { 'TIMER.captchaRetry': login },
    },
  } as const;
}

/** Close the browser, then `next`. A browser that will not close is most likely dead already: go on anyway. */
function closeStep<const TNext extends string>(next: TNext) {
  return {
    closing: {
      entry: { type: 'closeBrowser', params: portalParams },
      on: { BROWSER_CLOSED: next, EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeBrowser' } }, target: next } },
    },
  } as const;
}

/** Launch a browser, then `next`; a failed launch ends the try at `onFail`. */
function launchStep<const TNext extends string, const TFail extends string>(next: TNext, onFail: TFail) {
  return {
    launching: {
      entry: { type: 'launchBrowser', params: portalParams },
      on: {
        BROWSER_LAUNCHED: next,
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'launchBrowser' } }, target: onFail, actions: 'failAttempt' },
      },
    },
  } as const;
}

/**
 * Log in (state `name`, effect `login` or `relogin`), waiting for an operator in
 * `awaitingCaptcha` when the portal asks; success ends the recovery, a refusal ends the try at `onFail`.
 */
function loginStep<const TName extends string, const TFail extends string>(name: TName, effect: 'login' | 'relogin', onFail: TFail) {
  const login = {
    entry: { type: effect, params: loginParams },
    on: {
      LOGGED_IN: { target: '#masterSession.ready', actions: ['succeedAttempt', 'markHealthy', 'releaseCaptcha'] },
      CAPTCHA_REQUIRED: [
        { guard: 'timedChallenge', target: 'awaitingCaptcha', actions: ['holdCaptcha', { type: 'scheduleTimer', params: captchaExpiryTimer }] },
        { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
      ],
      LOGIN_FAILED: [
        // The portal refused the operator's answer: a new challenge, in the same attempt.
        { guard: 'answerRefused', target: name, reenter: true, actions: 'countWrongAnswer' },
        { target: onFail, actions: ['failAttempt', 'releaseCaptcha'] },
      ],
      EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect } }, target: onFail, actions: ['failAttempt', 'releaseCaptcha'] },
    },
  } as const;
  const captcha = captchaSteps(name);
  // A computed key widens to a string index; the state's name is exactly `name`.
  return { [name]: login, ...captcha } as Record<TName, typeof login> & typeof captcha;
}

type Effect<K extends MasterSessionEffect> = (_: unknown, _params: MasterSessionEffectParams[K]) => undefined;
const effect = <K extends MasterSessionEffect>(): Effect<K> => () => undefined;

export const masterSessionMachine = setup({
  types: {} as { context: MasterSessionContext; events: MasterSessionEvent; input: MasterSessionInput; tags: MasterSessionTag },
  actions: {
    launchBrowser: effect<'launchBrowser'>(),
    closeBrowser: effect<'closeBrowser'>(),
    login: effect<'login'>(),
    relogin: effect<'relogin'>(),
    probeSession: effect<'probeSession'>(),
    backupProfile: effect<'backupProfile'>(),
    wipeProfile: effect<'wipeProfile'>(),
    restoreProfile: effect<'restoreProfile'>(),
    sendAlert: effect<'sendAlert'>(),
    withdrawCaptcha: effect<'withdrawCaptcha'>(),
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: string }) => undefined,

    countReport: assign({ failureReports: ({ context }) => context.failureReports + 1 }),
    countStaleReport: assign({ staleReports: ({ context }) => context.staleReports + 1 }),
    joinRecovery: assign({ recovery: ({ context }) => ({ ...running(context), joinedReports: running(context).joinedReports + 1 }) }),
    startRecovery: assign(({ context, event }, params: { kind: RecoveryTrigger['kind'] }) => startRecovery(context, triggerOf(params.kind, event))),
    beginAttempt: assign({ recovery: ({ context }, params: { level: RecoveryLevel }) => beginAttempt(running(context), params.level) }),
    failAttempt: assign({ recovery: ({ context, event }) => endAttempt(running(context), 'failed', errorOf(event)) }),
    succeedAttempt: assign({ recovery: ({ context }) => endAttempt(running(context), 'succeeded', null) }),
    failRecovery: assign({ recovery: ({ context }) => ({ ...running(context), outcome: 'failed' as const }) }),
    keepBackup: assign({
      recovery: ({ context, event }) => ({ ...running(context), backupRef: event.type === 'PROFILE_BACKED_UP' ? event.backupRef : null }),
    }),
    recordRestore: assign({ recovery: ({ context }, params: { result: 'restored' | 'failed' }) => ({ ...running(context), profileRestore: params.result }) }),
    holdCaptcha: assign({ captcha: ({ context, event }) => heldCaptcha(context, event) }),
    releaseCaptcha: assign({ captcha: null }),
    markAnswered: assign({ captcha: ({ context }) => context.captcha && { ...context.captcha, answered: true } }),
    expireCaptcha: assign({ captcha: ({ context }) => context.captcha && { ...context.captcha, unanswered: (context.captcha.unanswered ?? 0) + 1 } }),
    countWrongAnswer: assign({
      captcha: ({ context }) => context.captcha && { ...context.captcha, answered: false, wrongAnswers: (context.captcha.wrongAnswers ?? 0) + 1 },
    }),
    abandonRecovery: assign({
      recovery: ({ context }) => (context.recovery?.outcome === 'running' ? { ...context.recovery, outcome: 'failed' as const } : context.recovery),
    }),
    nextProbe: assign({ probes: ({ context }) => context.probes + 1 }),
    markHealthy: assign({ readySince: ({ context, event }) => (event.type === 'LOGGED_IN' || event.type === 'PROBE_OK' ? event.at : context.readySince) }),
    haltIntake: assign({ intakeHalted: true }),
    resumeIntake: assign({ intakeHalted: false }),
  },
  guards: {
    effectIs: ({ event }, params: { effect: MasterSessionEffect }) => event.type === 'EFFECT_FAILED' && event.effect === params.effect,
    /** A probe answer that is not for the latest probe is late (e.g. from before a recovery): ignored. */
    currentProbe: ({ context, event }) => (event.type === 'PROBE_OK' || event.type === 'PROBE_FAILED') && event.probe === context.probes,
    /** The current probe's effect threw (a late throw of an earlier probe is ignored like a late answer). */
    currentProbeThrew: ({ context, event }) =>
      event.type === 'EFFECT_FAILED' && event.effect === 'probeSession' && (event.params as { probe?: number } | null)?.probe === context.probes,
    triesLeft: ({ context }, params: { level: RecoveryLevel }) => triesLeft(context, params.level),
    levelIs: ({ event }, params: { level: RecoveryLevel }) => event.type === 'RECOVERY_REQUESTED' && event.level === params.level,
    answersChallenge: ({ context, event }) => event.type === 'CAPTCHA_ANSWERED' && context.captcha?.challengeId === event.challengeId,
    /** A challenge recorded with its policy (version 2) expires on a timer. */
    timedChallenge: ({ event }) => event.type === 'CAPTCHA_REQUIRED' && event.policy !== undefined,
    timedCaptcha: ({ context }) => context.captcha?.policy !== undefined,
    withdrawsChallenge: ({ context, event }) => event.type === 'CAPTCHA_WITHDRAWN' && context.captcha?.challengeId === event.challengeId,
    processRestarted: ({ event }) => event.type === 'CAPTCHA_WITHDRAWN' && event.reason === 'process_restarted',
    answerRefused: ({ context, event }) => event.type === 'LOGIN_FAILED' && event.error.code === 'CAPTCHA_REJECTED' && context.captcha?.answered === true,
    /** A failure seen before the session last became healthy was already healed: no new recovery. */
    staleReport: ({ context, event }) =>
      event.type === 'FAILURE_REPORTED' && context.readySince !== null && Date.parse(event.at) < Date.parse(context.readySince),
  },
}).createMachine({
  id: 'masterSession',
  context: ({ input }) => initialContext(input),
  initial: 'launching',
  // Reports outside ready/probing/recovering (starting up, critical) are counted, nothing more.
  // An operator RESET starts again from a fresh browser wherever the session is (critical has its own).
  on: {
    FAILURE_REPORTED: { actions: 'countReport' },
    BROWSER_LOST: { actions: 'countReport' },
    RESET: {
      target: '.restarting',
      reenter: true,
      actions: ['abandonRecovery', 'releaseCaptcha', 'resumeIntake', ...TIMERS.map((name) => ({ type: 'cancelTimer' as const, params: { name } }))],
    },
    // An operator forces a level: a new recovery starts there (one running is abandoned).
    RECOVERY_REQUESTED: RECOVERY_LEVELS.map((level) => ({
      guard: { type: 'levelIs' as const, params: { level } },
      target: `.recovering.${level}` as const,
      reenter: true,
      actions: [
        'abandonRecovery' as const,
        'releaseCaptcha' as const,
        'resumeIntake' as const,
        ...TIMERS.map((name) => ({ type: 'cancelTimer' as const, params: { name } })),
        { type: 'startRecovery' as const, params: { kind: 'operator' as const } },
      ],
    })),
  },
  states: {
    launching: {
      entry: { type: 'launchBrowser', params: portalParams },
      on: {
        BROWSER_LAUNCHED: 'loggingIn',
        EFFECT_FAILED: {
          guard: { type: 'effectIs', params: { effect: 'launchBrowser' } },
          target: 'recovering.hard',
          actions: { type: 'startRecovery', params: { kind: 'startup' } },
        },
      },
    },
    loggingIn: {
      entry: { type: 'login', params: loginParams },
      on: {
        LOGGED_IN: { target: 'ready', actions: ['markHealthy', 'releaseCaptcha'] },
        CAPTCHA_REQUIRED: [
          { guard: 'timedChallenge', target: 'awaitingCaptcha', actions: ['holdCaptcha', { type: 'scheduleTimer', params: captchaExpiryTimer }] },
          { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
        ],
        LOGIN_FAILED: [
          { guard: 'answerRefused', target: 'loggingIn', reenter: true, actions: 'countWrongAnswer' },
          { target: 'recovering', actions: ['releaseCaptcha', { type: 'startRecovery', params: { kind: 'startup' } }] },
        ],
        EFFECT_FAILED: {
          guard: { type: 'effectIs', params: { effect: 'login' } },
          target: 'recovering',
          actions: ['releaseCaptcha', { type: 'startRecovery', params: { kind: 'startup' } }],
        },
      },
    },
    ...captchaSteps('loggingIn'),
    ready: {
      tags: 'available',
      entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'heartbeat', delayMs: context.config.heartbeatMs }) },
      exit: { type: 'cancelTimer', params: { name: 'heartbeat' } },
      on: {
        'TIMER.heartbeat': 'probing',
        BROWSER_LOST: { target: 'recovering.hard', actions: ['countReport', { type: 'startRecovery', params: { kind: 'browserLost' } }] },
        FAILURE_REPORTED: [
          { guard: 'staleReport', actions: ['countReport', 'countStaleReport'] },
          { target: 'recovering', actions: ['countReport', { type: 'startRecovery', params: { kind: 'failureReport' } }] },
        ],
      },
    },
    probing: {
      tags: 'available',
      entry: ['nextProbe', { type: 'probeSession', params: probeParams }],
      on: {
        PROBE_OK: { guard: 'currentProbe', target: 'ready' },
        PROBE_FAILED: { guard: 'currentProbe', target: 'recovering', actions: { type: 'startRecovery', params: { kind: 'heartbeat' } } },
        BROWSER_LOST: { target: 'recovering.hard', actions: ['countReport', { type: 'startRecovery', params: { kind: 'browserLost' } }] },
        EFFECT_FAILED: {
          guard: 'currentProbeThrew',
          target: 'recovering',
          actions: { type: 'startRecovery', params: { kind: 'heartbeat' } },
        },
        FAILURE_REPORTED: [
          { guard: 'staleReport', actions: ['countReport', 'countStaleReport'] },
          { target: 'recovering', actions: ['countReport', { type: 'startRecovery', params: { kind: 'failureReport' } }] },
        ],
      },
    },
    recovering: {
      tags: 'recovering',
      initial: 'soft',
      on: { FAILURE_REPORTED: { actions: ['countReport', 'joinRecovery'] }, BROWSER_LOST: { actions: ['countReport', 'joinRecovery'] } },
      states: {
        // Re-login in the running browser.
        soft: recoveryLevel('soft', 'relogin', {
          ...loginStep('relogin', 'relogin', failed('soft')),
        }, { target: '#masterSession.recovering.hard' }),
        // A new browser on the same profile.
        hard: recoveryLevel('hard', 'closing', {
          ...closeStep('launching'),
          ...launchStep('loggingIn', failed('hard')),
          ...loginStep('loggingIn', 'login', failed('hard')),
        }, { target: '#masterSession.recovering.nuclear' }),
        // A fresh profile; the old one is put back when that does not work either.
        nuclear: recoveryLevel('nuclear', 'closing', {
          // Chromium locks its profile folder: close before copying or wiping it.
          ...closeStep('backingUp'),
          // Without a backup the profile is never wiped.
          backingUp: {
            entry: { type: 'backupProfile', params: portalParams },
            on: {
              PROFILE_BACKED_UP: { target: 'wiping', actions: 'keepBackup' },
              EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'backupProfile' } }, target: failed('nuclear'), actions: 'failAttempt' },
            },
          },
          wiping: {
            entry: { type: 'wipeProfile', params: portalParams },
            on: {
              PROFILE_WIPED: 'launching',
              EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'wipeProfile' } }, target: 'restoring', actions: 'failAttempt' },
            },
          },
          ...launchStep('loggingIn', 'restoring'),
          ...loginStep('loggingIn', 'login', 'restoring'),
          // The fresh profile did not work: put the old one back, it may still hold a live session.
          restoring: {
            entry: {
              type: 'restoreProfile',
              params: ({ context }: Args) => ({ portal: context.portal, backupRef: running(context).backupRef as string }),
            },
            on: {
              PROFILE_RESTORED: { target: failed('nuclear'), actions: { type: 'recordRestore', params: { result: 'restored' } } },
              EFFECT_FAILED: {
                guard: { type: 'effectIs', params: { effect: 'restoreProfile' } },
                target: failed('nuclear'),
                actions: { type: 'recordRestore', params: { result: 'failed' } },
              },
            },
          },
        }, { target: '#masterSession.critical', actions: 'failRecovery' }),
      },
    },
    critical: {
      tags: 'intakeHalted',
      type: 'parallel',
      entry: 'haltIntake',
      exit: ['resumeIntake', { type: 'cancelTimer', params: { name: 'heartbeat' } }, { type: 'cancelTimer', params: { name: 'alertRetry' } }],
      on: { RESET: 'restarting' },
      states: {
        alert: {
          initial: 'sending',
          states: {
            sending: {
              entry: {
                type: 'sendAlert',
                params: ({ context }) => ({
                  portal: context.portal,
                  alertId: `${context.portal}:recovery-${running(context).number}`,
                  level: 'critical' as const,
                  code: 'RECOVERY_EXHAUSTED' as const,
                  message: criticalMessage(context),
                }),
              },
              on: {
                ALERT_SENT: 'sent',
                EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'sendAlert' } }, target: 'resendWaiting' },
              },
            },
            // An alert is never dropped: a failed delivery is retried on a durable timer.
            resendWaiting: {
              entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'alertRetry', delayMs: context.config.alertRetryMs }) },
              on: { 'TIMER.alertRetry': 'sending' },
            },
            sent: {},
          },
        },
        // Keeps probing, slower: if the portal comes back, the (restored) session may be alive.
        watch: {
          initial: 'waiting',
          states: {
            waiting: {
              entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'heartbeat', delayMs: context.config.criticalHeartbeatMs }) },
              on: { 'TIMER.heartbeat': 'probing' },
            },
            probing: {
              entry: ['nextProbe', { type: 'probeSession', params: probeParams }],
              on: {
                PROBE_OK: { guard: 'currentProbe', target: '#masterSession.ready', actions: 'markHealthy' },
                PROBE_FAILED: { guard: 'currentProbe', target: 'waiting' },
                EFFECT_FAILED: { guard: 'currentProbeThrew', target: 'waiting' },
              },
            },
          },
        },
      },
    },
    // After an operator RESET: a clean start from a fresh browser on the current profile.
    restarting: {
      entry: { type: 'closeBrowser', params: portalParams },
      on: { BROWSER_CLOSED: 'launching', EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeBrowser' } }, target: 'launching' } },
    },
  },
});

/** The challenge CAPTCHA_REQUIRED asks; a version-2 challenge keeps the counters of the one before it. */
function heldCaptcha(context: MasterSessionContext, event: MasterSessionEvent): MasterSessionContext['captcha'] {
  if (event.type !== 'CAPTCHA_REQUIRED') return context.captcha;
  if (event.policy === undefined) return { challengeId: event.challengeId };
  return {
    challengeId: event.challengeId,
    askedAt: event.at,
    expiresAt: event.expiresAt,
    policy: event.policy,
    unanswered: context.captcha?.unanswered ?? 0,
    wrongAnswers: context.captcha?.wrongAnswers ?? 0,
    answered: false,
  };
}

function criticalMessage(context: MasterSessionContext): string {
  const recovery = running(context);
  const last = recovery.attempts[recovery.attempts.length - 1];
  const restore = recovery.profileRestore ? `, profile backup ${recovery.profileRestore}` : '';
  return `master session ${context.portal}: recovery ${recovery.number} failed after ${recovery.attempts.length} attempts (last: ${last?.level} try ${last?.try}, ${last?.error?.code ?? 'unknown error'}${restore}); job intake halted`;
}

/** Why the master session refuses an operator's command, in words an operator can act on. */
export function masterSessionRefusal(snapshot: SnapshotFrom<typeof masterSessionMachine>, event: MasterSessionEvent): string | undefined {
  if (event.type === 'CAPTCHA_ANSWERED') {
    const open = snapshot.context.captcha?.challengeId;
    return open ? `the session waits for challenge ${open}, not ${event.challengeId}` : 'the session is not waiting for a captcha';
  }
  if (event.type === 'CAPTCHA_WITHDRAWN') return `the session does not wait on challenge ${event.challengeId}`;
  return undefined;
}

export const MASTER_SESSION_MACHINE = {
  id: 'master-session',
  version: '2',
  streamPrefix: 'master-',
  // Version 2 only added to version 1 (master-session.versions.spec.ts replays a version-1 log): its streams run on as they are.
  compatibleVersions: ['1'],
  machine: masterSessionMachine,
  refusal: masterSessionRefusal,
  fireAndForget: ['withdrawCaptcha'],
} as const satisfies MachineDefinition<typeof masterSessionMachine, MasterSessionEffectParams>;

export type MasterSessionDefinition = MachineDefinition<typeof masterSessionMachine, MasterSessionEffectParams>;
