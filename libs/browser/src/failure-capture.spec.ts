import { redactUrl } from './failure-capture';

describe('redactUrl', () => {
  it('redacts secret-looking query values and userinfo, keeps the rest', () => {
    const url = redactUrl('https://user:pw@portal.example/Login.aspx?ReturnUrl=%2FDashboard.aspx&token=abc123&SessionId=s1');
    expect(url).toBe('https://portal.example/Login.aspx?ReturnUrl=%2FDashboard.aspx&token=redacted&SessionId=redacted');
    expect(url).not.toContain('abc123');
    expect(url).not.toContain('pw@');
  });

  it('never echoes an unparseable input', () => {
    expect(redactUrl('not a url password=hunter2')).toBe('unparseable-url');
  });
});
