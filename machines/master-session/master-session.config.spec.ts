// Recovery configuration: the defaults of issue 6, overrides merged per level, bad values refused.
import { DEFAULT_MASTER_SESSION_CONFIG, masterSessionConfigProblems, resolveMasterSessionConfig } from './master-session.config';

describe('master-session config', () => {
  it('defaults: heartbeat 30 s; soft 3 tries 10–20 s apart; hard 2 tries 30–60 s apart; nuclear 1 try', () => {
    expect(resolveMasterSessionConfig()).toMatchObject({
      heartbeatMs: 30_000,
      soft: { tries: 3, minWaitMs: 10_000, maxWaitMs: 20_000 },
      hard: { tries: 2, minWaitMs: 30_000, maxWaitMs: 60_000 },
      nuclear: { tries: 1 },
    });
  });

  it('merges overrides field by field, per level', () => {
    const config = resolveMasterSessionConfig({ heartbeatMs: 10_000, hard: { tries: 4 } });
    expect(config.heartbeatMs).toBe(10_000);
    expect(config.hard).toEqual({ tries: 4, minWaitMs: 30_000, maxWaitMs: 60_000 });
    expect(config.soft).toEqual(DEFAULT_MASTER_SESSION_CONFIG.soft);
  });

  it('refuses bad values, naming each one', () => {
    expect(() => resolveMasterSessionConfig({ soft: { tries: 0 }, hard: { minWaitMs: 9, maxWaitMs: 1 } })).toThrow(RangeError);
    const problems = masterSessionConfigProblems({ ...DEFAULT_MASTER_SESSION_CONFIG, heartbeatMs: 1.5, soft: { tries: 0, minWaitMs: 9, maxWaitMs: 1 } });
    expect(problems).toEqual([
      'heartbeatMs must be a positive integer, got 1.5',
      'soft.tries must be a positive integer, got 0',
      'soft.minWaitMs (9) exceeds soft.maxWaitMs (1)',
    ]);
    expect(masterSessionConfigProblems(DEFAULT_MASTER_SESSION_CONFIG)).toEqual([]);
  });
});
