import { parseVariable, renderTemplate, substituteOptions } from './template';

describe('declarative templates', () => {
  it('knows options, payload paths, the business key and the two credentials, nothing else', () => {
    expect(parseVariable('options.baseUrl')).toEqual({ scope: 'options', key: 'baseUrl' });
    expect(parseVariable('payload.vehicle.chassisNo')).toEqual({ scope: 'payload', path: ['vehicle', 'chassisNo'] });
    expect(parseVariable('businessKey')).toEqual({ scope: 'businessKey' });
    expect(parseVariable('credentials.password')).toEqual({ scope: 'credentials', field: 'password' });
    for (const name of ['credentials.token', 'options', 'options.a.b', 'payload', 'env.HOME', 'payload..x']) expect(parseVariable(name)).toBeUndefined();
  });

  it('fills options in at load and leaves the per-job placeholders, reporting options not given', () => {
    expect(substituteOptions('${options.baseUrl}/x?k=${businessKey}', { baseUrl: 'http://h:1' })).toEqual({ text: 'http://h:1/x?k=${businessKey}', missing: [] });
    expect(substituteOptions('${options.port}', {})).toEqual({ text: '${options.port}', missing: ['port'] });
    expect(substituteOptions('${options.port}', { port: { nested: 1 } }).missing).toEqual(['port']);
  });

  it('percent-encodes per-job values in URLs only, and renders an absent payload value as empty', () => {
    const values = { payload: { a: { b: 'x y&z' }, n: 7 }, businessKey: 'K/1' };
    expect(renderTemplate('/s?q=${payload.a.b}&k=${businessKey}', values, { encode: true })).toBe('/s?q=x%20y%26z&k=K%2F1');
    expect(renderTemplate('${payload.a.b} ${payload.n} [${payload.missing}]', values, { encode: false })).toBe('x y&z 7 []');
  });
});
