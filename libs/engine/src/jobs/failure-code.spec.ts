// The code a failure records: the error's own code, HTTP_5xx when the portal answered with an
// error page, a class name for foreign errors.
import { EngineError, TimeoutError } from '@engine/core';
import { UnexpectedPageError } from '@engine/portals';
import { failureCode } from './failure-code';

describe('failureCode', () => {
  it('records a portal error page by its status when it is 5xx, and as UNEXPECTED_PAGE otherwise', () => {
    expect(failureCode(new UnexpectedPageError('sim', 'vehicle', '/Error.aspx', 503))).toBe('HTTP_503');
    expect(failureCode(new UnexpectedPageError('sim', 'vehicle', '/Missing.aspx', 404))).toBe('UNEXPECTED_PAGE');
    expect(failureCode(new UnexpectedPageError('sim', 'vehicle', '/Dashboard.aspx'))).toBe('UNEXPECTED_PAGE');
  });

  it('keeps an error code, and names a foreign error by its class', () => {
    expect(failureCode(new TimeoutError('fill vehicle', 1_000))).toBe('TIMEOUT');
    expect(failureCode(new EngineError('SOMETHING', 'x'))).toBe('SOMETHING');
    expect(failureCode(new TypeError('boom'))).toBe('TYPE');
    expect(failureCode('not an error')).toBe('ERROR');
  });
});
