/**
 * `classchat admin`: account chores on the server machine, working on the database directly (issue
 * #4), also while the server runs (SQLite lets both write). A running server applies each change to
 * live sessions within a second (issue #11.3: actions.ts records it, the server polls for it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCommandLine, readCommandLine, USAGE_EXIT } from '../../cli-args.js';
import { isValidName, nameKey, reservedNameText } from '../../protocol/names.js';
import { assertPasswordRules, PasswordHasher } from '../auth/passwords.js';
import { createInvite } from '../auth/signup.js';
import { DEFAULT_SCRYPT_COST } from '../config.js';
import { BadStoreUrl, openStore, parseStoreUrl, type StoreChoice } from '../store/open-store.js';
import type { Role, Store, UserRecord } from '../store/store.js';
import { changeRole, releaseName, resetPassword, revokeTokens } from './actions.js';
import { readPassword } from './read-password.js';

export const ADMIN_USAGE = `usage: classchat admin <command> [options] [NAME]
commands:
  add-user NAME [--admin]   create an account (asks for its password)
  reset-password NAME       set a new password and log out every session of the user
  revoke-tokens NAME        log out every session of the user; the password stays
  release-name NAME         free the name: no password, no token, a plain user; the next to claim it gets it
  grant-admin NAME          make the user an admin (kick, mute, delete rooms)
  revoke-admin NAME         make an admin a plain user again
  list-users                every user, with role and whether an account owns the name
  invite [--uses N] [--days D]  make an invite code for a server run with --signup invite
                            (default: 1 use, valid 7 days; e.g. --uses 40 for a class)
a running server applies each change to the user's live session within a second
options:
  --data DIR          the server's data directory (default ./classchat-data)  [CLASSCHAT_DATA]
  --store URL         the server's --store: sqlite: (default, in --data) or postgres://...  [CLASSCHAT_STORE]
  --password-stdin    read the password from the first line of standard input (for scripts)
  --scrypt-cost N     log2 of scrypt's N for the new hash (default ${DEFAULT_SCRYPT_COST})      [CLASSCHAT_SCRYPT_COST]`;

class AdminError extends Error {}

const ADMIN_OPTIONS = {
  data: { type: 'string' },
  store: { type: 'string' },
  admin: { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  'scrypt-cost': { type: 'string' },
  uses: { type: 'string' },
  days: { type: 'string' },
} as const;

export async function admin(argv: string[]): Promise<number> {
  const args = readCommandLine('classchat admin', ADMIN_USAGE, () => parseCommandLine(argv, ADMIN_OPTIONS, true));
  if (typeof args === 'number') return args; // --help, or a bad flag
  const { values, positionals } = args;
  const [command, name] = positionals;
  if (command === undefined) {
    process.stderr.write(ADMIN_USAGE + '\n');
    return USAGE_EXIT;
  }
  const cost = Number(values['scrypt-cost'] ?? process.env.CLASSCHAT_SCRYPT_COST ?? DEFAULT_SCRYPT_COST);
  const dataDir = values.data ?? process.env.CLASSCHAT_DATA ?? './classchat-data';
  let choice: StoreChoice;
  try {
    choice = parseStoreUrl(values.store ?? process.env.CLASSCHAT_STORE);
  } catch (err) {
    if (!(err instanceof BadStoreUrl)) throw err;
    process.stderr.write(`classchat admin: ${err.message}\n`);
    return USAGE_EXIT;
  }
  // Only add-user and invite may start a database (an instructor may make accounts and codes before
  // the first start); anything else on a directory without one is a wrong --data. (A PostgreSQL
  // database is made by `classchat migrate` or the first server: opening it applies the schema.)
  const noDatabase = choice.kind === 'sqlite' && !fs.existsSync(path.join(dataDir, 'classchat.db'));
  if (command !== 'add-user' && command !== 'invite' && noDatabase) {
    process.stderr.write(`classchat admin: no ClassChat database in ${dataDir}; give the server's --data directory\n`);
    return 1;
  }
  const store = await openStore({ store: choice, dataDir });
  const hasher = new PasswordHasher(cost, 1);
  const newPassword = async (who: string) => {
    try {
      const password = await readPassword(`password for ${who}: `, values['password-stdin'] === true);
      assertPasswordRules(password);
      return await hasher.hash(password);
    } catch (err) {
      throw new AdminError((err as Error).message);
    }
  };
  try {
    switch (command) {
      case 'add-user': {
        const wanted = requireName(name);
        if (await store.findUser(nameKey(wanted))) throw new AdminError(`${wanted} already exists; use reset-password`);
        if ((await store.findConversation(nameKey(wanted)))?.kind === 'room')
          throw new AdminError(`${wanted} is the name of a room`);
        const role: Role = values.admin ? 'admin' : 'user';
        await store.insertUser(
          { name: wanted, key: nameKey(wanted), passwordHash: await newPassword(wanted), role },
          new Date().toISOString(),
        );
        say(`created ${role === 'admin' ? 'admin' : 'user'} ${wanted}`);
        break;
      }
      case 'reset-password': {
        const user = await existing(store, name);
        resetPassword(store, user.id, await newPassword(user.name));
        say(
          `new password set for ${user.name}; their tokens are revoked, and a running server logs out their sessions within a second`,
        );
        break;
      }
      case 'revoke-tokens': {
        const user = await existing(store, name);
        revokeTokens(store, user.id);
        say(
          `${user.name}'s tokens are revoked, and a running server logs out their sessions within a second; the password is unchanged`,
        );
        break;
      }
      case 'release-name': {
        const user = await existing(store, name);
        releaseName(store, user.id);
        say(
          `${user.name} is free to claim again (no password, no token, not an admin); a running server logs out their sessions within a second`,
        );
        break;
      }
      case 'grant-admin':
      case 'revoke-admin': {
        const user = await existing(store, name);
        if (command === 'grant-admin' && !user.passwordHash)
          throw new AdminError(`${user.name} has no account; set a password first with reset-password`);
        changeRole(store, user.id, command === 'grant-admin' ? 'admin' : 'user');
        say(
          `${user.name} is ${command === 'grant-admin' ? 'an admin' : 'a user'} now; a running server applies it to their live session within a second`,
        );
        break;
      }
      case 'invite': {
        const { code, expiresAt } = createInvite(
          store,
          count(values.uses, 1, '--uses'),
          count(values.days, 7, '--days'),
        );
        say(`invite code: ${code}`);
        say(
          `good for ${values.uses ?? 1} sign-up(s) until ${expiresAt}; a student joins with: classchat chat --invite ${code} --user NAME`,
        );
        break;
      }
      case 'list-users':
        for (const user of await store.listUsers())
          say(`${user.name.padEnd(33)}${user.role.padEnd(7)}${user.passwordHash ? 'account' : 'no account'}`);
        break;
      default:
        throw new AdminError(`unknown command "${command}"\n${ADMIN_USAGE}`);
    }
    await store.commit();
    return 0;
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    process.stderr.write(`classchat admin: ${err.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

function requireName(name: string | undefined): string {
  if (name === undefined) throw new AdminError('give the user name');
  if (!isValidName(name))
    throw new AdminError(
      reservedNameText(name) ?? `"${name}" is not a valid name: 1-32 letters, digits, ".", "_" or "-"`,
    );
  return name;
}

async function existing(store: Store, name: string | undefined): Promise<UserRecord> {
  const user = await store.findUser(nameKey(requireName(name)));
  if (!user) throw new AdminError(`there is no user named ${name}`);
  return user;
}

/** A positive whole number from a flag, or its default; an AdminError says which flag is wrong. */
function count(raw: string | undefined, fallback: number, flag: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100_000)
    throw new AdminError(`${flag} must be a whole number 1-100000, not ${JSON.stringify(raw)}`);
  return value;
}

function say(line: string): void {
  process.stdout.write(line + '\n');
}
