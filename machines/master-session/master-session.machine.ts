// The master session: the one logged-in portal session every job clones. It launches and logs
// in (waiting for an operator when the portal asks for a captcha), stays ready under a
// heartbeat, and heals itself when a probe fails or a job reports a failure: soft (re-login) →
// hard (new browser) → nuclear (fresh profile, backup restored if that fails) → critical
// (alert sent, job intake halted until an operator RESET or a successful probe).
// One stream per portal and one writer per stream make recovery single-flight: a report that
// arrives while a recovery runs joins it. Pure: effects and timers are named actions the host
// runs after the append; every wait is a durable timer with a deterministic jitter.
import { assign, setup } from 'xstate';
import type { RecoveryLevel } from './master-session.config';
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
  const reason = event.type === 'PROBE_FAILED' ? event.reason : (errorOf(event)?.code ?? event.type);
  return kind === 'heartbeat' ? { kind, reason } : { kind: 'startup', reason };
}

const running = (context: MasterSessionContext) => context.recovery as Recovery;

type Effect<K extends MasterSessionEffect> = (_: unknown, _params: MasterSessionEffectParams[K]) => undefined;
const effect = <K extends MasterSessionEffect>(): Effect<K> => () => undefined;

export const masterSessionMachine = setup({
  types: {} as { context: MasterSessionContext; events: MasterSessionEvent; input: MasterSessionInput },
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
    holdCaptcha: assign({ captcha: ({ event }) => (event.type === 'CAPTCHA_REQUIRED' ? { challengeId: event.challengeId } : null) }),
    releaseCaptcha: assign({ captcha: null }),
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
    answersChallenge: ({ context, event }) => event.type === 'CAPTCHA_ANSWERED' && context.captcha?.challengeId === event.challengeId,
    /** A failure seen before the session last became healthy was already healed: no new recovery. */
    staleReport: ({ context, event }) =>
      event.type === 'FAILURE_REPORTED' && context.readySince !== null && Date.parse(event.at) < Date.parse(context.readySince),
  },
}).createMachine({
  id: 'masterSession',
  context: ({ input }) => initialContext(input),
  initial: 'launching',
  // Reports outside ready/probing/recovering (starting up, critical) are counted, nothing more.
  on: { FAILURE_REPORTED: { actions: 'countReport' }, BROWSER_LOST: { actions: 'countReport' } },
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
        LOGGED_IN: { target: 'ready', actions: 'markHealthy' },
        CAPTCHA_REQUIRED: { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
        LOGIN_FAILED: { target: 'recovering', actions: { type: 'startRecovery', params: { kind: 'startup' } } },
        EFFECT_FAILED: {
          guard: { type: 'effectIs', params: { effect: 'login' } },
          target: 'recovering',
          actions: { type: 'startRecovery', params: { kind: 'startup' } },
        },
      },
    },
    awaitingCaptcha: {
      tags: 'awaitingCaptcha',
      on: { CAPTCHA_ANSWERED: { guard: 'answersChallenge', target: 'loggingIn', actions: 'releaseCaptcha' } },
    },
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
        soft: {
          initial: 'attempt',
          states: {
            attempt: {
              entry: { type: 'beginAttempt', params: { level: 'soft' } },
              initial: 'relogin',
              states: {
                relogin: {
                  entry: { type: 'relogin', params: loginParams },
                  on: {
                    LOGGED_IN: { target: '#masterSession.ready', actions: ['succeedAttempt', 'markHealthy'] },
                    CAPTCHA_REQUIRED: { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
                    LOGIN_FAILED: { target: '#masterSession.recovering.soft.failed', actions: 'failAttempt' },
                    EFFECT_FAILED: {
                      guard: { type: 'effectIs', params: { effect: 'relogin' } },
                      target: '#masterSession.recovering.soft.failed',
                      actions: 'failAttempt',
                    },
                  },
                },
                awaitingCaptcha: {
                  tags: 'awaitingCaptcha',
                  on: { CAPTCHA_ANSWERED: { guard: 'answersChallenge', target: 'relogin', actions: 'releaseCaptcha' } },
                },
              },
            },
            failed: {
              always: [{ guard: { type: 'triesLeft', params: { level: 'soft' } }, target: 'waiting' }, { target: '#masterSession.recovering.hard' }],
            },
            waiting: {
              entry: { type: 'scheduleTimer', params: retryTimer('soft') },
              on: { 'TIMER.retry': 'attempt' },
            },
          },
        },
        hard: {
          initial: 'attempt',
          states: {
            attempt: {
              entry: { type: 'beginAttempt', params: { level: 'hard' } },
              initial: 'closing',
              states: {
                // A browser that will not close is most likely dead already: launch anyway.
                closing: {
                  entry: { type: 'closeBrowser', params: portalParams },
                  on: { BROWSER_CLOSED: 'launching', EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeBrowser' } }, target: 'launching' } },
                },
                launching: {
                  entry: { type: 'launchBrowser', params: portalParams },
                  on: {
                    BROWSER_LAUNCHED: 'loggingIn',
                    EFFECT_FAILED: {
                      guard: { type: 'effectIs', params: { effect: 'launchBrowser' } },
                      target: '#masterSession.recovering.hard.failed',
                      actions: 'failAttempt',
                    },
                  },
                },
                loggingIn: {
                  entry: { type: 'login', params: loginParams },
                  on: {
                    LOGGED_IN: { target: '#masterSession.ready', actions: ['succeedAttempt', 'markHealthy'] },
                    CAPTCHA_REQUIRED: { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
                    LOGIN_FAILED: { target: '#masterSession.recovering.hard.failed', actions: 'failAttempt' },
                    EFFECT_FAILED: {
                      guard: { type: 'effectIs', params: { effect: 'login' } },
                      target: '#masterSession.recovering.hard.failed',
                      actions: 'failAttempt',
                    },
                  },
                },
                awaitingCaptcha: {
                  tags: 'awaitingCaptcha',
                  on: { CAPTCHA_ANSWERED: { guard: 'answersChallenge', target: 'loggingIn', actions: 'releaseCaptcha' } },
                },
              },
            },
            failed: {
              always: [{ guard: { type: 'triesLeft', params: { level: 'hard' } }, target: 'waiting' }, { target: '#masterSession.recovering.nuclear' }],
            },
            waiting: {
              entry: { type: 'scheduleTimer', params: retryTimer('hard') },
              on: { 'TIMER.retry': 'attempt' },
            },
          },
        },
        nuclear: {
          initial: 'attempt',
          states: {
            attempt: {
              entry: { type: 'beginAttempt', params: { level: 'nuclear' } },
              initial: 'closing',
              states: {
                // Chromium locks its profile folder: close before copying or wiping it.
                closing: {
                  entry: { type: 'closeBrowser', params: portalParams },
                  on: { BROWSER_CLOSED: 'backingUp', EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeBrowser' } }, target: 'backingUp' } },
                },
                // Without a backup the profile is never wiped.
                backingUp: {
                  entry: { type: 'backupProfile', params: portalParams },
                  on: {
                    PROFILE_BACKED_UP: { target: 'wiping', actions: 'keepBackup' },
                    EFFECT_FAILED: {
                      guard: { type: 'effectIs', params: { effect: 'backupProfile' } },
                      target: '#masterSession.recovering.nuclear.failed',
                      actions: 'failAttempt',
                    },
                  },
                },
                wiping: {
                  entry: { type: 'wipeProfile', params: portalParams },
                  on: {
                    PROFILE_WIPED: 'launching',
                    EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'wipeProfile' } }, target: 'restoring', actions: 'failAttempt' },
                  },
                },
                launching: {
                  entry: { type: 'launchBrowser', params: portalParams },
                  on: {
                    BROWSER_LAUNCHED: 'loggingIn',
                    EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'launchBrowser' } }, target: 'restoring', actions: 'failAttempt' },
                  },
                },
                loggingIn: {
                  entry: { type: 'login', params: loginParams },
                  on: {
                    LOGGED_IN: { target: '#masterSession.ready', actions: ['succeedAttempt', 'markHealthy'] },
                    CAPTCHA_REQUIRED: { target: 'awaitingCaptcha', actions: 'holdCaptcha' },
                    LOGIN_FAILED: { target: 'restoring', actions: 'failAttempt' },
                    EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'login' } }, target: 'restoring', actions: 'failAttempt' },
                  },
                },
                awaitingCaptcha: {
                  tags: 'awaitingCaptcha',
                  on: { CAPTCHA_ANSWERED: { guard: 'answersChallenge', target: 'loggingIn', actions: 'releaseCaptcha' } },
                },
                // The fresh profile did not work: put the old one back, it may still hold a live session.
                restoring: {
                  entry: {
                    type: 'restoreProfile',
                    params: ({ context }) => ({ portal: context.portal, backupRef: running(context).backupRef as string }),
                  },
                  on: {
                    PROFILE_RESTORED: {
                      target: '#masterSession.recovering.nuclear.failed',
                      actions: { type: 'recordRestore', params: { result: 'restored' } },
                    },
                    EFFECT_FAILED: {
                      guard: { type: 'effectIs', params: { effect: 'restoreProfile' } },
                      target: '#masterSession.recovering.nuclear.failed',
                      actions: { type: 'recordRestore', params: { result: 'failed' } },
                    },
                  },
                },
              },
            },
            failed: {
              always: [
                { guard: { type: 'triesLeft', params: { level: 'nuclear' } }, target: 'waiting' },
                { target: '#masterSession.critical', actions: 'failRecovery' },
              ],
            },
            waiting: {
              entry: { type: 'scheduleTimer', params: retryTimer('nuclear') },
              on: { 'TIMER.retry': 'attempt' },
            },
          },
        },
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

function criticalMessage(context: MasterSessionContext): string {
  const recovery = running(context);
  const last = recovery.attempts[recovery.attempts.length - 1];
  const restore = recovery.profileRestore ? `, profile backup ${recovery.profileRestore}` : '';
  return `master session ${context.portal}: recovery ${recovery.number} failed after ${recovery.attempts.length} attempts (last: ${last?.level} try ${last?.try}, ${last?.error?.code ?? 'unknown error'}${restore}); job intake halted`;
}

export const MASTER_SESSION_MACHINE = {
  id: 'master-session',
  version: '1',
  streamPrefix: 'master-',
  machine: masterSessionMachine,
} as const;
