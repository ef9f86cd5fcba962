// The CaptchaSolver port: turns a captcha image into its text. A solver may answer at once (the
// portal simulator's test solver) or wait for a human (manual: the job waits in awaiting_captcha).
import type { OperationOptions } from './operation';

export interface CaptchaChallenge {
  /** The image exactly as the browser received it. */
  image: Buffer;
  /** Portal id, for the operator and for routing. */
  portal: string;
  /** The portal's own id of the challenge, when the page exposes one. */
  captchaId?: string;
}

export interface CaptchaSolver {
  solve(challenge: CaptchaChallenge, options: OperationOptions): Promise<string>;
}
