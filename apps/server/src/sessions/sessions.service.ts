// Master sessions for operators: state, heartbeat, recovery in progress and its history, a
// manual recovery, and the captcha a manual solver waits on (image out, answer in). The answer
// goes to the waiting login only: the event records that the challenge was answered, not how.
import { Inject, Injectable } from '@nestjs/common';
import { InvalidCommandError, NotFoundError } from '@engine/core';
import type { Engine, IndexedStream } from '@engine/engine';
import { recoveryHistory, type MasterSessionContext } from '@engine/machines';
import { ENGINE } from '../engine/engine.providers';

export interface SessionView {
  portal: string;
  state: string;
  intakeHalted: boolean;
  readySince: string | null;
  probes: number;
  recoveryInProgress: { number: number; level: string | null; try: number | null; joinedReports: number } | null;
  recoveries: number;
  awaitingCaptcha: boolean;
  updatedAt: string;
}

@Injectable()
export class SessionsService {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  list(): SessionView[] {
    return [...this.engine.index.all('master-')].map(view);
  }

  get(portal: string): SessionView {
    return view(this.entry(portal));
  }

  async recoveries(portal: string) {
    this.entry(portal);
    return { portal, attempts: recoveryHistory(await this.engine.store.read(`master-${portal}`)) };
  }

  /** Critical: an operator reset. Otherwise: a failure report (joins a recovery in progress). */
  async recover(portal: string, by = 'api') {
    const entry = this.entry(portal);
    const stream = `master-${portal}`;
    const critical = String(stateName(entry.state.value)) === 'critical';
    const event = critical
      ? { type: 'RESET', by }
      : { type: 'FAILURE_REPORTED', jobId: `operator:${by}`, reason: 'operator_request', at: new Date(this.engine.clock.now()).toISOString() };
    await this.engine.host.send(stream, event);
    return this.get(portal);
  }

  captchaImage(portal: string): Buffer {
    this.entry(portal);
    const challenge = this.pendingChallenge(portal);
    return challenge.image;
  }

  async answerCaptcha(portal: string, answer: string, challengeId?: string) {
    const entry = this.entry(portal);
    const challenge = this.pendingChallenge(portal, challengeId);
    const context = entry.state.context as MasterSessionContext;
    if (context.captcha?.challengeId !== challenge.id) {
      throw new InvalidCommandError(`master-${portal}`, 'CAPTCHA_ANSWERED', entry.state.value, 'the session is not waiting for this challenge');
    }
    this.engine.manualCaptcha.answer(challenge.id, answer);
    await this.engine.host.send(`master-${portal}`, { type: 'CAPTCHA_ANSWERED', challengeId: challenge.id });
    return this.get(portal);
  }

  private pendingChallenge(portal: string, challengeId?: string) {
    const challenge = this.engine.manualCaptcha.pending().find((c) => c.portal === portal && (!challengeId || c.id === challengeId));
    if (!challenge) throw new NotFoundError('captcha challenge for portal', portal);
    return challenge;
  }

  private entry(portal: string): IndexedStream {
    const entry = this.engine.index.get(`master-${portal}`);
    if (!entry) throw new NotFoundError('session', portal);
    return entry;
  }
}

function stateName(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as object)[0] ?? 'unknown';
}

function levelOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const recovering = (value as Record<string, unknown>).recovering;
  return typeof recovering === 'string' ? recovering : recovering ? Object.keys(recovering as object)[0] ?? null : null;
}

function view(entry: IndexedStream): SessionView {
  const c = entry.state.context as MasterSessionContext;
  const running = c.recovery && c.recovery.outcome === 'running' ? c.recovery : null;
  const lastAttempt = running?.attempts[running.attempts.length - 1];
  return {
    portal: c.portal,
    state: stateName(entry.state.value),
    intakeHalted: c.intakeHalted,
    readySince: c.readySince,
    probes: c.probes,
    recoveryInProgress: running ? { number: running.number, level: lastAttempt?.level ?? levelOf(entry.state.value), try: lastAttempt?.try ?? null, joinedReports: running.joinedReports } : null,
    recoveries: c.recoveries,
    awaitingCaptcha: c.captcha !== null,
    updatedAt: entry.updatedAt,
  };
}
