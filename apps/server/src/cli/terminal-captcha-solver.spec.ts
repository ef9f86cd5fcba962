import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { TerminalCaptchaSolver } from './terminal-captcha-solver';

describe('TerminalCaptchaSolver', () => {
  let dir: string;
  let input: PassThrough;
  let output: PassThrough;
  let shown: string;
  /** Settles once the solver has asked. */
  const asked = () => new Promise((resolve) => output.once('data', resolve));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-captcha-'));
    input = new PassThrough();
    output = new PassThrough();
    shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the image, asks with its path and answers what the operator typed, writing no answer itself', async () => {
    const solver = new TerminalCaptchaSolver(dir, input, output);
    const question = asked();
    const answer = solver.solve({ image: Buffer.from('png bytes'), portal: 'acme' }, { timeoutMs: 5000 });
    await question;
    const image = join(dir, 'captcha-1.png');
    expect(shown).toBe(`captcha for acme: open ${image} and type its characters: `);
    expect(readFileSync(image).toString()).toBe('png bytes');
    input.write(' K7MPX \n');
    await expect(answer).resolves.toBe('K7MPX');
    expect(shown).not.toContain('K7MPX');
  });

  it('refuses an empty answer and gives up when the caller aborts', async () => {
    const solver = new TerminalCaptchaSolver(dir, input, output);
    const question = asked();
    const empty = solver.solve({ image: Buffer.from('a'), portal: 'acme' }, { timeoutMs: 5000 });
    await question;
    input.write('\n');
    await expect(empty).rejects.toMatchObject({ code: 'CAPTCHA_UNSOLVABLE' });

    const controller = new AbortController();
    const again = asked();
    const waiting = solver.solve({ image: Buffer.from('b'), portal: 'acme' }, { timeoutMs: 5000, signal: controller.signal });
    await again;
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
