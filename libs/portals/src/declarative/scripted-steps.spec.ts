// Scripted steps are checked by the declarative portal vocabulary against the values sent with
// them: every problem by its path, nothing half-accepted.
import { ValidationError } from '@engine/core';
import { parseScriptedSteps, shapeOfValue } from './scripted-steps';

const fieldsOf = (body: unknown): Record<string, string> => {
  try {
    parseScriptedSteps(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('accepted');
};

describe('scripted steps', () => {
  it('takes the shape of the values sent', () => {
    expect(shapeOfValue({ a: 'x', n: 1, b: true, list: [1], file: { name: 'a', base64: 'eA==' } })).toEqual({
      type: 'object',
      properties: {
        a: { type: 'string' },
        n: { type: 'number' },
        b: { type: 'boolean' },
        list: { type: 'array' },
        file: { type: 'object', properties: { name: { type: 'string' }, base64: { type: 'string' } } },
      },
    });
  });

  it('compiles steps as a portal document would, with extracts and a secret reference', () => {
    const parsed = parseScriptedSteps({
      origin: 'http://127.0.0.1:8080/some/path',
      credentialsRef: 'secret://x/login',
      values: { who: 'Ada', ok: true },
      steps: [
        {
          name: 'form',
          expectUrl: '^/form',
          actions: [{ fill: { selector: '#u', value: '${credentials.username}' } }, { fill: { selector: '#n', from: 'who' } }, { check: { selector: '#ok', from: 'ok' } }, { click: '#go' }],
          extract: { title: { selector: 'h1', pattern: 'Hello (\\w+)' } },
        },
      ],
    });
    expect(parsed.origin).toBe('http://127.0.0.1:8080');
    expect(parsed.steps[0].actions.map((a) => a.kind)).toEqual(['fill', 'fill', 'check', 'click']);
    expect(parsed.steps[0].expectUrl).toBeInstanceOf(RegExp);
    expect(parsed.steps[0].extract.title.pattern).toBeInstanceOf(RegExp);
  });

  it('refuses what the vocabulary refuses, by path', () => {
    expect(fieldsOf({ values: { ok: 'yes' }, steps: [{ name: 's', actions: [{ check: { selector: '#x', from: 'ok' } }] }] })).toEqual({
      'steps[0].actions[0].check.from': 'payload property ok is string; check needs boolean',
    });
    expect(fieldsOf({ steps: [{ name: 's', actions: [{ goto: '/${businessKey}' }] }] })['steps[0].actions[0].goto']).toMatch(/not available here/);
    expect(fieldsOf({ steps: [{ name: 's', actions: [{ goto: '/' }] }, { name: 's', actions: [{ goto: '/' }] }] })).toEqual({ 'steps[1].name': 'step name s is used twice' });
    expect(fieldsOf({ steps: [{ name: 's', actions: [{ goto: '/' }], extract: { 'a b': { selector: 'h1' } } }] })).toHaveProperty(['steps[0].extract.a b']);
    expect(fieldsOf({ steps: [{ name: 's', actions: [{ goto: '/' }], extract: { t: { attribute: 'href' } } }] })).toEqual({ 'steps[0].extract.t.selector': 'selector is required' });
    expect(fieldsOf({ origin: 'file:///etc', steps: [{ name: 's', actions: [{ goto: '/' }] }] })).toEqual({ origin: 'must be an http(s) URL' });
    expect(fieldsOf({ steps: Array.from({ length: 51 }, (_, i) => ({ name: `s${i}`, actions: [{ goto: '/' }] })) })).toEqual({ steps: 'at most 50 steps' });
    expect(fieldsOf(null)).toEqual({ steps: 'Required' });
  });
});
