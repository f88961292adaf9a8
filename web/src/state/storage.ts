/**
 * What the web app keeps in localStorage (issue #14): the session to sign back in with after a reload
 * (name and token), the claim tokens of names signed in here (a claimed name's token is its only
 * credential: signing out keeps it, as the terminal client keeps it on disk), and each name's private
 * conversations (the server has no request that lists them).
 */

const CURRENT = 'classchat.current';
const CLAIMS = 'classchat.claims';
const dmsKey = (me: string): string => `classchat.dms.${me.toLowerCase()}`;

function read<T>(key: string, fallback: T, check: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
    return check(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the app still works, it just asks again after a reload.
  }
}

const isSession = (v: unknown): v is { name: string; token: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { name?: unknown }).name === 'string' &&
  typeof (v as { token?: unknown }).token === 'string';
const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The session a reload signs back in with, or null. */
export function loadSession(): { name: string; token: string } | null {
  return read(CURRENT, null, (v): v is { name: string; token: string } | null => v === null || isSession(v));
}

export function saveSession(name: string, token: string): void {
  write(CURRENT, { name, token });
}

export function forgetSession(): void {
  localStorage.removeItem(CURRENT);
}

/** The claim token kept for `name`, if any. */
export function claimToken(name: string): string | undefined {
  return read(CLAIMS, {}, isStringRecord)[name.toLowerCase()];
}

export function saveClaim(name: string, token: string | null): void {
  const claims = read(CLAIMS, {}, isStringRecord);
  if (token === null) delete claims[name.toLowerCase()];
  else claims[name.toLowerCase()] = token;
  write(CLAIMS, claims);
}

/** The private conversations `me` had open here. */
export function loadDms(me: string): string[] {
  return read(dmsKey(me), [], isStringArray);
}

export function saveDms(me: string, names: string[]): void {
  write(dmsKey(me), names);
}
