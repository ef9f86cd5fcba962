// The portal simulator's test solver: reads the answer from the simulator's /__test/captcha/:id
// hook, so tests and benchmarks log in without a human. Only for a simulator with test hooks.
import { runOperation, type OperationOptions } from '@engine/browser';
import type { CaptchaChallenge, CaptchaSolver } from '@portal-engine/adapter-kit';
import { CaptchaUnsolvableError } from '../errors';

export class PortalSimCaptchaSolver implements CaptchaSolver {
  constructor(private readonly baseUrl: string) {}

  solve(challenge: CaptchaChallenge, options: OperationOptions): Promise<string> {
    return runOperation('solve captcha (portal-sim)', options, async (scope) => {
      if (!challenge.captchaId) throw new CaptchaUnsolvableError(challenge.portal, 'no captcha id on the page');
      const url = new URL(`/__test/captcha/${encodeURIComponent(challenge.captchaId)}`, this.baseUrl);
      const response = await fetch(url, { signal: scope.signal });
      if (!response.ok) throw new CaptchaUnsolvableError(challenge.portal, `test hook answered HTTP ${response.status}`);
      const { answer } = (await response.json()) as { answer?: unknown };
      if (typeof answer !== 'string') throw new CaptchaUnsolvableError(challenge.portal, 'test hook gave no answer');
      return answer;
    });
  }
}
