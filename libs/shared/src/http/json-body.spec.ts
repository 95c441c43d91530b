import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error.js';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.js';

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function someKey(value: unknown, test: (key: string) => boolean): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => someKey(v, test));
  return Object.entries(value).some(([k, v]) => test(k) || someKey(v, test));
}

function someString(value: unknown, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => someString(v, test));
}

const codeOf = (text: string): string | undefined => {
  try {
    parseJsonBody(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
};

describe('parseJsonBody', () => {
  it('parses what JSON.parse parses when it is within the limits, and refuses deeper bodies by their depth alone', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 40 }), (value) => {
        const text = JSON.stringify(value);
        // fast-check's JSON values hold "__proto__"/"constructor" keys and control characters too.
        const hostileKey = someKey(value, (k) => k === '__proto__' || k === 'constructor');
        const control = someKey(value, (k) => CONTROL.test(k)) || someString(value, (s) => CONTROL.test(s));
        const code = codeOf(text);
        if (depthOf(value) > MAX_JSON_DEPTH) expect(code).toBe('REQUEST.TOO_DEEP');
        else if (!hostileKey && !control) expect(parseJsonBody(text)).toEqual(JSON.parse(text));
        else expect(['REQUEST.FORBIDDEN_KEY', 'REQUEST.CONTROL_CHARACTER']).toContain(code);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('counts brackets inside strings as text', () => {
    expect(parseJsonBody(JSON.stringify({ note: '['.repeat(1000) }))).toEqual({ note: '['.repeat(1000) });
    expect(parseJsonBody(JSON.stringify({ note: '\\"[[[' }))).toEqual({ note: '\\"[[[' });
  });

  it('answers malformed JSON with its position, never the text around it', () => {
    let error: DomainError | undefined;
    try {
      parseJsonBody('{"secret":"hunter2hunter2", oops}');
    } catch (e) {
      error = e as DomainError;
    }
    expect(error?.code).toBe('REQUEST.MALFORMED_JSON');
    expect(error?.message).not.toContain('hunter2');
  });

  it('takes an empty body as no body', () => {
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody(' \n')).toBeUndefined();
  });

  it('names the path of a forbidden key or a control character', () => {
    expect(() => parseJsonBody('{"when":{"all":[{"__proto__":{}}]}}')).toThrow(/when\.all\[0\]\.__proto__/);
    expect(() => parseJsonBody('{"label":"a\\u0000b"}')).toThrow(/^label must not contain control characters/);
    expect(parseJsonBody('{"note":"tab\\tline\\nreturn\\r"}')).toEqual({ note: 'tab\tline\nreturn\r' });
  });
});
