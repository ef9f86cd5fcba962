// How a browser's disconnect reads as a root cause in summaries and logs.
import { describeDisconnect } from './browser-session';

describe('describeDisconnect', () => {
  it('names the reason, the pid and how the process ended', () => {
    expect(describeDisconnect({ reason: 'crashed', pid: 4242, signal: 'SIGKILL', exitCode: null, at: 0 })).toBe('browser crashed (pid 4242, SIGKILL)');
    expect(describeDisconnect({ reason: 'crashed', pid: 7, exitCode: 1, at: 0 })).toBe('browser crashed (pid 7, exit code 1)');
    expect(describeDisconnect({ reason: 'detached', at: 0 })).toBe('browser detached');
  });
});
