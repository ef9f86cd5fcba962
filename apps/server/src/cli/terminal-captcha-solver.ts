// The manual captcha for the command line: the CLI has no operator API to park a challenge on,
// so the image is written next to the check's screenshots and the operator types the text on
// the terminal. The answer goes to the login only; the CLI never prints or stores it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { runOperation, type OperationOptions } from '@engine/browser';
import { CaptchaUnsolvableError, type CaptchaChallenge, type CaptchaSolver } from '@engine/portals';

export class TerminalCaptchaSolver implements CaptchaSolver {
  private asked = 0;

  constructor(
    private readonly dir: string,
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  solve(challenge: CaptchaChallenge, options: OperationOptions): Promise<string> {
    return runOperation('solve captcha (terminal)', options, async (scope) => {
      this.asked += 1;
      const image = join(this.dir, `captcha-${this.asked}.png`);
      await writeFile(image, challenge.image);
      const terminal = createInterface({ input: this.input, output: this.output, terminal: false });
      try {
        const answer = (await terminal.question(`captcha for ${challenge.portal}: open ${image} and type its characters: `, { signal: scope.signal })).trim();
        if (!answer) throw new CaptchaUnsolvableError(challenge.portal, 'no answer typed');
        return answer;
      } finally {
        terminal.close();
      }
    });
  }
}
