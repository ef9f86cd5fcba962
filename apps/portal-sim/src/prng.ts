// Seedable pseudo-random numbers (mulberry32), so a failing run can be replayed with its seed.
// Not for secrets: session ids and tokens come from node:crypto instead.
import { randomInt } from 'node:crypto';

export type Random = () => number;

/** A generator of floats in [0, 1); the same seed always yields the same sequence. */
export function createPrng(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream for one concern, so captcha texts do not shift when fault rolls do. */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ stream, 0x9e3779b1) ^ (stream * 0x85ebca6b)) >>> 0;
}

export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

export function randomIntBelow(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}
