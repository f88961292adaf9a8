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
  if (typeof value === 'string') return wellFormed(value) as T;
  // A loop with its own stack, not recursion: a hostile line may nest arrays thousands deep.
  const pending: object[] = typeof value === 'object' && value !== null ? [value] : [];
  while (pending.length > 0) {
    const container = pending.pop()!;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === 'string') container[i] = wellFormed(item);
        else if (typeof item === 'object' && item !== null) pending.push(item);
      }
      continue;
    }
    const object = container as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const item = object[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
      const fixed = typeof item === 'string' ? wellFormed(item) : item;
      const fixedKey = wellFormed(key);
      if (fixedKey === key && fixed === item) continue;
      if (fixedKey !== key) delete object[key];
      // defineProperty, not assignment: an own "__proto__" key must stay a plain property.
      Object.defineProperty(object, fixedKey, { value: fixed, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}
