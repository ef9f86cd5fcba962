// Specification of the job input check intake runs before creating a job stream.
import { jobInputProblems, type JobInput } from './job.config';
import { jobInput } from './job.fixtures';

describe('jobInputProblems', () => {
  it('accepts a complete input, with or without the optional settings', () => {
    expect(jobInputProblems(jobInput)).toEqual({});
    expect(jobInputProblems({ ...jobInput, maxAttempts: 1, retryDelayMs: 0, reconcileDelayMs: 5_000, externalId: 'X-1' })).toEqual({});
  });

  it('names every bad field', () => {
    const bad = { jobId: '', portal: ' ', businessKey: 7, payload: [], steps: ['a', ''], maxAttempts: 0, retryDelayMs: -1, reconcileDelayMs: 1.5 } as unknown as JobInput;
    expect(jobInputProblems(bad)).toEqual({
      jobId: 'must be a non-empty string',
      portal: 'must be a non-empty string',
      businessKey: 'must be a non-empty string',
      payload: 'must be an object',
      steps: 'must be a list of step names',
      maxAttempts: 'must be an integer >= 1',
      retryDelayMs: 'must be an integer >= 0',
      reconcileDelayMs: 'must be an integer >= 0',
    });
  });

  it('refuses repeated step names: the stage per step would be ambiguous in the log', () => {
    expect(jobInputProblems({ ...jobInput, steps: ['a', 'b', 'a'] })).toEqual({ steps: 'step names must be unique' });
  });
});
