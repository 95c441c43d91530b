import { ValidationError } from '../errors/domain-error.js';

/**
 * How deep a request body may nest, counting every object and array (the body object itself is
 * level 1). The deepest legitimate body, a conditional's `when` tree, needs two levels per
 * `all`/`any` node, so 32 leaves room for a dozen logical levels; class-transformer and
 * class-validator recurse once per level, and a 1,314-deep array overflowed their stack.
 */
export const MAX_JSON_DEPTH = 32;

/** Keys that reach an object's prototype when a parsed body is copied or merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

/**
 * Control characters no text field takes: C0 except tab, line feed and carriage return (which
 * single-line fields refuse through IsSingleLineText), DEL and C1. A NUL byte broke PostgreSQL
 * (`invalid byte sequence`) where SQLite stored it; the others only hide text from the eye.
 */
// eslint-disable-next-line no-control-regex
export const FORBIDDEN_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a JSON request body with the limits the API documents: nesting deeper than
 * MAX_JSON_DEPTH is refused by a linear scan before JSON.parse builds anything, then keys that
 * could pollute a prototype and strings with control characters are refused, each with its own
 * code and the path of the offending value. An empty body is no body (some clients send
 * `Content-Type: application/json` on a DELETE).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.trim() === '') return undefined;
  checkDepth(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text around the fault; the answer gives only its position (a body may hold a secret).
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new ValidationError(
      'REQUEST.MALFORMED_JSON',
      `The body is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`,
      position === undefined ? undefined : { position: Number(position) },
    );
  }
  checkKeysAndText(value);
  return value;
}

/** Counts brackets outside strings; stops at the first level past the limit. */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // A string's brackets do not count: go on after its closing quote.
      i = closingQuote(text, i);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) {
        throw new ValidationError('REQUEST.TOO_DEEP', `The body nests deeper than ${maxDepth} levels of objects and arrays`, {
          maxDepth,
          offset: i,
        });
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
    i++;
  }
}

/** Where the string that opens at `open` ends: its closing quote, or the end of an unterminated text. */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

interface BodyNode {
  value: unknown;
  path: string;
}

/** Walks a parsed body (its depth is bounded already) without recursion. */
function checkKeysAndText(root: unknown): void {
  const stack: BodyNode[] = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (FORBIDDEN_CONTROL_CHARACTERS.test(value)) throw controlCharacter(path || 'body');
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}[${i}]` });
    } else if (value !== null && typeof value === 'object') {
      pushCheckedMembers(value as Record<string, unknown>, path, stack);
    }
  }
}

/** Queues the members of an object once each key is known not to reach a prototype nor hide a control character. */
function pushCheckedMembers(object: Record<string, unknown>, path: string, stack: BodyNode[]): void {
  for (const key of Object.keys(object)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) {
      throw new ValidationError(
        'REQUEST.FORBIDDEN_KEY',
        `"${key}" is not accepted as a key (at ${keyPath}): it could reach an object's prototype`,
        { field: keyPath },
      );
    }
    if (FORBIDDEN_CONTROL_CHARACTERS.test(key)) throw controlCharacter(keyPath);
    stack.push({ value: object[key], path: keyPath });
  }
}

export function controlCharacter(field: string): ValidationError {
  return new ValidationError('REQUEST.CONTROL_CHARACTER', `${field} must not contain control characters`, { field });
}

/** Query strings and path parameters: the same control-character rule as bodies. */
export function checkTextParameters(source: 'query' | 'path', values: unknown): void {
  if (values === null || typeof values !== 'object') return;
  for (const [name, value] of Object.entries(values)) {
    if (hasControlCharacter(value)) throw controlCharacter(`${source === 'query' ? '' : ':'}${name}`);
    if (FORBIDDEN_CONTROL_CHARACTERS.test(name)) throw controlCharacter(name);
  }
}

/** A parameter's value, or any of a repeated parameter's values, holds a control character. */
function hasControlCharacter(value: unknown): boolean {
  const all: unknown[] = Array.isArray(value) ? value : [value];
  return all.some((v) => typeof v === 'string' && FORBIDDEN_CONTROL_CHARACTERS.test(v));
}
