// The archive command's arguments: the age as a duration, and where the segments go.
import { join, resolve } from 'node:path';
import { archiveDirFor, parseDuration } from './archive-command';
import { CliError } from './cli-error';

describe('engine archive arguments', () => {
  it('reads a duration in seconds, minutes, hours, days or weeks', () => {
    expect(parseDuration('45s', '--older-than')).toBe(45_000);
    expect(parseDuration('30m', '--older-than')).toBe(1_800_000);
    expect(parseDuration('12h', '--older-than')).toBe(43_200_000);
    expect(parseDuration('90d', '--older-than')).toBe(90 * 86_400_000);
    expect(parseDuration('2w', '--older-than')).toBe(14 * 86_400_000);
  });

  it('refuses anything else as a usage error naming the flag', () => {
    for (const bad of [undefined, '', '90', 'd', '-1d', '1.5d', '1y', '90 d']) {
      expect(() => parseDuration(bad, '--older-than')).toThrow(CliError);
      expect(() => parseDuration(bad, '--older-than')).toThrow(/--older-than/);
    }
  });

  it('puts segments in --archive-dir, else DATA_DIR/archive, else next to the store file', () => {
    expect(archiveDirFor('/srv/segments', { DATA_DIR: '/srv/data' }, '/srv/data/events.db')).toBe(resolve('/srv/segments'));
    expect(archiveDirFor(undefined, { DATA_DIR: '/srv/data' }, '/elsewhere/events.db')).toBe(join(resolve('/srv/data'), 'archive'));
    expect(archiveDirFor(undefined, {}, '/srv/data/events.db')).toBe(join('/srv/data', 'archive'));
  });
});
