// Image captchas: a fresh one per login page view, answered once, rendered to PNG on the server
// with distortion and noise so it looks like the real thing to a human operator.
import { randomBytes } from 'node:crypto';
import { CAPTCHA_ALPHABET, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from './bitmap-font';
import { encodeGreyPng } from './png';
import { createPrng, randomIntBelow, type Random } from './prng';

export const CAPTCHA_LENGTH = 5;
const CAPTCHA_TTL_MS = 10 * 60_000;
// Every login page view issues one; the cap keeps a crawler from growing the map without bound.
const MAX_OUTSTANDING = 10_000;

interface Captcha {
  answer: string;
  issuedAt: number;
  /** Seeds the distortion, so fetching the image twice shows the same picture. */
  renderSeed: number;
}

export type CaptchaVerdict = 'ok' | 'wrong' | 'unknown';

export class CaptchaStore {
  private readonly captchas = new Map<string, Captcha>();

  constructor(
    private readonly random: Random,
    private readonly now: () => number,
  ) {}

  issue(): string {
    const id = randomBytes(12).toString('hex');
    let answer = '';
    for (let i = 0; i < CAPTCHA_LENGTH; i++) answer += CAPTCHA_ALPHABET[randomIntBelow(this.random, CAPTCHA_ALPHABET.length)];
    this.captchas.set(id, { answer, issuedAt: this.now(), renderSeed: randomIntBelow(this.random, 2 ** 31) });
    if (this.captchas.size > MAX_OUTSTANDING) this.captchas.delete(this.captchas.keys().next().value as string);
    return id;
  }

  /** The answer while the captcha is still unused and fresh (test hook only). */
  answer(id: string): string | undefined {
    return this.live(id)?.answer;
  }

  /** Checks and burns the captcha: a second try with the same id is always 'unknown'. */
  verify(id: string, attempt: string): CaptchaVerdict {
    const captcha = this.live(id);
    this.captchas.delete(id);
    if (!captcha) return 'unknown';
    return attempt.trim().toUpperCase() === captcha.answer ? 'ok' : 'wrong';
  }

  renderPng(id: string): Buffer | undefined {
    const captcha = this.live(id);
    return captcha && renderCaptcha(captcha.answer, createPrng(captcha.renderSeed));
  }

  private live(id: string): Captcha | undefined {
    const captcha = this.captchas.get(id);
    if (captcha && this.now() - captcha.issuedAt > CAPTCHA_TTL_MS) {
      this.captchas.delete(id);
      return undefined;
    }
    return captcha;
  }
}

const WIDTH = 180;
const HEIGHT = 60;
const SCALE = 5;

export function renderCaptcha(text: string, random: Random): Buffer {
  const pixels = new Uint8Array(WIDTH * HEIGHT);
  for (let i = 0; i < pixels.length; i++) pixels[i] = 200 + randomIntBelow(random, 56);

  const waveAmplitude = 2 + random() * 3;
  const wavePhase = random() * Math.PI * 2;
  const advance = Math.floor((WIDTH - 20) / text.length);
  for (let c = 0; c < text.length; c++) {
    const originX = 10 + c * advance + randomIntBelow(random, 6);
    const originY = 8 + randomIntBelow(random, HEIGHT - GLYPH_HEIGHT * SCALE - 12);
    const shear = (random() - 0.5) * 0.6;
    const ink = randomIntBelow(random, 70);
    for (let gy = 0; gy < GLYPH_HEIGHT * SCALE; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH * SCALE; gx++) {
        if (!glyphPixel(text[c], Math.floor(gx / SCALE), Math.floor(gy / SCALE))) continue;
        const x = Math.round(originX + gx + shear * (gy - (GLYPH_HEIGHT * SCALE) / 2));
        const y = Math.round(originY + gy + waveAmplitude * Math.sin(x / 9 + wavePhase));
        if (x >= 0 && x < WIDTH && y >= 0 && y < HEIGHT) pixels[y * WIDTH + x] = ink;
      }
    }
  }

  for (let line = 0; line < 4; line++) drawLine(pixels, random);
  for (let speck = 0; speck < 350; speck++) {
    pixels[randomIntBelow(random, pixels.length)] = randomIntBelow(random, 256);
  }
  return encodeGreyPng({ width: WIDTH, height: HEIGHT, pixels });
}

function drawLine(pixels: Uint8Array, random: Random): void {
  const y0 = random() * HEIGHT;
  const slope = (random() - 0.5) * 0.8;
  const shade = 40 + randomIntBelow(random, 100);
  for (let x = 0; x < WIDTH; x++) {
    const y = Math.round(y0 + slope * x);
    if (y >= 0 && y < HEIGHT) pixels[y * WIDTH + x] = shade;
  }
}
