// The inspector link an alert carries: the portal's master-session stream, encoded as the page
// reads its hash; the stream list when the alert names no portal.
import { inspectorLink } from './inspector-link';

describe('inspectorLink', () => {
  it('points at the master session of the alert\'s portal, under the public base URL with or without a trailing slash', () => {
    expect(inspectorLink('https://engine.example.org', { portal: 'portal-a' })).toBe('https://engine.example.org/inspector#/stream/master-portal-a');
    expect(inspectorLink('https://engine.example.org/ops/', { portal: 'portal-a' })).toBe('https://engine.example.org/ops/inspector#/stream/master-portal-a');
  });

  it('encodes the stream name as the inspector decodes it', () => {
    const link = inspectorLink('http://127.0.0.1:3000', { portal: 'a b|c>' });
    expect(link).toBe('http://127.0.0.1:3000/inspector#/stream/master-a%20b%7Cc%3E');
    expect(decodeURIComponent(/#\/stream\/(.+)$/.exec(new URL(link).hash)?.[1] ?? '')).toBe('master-a b|c>');
  });

  it('points at the stream list when the alert names no portal', () => {
    expect(inspectorLink('http://127.0.0.1:3000', {})).toBe('http://127.0.0.1:3000/inspector#/');
  });
});
