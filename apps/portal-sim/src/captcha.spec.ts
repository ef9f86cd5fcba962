import { CAPTCHA_ALPHABET } from './bitmap-font';
import { CAPTCHA_LENGTH, CaptchaStore } from './captcha';
import { PNG_SIGNATURE } from './png';
import { createPrng } from './prng';

function store(seed = 7, now = () => 1_000_000) {
  return new CaptchaStore(createPrng(seed), now);
}

describe('CaptchaStore', () => {
  it('issues answers of the captcha alphabet', () => {
    const captchas = store();
    const answer = captchas.answer(captchas.issue()) ?? '';
    expect(answer).toHaveLength(CAPTCHA_LENGTH);
    expect([...answer].every((c) => CAPTCHA_ALPHABET.includes(c))).toBe(true);
  });

  it('accepts the right answer once, case-insensitively, then never again', () => {
    const captchas = store();
    const id = captchas.issue();
    const answer = captchas.answer(id) ?? '';
    expect(captchas.verify(id, ` ${answer.toLowerCase()} `)).toBe('ok');
    expect(captchas.verify(id, answer)).toBe('unknown');
    expect(captchas.answer(id)).toBeUndefined();
  });

  it('burns the captcha on a wrong answer too', () => {
    const captchas = store();
    const id = captchas.issue();
    const answer = captchas.answer(id) ?? '';
    expect(captchas.verify(id, 'WRONG')).toBe('wrong');
    expect(captchas.verify(id, answer)).toBe('unknown');
  });

  it('expires an unused captcha after ten minutes', () => {
    let now = 0;
    const captchas = store(7, () => now);
    const id = captchas.issue();
    const answer = captchas.answer(id) ?? '';
    now += 10 * 60_000 + 1;
    expect(captchas.verify(id, answer)).toBe('unknown');
  });

  it('replays the same answers for the same seed', () => {
    const answers = (seed: number) => {
      const captchas = store(seed);
      return Array.from({ length: 5 }, () => captchas.answer(captchas.issue()));
    };
    expect(answers(99)).toEqual(answers(99));
    expect(answers(99)).not.toEqual(answers(100));
  });

  it('renders a PNG, the same picture on every fetch, none once used', () => {
    const captchas = store();
    const id = captchas.issue();
    const png = captchas.renderPng(id);
    expect(png?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(captchas.renderPng(id)?.equals(png as Buffer)).toBe(true);
    captchas.verify(id, 'x');
    expect(captchas.renderPng(id)).toBeUndefined();
  });
});
