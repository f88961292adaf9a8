/**
 * The web app's state in one object (issue #14), replaced (not mutated) on each change so the UI can
 * re-render from it; components subscribe through useAppState() (ui/use-state.ts).
 */
import type { Pending } from '../net/outbox.js';
import { emptyConv, type Conv } from './conversations.js';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface Person {
  name: string;
  online: boolean;
  admin: boolean;
}

/** A file on its way up (files/upload.ts). */
export interface Transfer {
  id: string;
  convKey: string;
  name: string;
  size: number;
  sent: number;
  state: 'hashing' | 'sending' | 'paused' | 'done' | 'failed';
  error?: string;
}

/** A line the app says in a conversation (a refusal, /help's text): local, not part of its history. */
export interface Notice {
  id: number;
  convKey: string;
  text: string;
  /** Shown after this msgid (or at the top when null). */
  afterMsgid: number | null;
}

export interface AppState {
  /** signed-out: the sign-in form; in: signed in (possibly reconnecting). */
  phase: 'signed-out' | 'signing-in' | 'in';
  /** Signing back in with the session kept from the last visit (no form shown meanwhile). */
  resuming: boolean;
  me: string;
  role: 'user' | 'admin';
  conn: ConnState;
  /** Why the last sign-in failed (role="alert"), and whether the name needs a password. */
  signInError: string | null;
  needPassword: boolean;
  /** A line about the connection (why it closed) shown next to the status. */
  connNote: string | null;
  convs: Record<string, Conv>;
  selected: string;
  people: Record<string, Person>;
  /** Rooms' owners as far as the app saw (the sender of the `created` event); keyed by room key. */
  owners: Record<string, string>;
  pending: Pending[];
  notices: Notice[];
  transfers: Transfer[];
  /** The user allowed browser notifications. */
  notify: boolean;
}

export function initialState(): AppState {
  const everyone = emptyConv('everyone', 'everyone');
  return {
    phase: 'signed-out',
    resuming: false,
    me: '',
    role: 'user',
    conn: 'offline',
    signInError: null,
    needPassword: false,
    connNote: null,
    convs: { [everyone.key]: everyone },
    selected: everyone.key,
    people: {},
    owners: {},
    pending: [],
    notices: [],
    transfers: [],
    notify: false,
  };
}

export class Store {
  private state: AppState = initialState();
  private readonly listeners = new Set<() => void>();

  get(): AppState {
    return this.state;
  }

  /** Replaces the fields in `patch` and tells the subscribers. */
  set(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** Replaces conversation `key` with what `fn` makes of it (nothing when it does not exist). */
  updateConv(key: string, fn: (conv: Conv) => Conv): void {
    const conv = this.state.convs[key];
    if (!conv) return;
    this.set({ convs: { ...this.state.convs, [key]: fn(conv) } });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
