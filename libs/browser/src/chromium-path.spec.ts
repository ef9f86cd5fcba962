import { ChromiumNotFoundError } from './errors';
import { findChromium } from './chromium-path';

describe('findChromium', () => {
  it('prefers CHROMIUM_PATH over the Debian locations', () => {
    const found = findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, () => true);
    expect(found).toBe('/opt/chrome/chrome');
  });

  it('falls back to /usr/lib/chromium/chromium, then /usr/bin/chromium', () => {
    expect(findChromium({}, (path) => path === '/usr/bin/chromium')).toBe('/usr/bin/chromium');
    expect(findChromium({ CHROMIUM_PATH: '/missing' }, (path) => path !== '/missing')).toBe('/usr/lib/chromium/chromium');
  });

  it('fails with a clear error listing where it looked', () => {
    const attempt = () => findChromium({ CHROMIUM_PATH: '/nowhere/chrome' }, () => false);
    expect(attempt).toThrow(ChromiumNotFoundError);
    try {
      attempt();
    } catch (error) {
      expect((error as ChromiumNotFoundError).code).toBe('CHROMIUM_NOT_FOUND');
      expect((error as ChromiumNotFoundError).candidates).toEqual(['/nowhere/chrome', '/usr/lib/chromium/chromium', '/usr/bin/chromium']);
    }
  });
});
