// Which master sessions the engine runs: one per portal with a credentials reference, one per
// account of a portal that lists accounts (the first keeping the portal's own session name).
import { masterSessionPlans } from './engine';

describe('masterSessionPlans', () => {
  it('keeps `master-<portal>` for a portal with one login and for the first account of a portal with several', () => {
    const plans = masterSessionPlans(['solo', 'multi', 'none'], { solo: 'secret://solo' }, { multi: [{ id: 'main', credentialsRef: 'secret://m/main' }, { id: 'desk-2', credentialsRef: 'secret://m/2', concurrency: 2, browser: { proxy: 'http://p:3128' } }] });
    expect(plans).toEqual([
      { portal: 'solo', account: null, session: 'solo', stream: 'master-solo', credentialsRef: 'secret://solo' },
      { portal: 'multi', account: 'main', session: 'multi', stream: 'master-multi', credentialsRef: 'secret://m/main' },
      { portal: 'multi', account: 'desk-2', session: 'multi.desk-2', stream: 'master-multi.desk-2', credentialsRef: 'secret://m/2', concurrency: 2, browser: { proxy: 'http://p:3128' } },
    ]);
  });

  it('refuses an account id that is not path-safe, and one listed twice', () => {
    expect(() => masterSessionPlans(['p'], {}, { p: [{ id: '../x', credentialsRef: 'secret://x' }] })).toThrow(RangeError);
    expect(() => masterSessionPlans(['p'], {}, { p: [{ id: 'a', credentialsRef: 'secret://x' }, { id: 'a', credentialsRef: 'secret://y' }] })).toThrow(RangeError);
  });
});
