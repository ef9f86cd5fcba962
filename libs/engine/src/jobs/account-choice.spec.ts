import { accountReady, chooseAccount, type AccountSlot } from './account-choice';

const slot = (account: string, over: Partial<AccountSlot> = {}): AccountSlot => ({
  account,
  masterSession: `master-portal-a.${account}`,
  available: true,
  inFlight: 0,
  concurrency: null,
  lastStarted: -1,
  ...over,
});

describe('chooseAccount', () => {
  it('gives the attempt to the account with the fewest attempts in flight', () => {
    expect(chooseAccount([slot('a', { inFlight: 2 }), slot('b', { inFlight: 1 }), slot('c', { inFlight: 3 })])?.account).toBe('b');
  });

  it('skips an account whose master session is not available: the others keep working', () => {
    expect(chooseAccount([slot('a', { available: false }), slot('b', { inFlight: 4 })])?.account).toBe('b');
  });

  it('answers no account when none is available', () => {
    expect(chooseAccount([slot('a', { available: false }), slot('b', { available: false })])).toBeUndefined();
  });

  it('keeps each account within its own share', () => {
    const full = slot('a', { concurrency: 1, inFlight: 1 });
    expect(accountReady(full)).toBe(false);
    expect(chooseAccount([full, slot('b', { concurrency: 2, inFlight: 1 })])?.account).toBe('b');
    expect(chooseAccount([full, slot('b', { concurrency: 2, inFlight: 2 })])).toBeUndefined();
  });

  it('on equal attempts in flight, prefers the account with more of its share left', () => {
    expect(chooseAccount([slot('a', { concurrency: 2, inFlight: 1 }), slot('b', { concurrency: 4, inFlight: 1 })])?.account).toBe('b');
  });

  it('on equal load, rotates: the account that started an attempt least recently, then configuration order', () => {
    expect(chooseAccount([slot('a', { lastStarted: 5 }), slot('b', { lastStarted: 3 }), slot('c', { lastStarted: 4 })])?.account).toBe('b');
    expect(chooseAccount([slot('a'), slot('b')])?.account).toBe('a');
  });
});
