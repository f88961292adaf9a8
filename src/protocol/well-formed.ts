/**
 * Lone surrogates (issue #11.15). A JSON string may carry "\ud800", which no UTF-8 text can hold: live
 * delivery passed it on as an escape while SQLite stored U+FFFD, so history disagreed with what was
 * delivered, and a file name kept it. Every string of a request is made well-formed once, at the edge,
 * so every path after it sees the same text.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every lone surrogate replaced by U+FFFD (what String.prototype.toWellFormed does). */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Makes every string in a parsed JSON value (keys included) well-formed, in place; returns the value.
 * `line` is the JSON it came from: a lone surrogate can only arrive as a `\u` escape (the line decoder
 * turns bytes into well-formed text), so a line without one is returned at once.
 */
export function wellFormedRequest<T>(value: T, line: string): T {
  if (!line.includes('\\u')) return value;
  return fix(value) as T;
}

function fix(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fix(value[i]);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const before = object[key];
      const after = fix(before);
      const fixedKey = wellFormed(key);
      if (fixedKey === key && after === before) continue;
      if (fixedKey !== key) delete object[key];
      // defineProperty, not assignment: an own "__proto__" key must stay a plain property.
      Object.defineProperty(object, fixedKey, { value: after, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}
