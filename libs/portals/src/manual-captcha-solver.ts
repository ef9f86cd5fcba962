// A CaptchaSolver answered by a person: each challenge waits in a pending list (shown by the API
// and the inspector) until an operator answers it, the caller aborts, or it times out. A challenge
// carries the master session that asked when the login names it (two accounts of one portal may
// wait at once), so listeners and answers match it by session, not by portal.
import { NotFoundError, RandomIdGenerator, SystemClock, type Clock, type IdGenerator } from '@engine/core';
import { runOperation, type OperationOptions } from '@engine/browser';
import type { CaptchaChallenge, CaptchaSolver } from '@portal-engine/adapter-kit';

/** A challenge as a login hands it over: a portal with several accounts names the master session asking. */
export interface SessionCaptchaChallenge extends CaptchaChallenge {
  /** The master session whose login asks (`<portal>` or `<portal>.<account>`), so the answer goes back to it. */
  session?: string;
}

export interface PendingCaptcha extends SessionCaptchaChallenge {
  id: string;
  createdAt: number;
}

export class ManualCaptchaSolver implements CaptchaSolver {
  private readonly waiting = new Map<string, { challenge: PendingCaptcha; resolve: (answer: string) => void }>();
  private readonly listeners = new Set<(challenge: PendingCaptcha) => void>();

  constructor(
    private readonly ids: IdGenerator = new RandomIdGenerator(),
    private readonly clock: Clock = new SystemClock(),
  ) {}

  /** Challenges waiting for an answer, oldest first. */
  pending(): PendingCaptcha[] {
    return [...this.waiting.values()].map((entry) => entry.challenge);
  }

  /** Hears each new challenge (the host records `captcha.requested`); returns the unsubscribe function. */
  onPending(listener: (challenge: PendingCaptcha) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Answers a pending challenge. The answer goes to the waiting login only; it is never stored. */
  answer(id: string, text: string): void {
    const entry = this.waiting.get(id);
    if (!entry) throw new NotFoundError('captcha challenge', id);
    this.waiting.delete(id);
    entry.resolve(text);
  }

  solve(challenge: SessionCaptchaChallenge, options: OperationOptions): Promise<string> {
    return runOperation('solve captcha (manual)', options, async (scope) => {
      const pending: PendingCaptcha = { ...challenge, id: this.ids.next('captcha'), createdAt: this.clock.now() };
      scope.onFailure(() => this.waiting.delete(pending.id));
      const answered = new Promise<string>((resolve) => this.waiting.set(pending.id, { challenge: pending, resolve }));
      for (const listener of this.listeners) listener(pending);
      return answered;
    });
  }
}
