/**
 * Prepares the soak server's data directory before it starts, with the project's own store code
 * (SqliteStore, so the schema and its migrations are the server's): 20,000 rooms, a busy room with
 * 100,000 messages waiting for its members, and the accounts the attacks and probes log in with.
 * Seeding beats sending: 100,000 messages through the protocol would need flood limits raised for
 * set-up, and the soak must run the server with its default limits.
 *
 * Accounts the attackers use log in with a session token (stored hashed, as the server does), so
 * setting up 400 users costs no scrypt hash; the real user and the account the hashing attack aims
 * at get real hashes at the soak's cost.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PasswordHasher } from '../../src/server/auth/passwords.js';
import { newToken, tokenHash } from '../../src/server/auth/tokens.js';
import { nameKey } from '../../src/protocol/names.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { SoakSettings } from './settings.js';

/** Users the rooms attack lists with (issue #11.6: 20 clients). */
export const LISTERS = 20;
/** Users the descriptor attack uploads as (issue #11.7: 60 users). */
export const UPLOADERS = 60;
/** Messages written per transaction while seeding. */
const BATCH = 2000;

export interface Seeded {
  /** The user whose password logins are timed (from 127.0.0.9). */
  real: { name: string; password: string };
  /** An account the hashing attack registers over (issue #11.9). */
  owner: string;
  bystander: string;
  busyRoom: string;
  listers: string[];
  waiters: string[];
  uploaders: string[];
  /** name -> session token, for every user except `real` and `owner`. */
  tokens: Map<string, string>;
}

/** Writes the soak state into `dataDir` (which must be empty). */
export async function seed(dataDir: string, settings: SoakSettings, note: (text: string) => void): Promise<Seeded> {
  const hasher = new PasswordHasher(settings.scryptCost, 2);
  const real = { name: 'soak-real', password: 'real user password' };
  const [realHash, ownerHash, sharedHash] = await Promise.all([
    hasher.hash(real.password),
    hasher.hash('owner password, never sent'),
    hasher.hash('attackers log in with tokens'),
  ]);
  const store = new SqliteStore({ dataDir });
  const now = new Date().toISOString();
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();
  const addUser = async (name: string, hash: string, withToken: boolean) => {
    const id = await store.insertUser({ name, key: nameKey(name), passwordHash: hash, role: 'user' }, now);
    ids.set(name, id);
    if (withToken) {
      const token = newToken();
      tokens.set(name, token);
      await store.insertToken(tokenHash(token), id, now);
    }
    return id;
  };
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const listers = names('lister', LISTERS);
  const waiters = names('waiter', settings.waitingUsers);
  const uploaders = names('uploader', UPLOADERS);
  await addUser(real.name, realHash, false);
  await addUser('soak-owner', ownerHash, false);
  const posterId = await addUser('soak-poster', sharedHash, false);
  for (const name of ['soak-bystander', ...listers, ...waiters, ...uploaders]) await addUser(name, sharedHash, true);
  store.commit();

  for (let i = 0; i < settings.rooms; i++) {
    const name = `room-${String(i).padStart(5, '0')}`;
    store.insertConversation({ kind: 'room', key: nameKey(name), name }, posterId, now, [posterId]);
  }
  store.commit();
  note(`seeded ${settings.rooms} rooms and ${ids.size} users`);

  const busyRoom = 'busy';
  const { id: busyId } = store.insertConversation({ kind: 'room', key: busyRoom, name: busyRoom }, posterId, now, [
    posterId,
    ...waiters.map((name) => ids.get(name)!),
  ]);
  const filler = 'x'.repeat(settings.messageChars);
  for (let seq = 1; seq <= settings.busyMessages; seq++) {
    const text = `${seq} ${filler}`.slice(0, settings.messageChars);
    store.appendMessage({
      convId: busyId,
      kind: 'group',
      event: null,
      senderId: posterId,
      sender: 'soak-poster',
      receiver: busyRoom,
      text,
      ts: now,
    });
    if (seq % BATCH === 0) {
      store.commit();
      await nextTurn(); // lets Ctrl-C through during a long seeding
    }
  }
  await store.close();
  note(
    `seeded ${settings.busyMessages} messages of ${settings.messageChars} characters waiting in "${busyRoom}" for ${waiters.length} users`,
  );
  return { real, owner: 'soak-owner', bystander: 'soak-bystander', busyRoom, listers, waiters, uploaders, tokens };
}
