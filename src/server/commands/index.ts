/** The command table: every request status and its handler, gathered by static import (design §4.1). */
import type { RequestStatus } from '../../protocol/requests.js';
import type { Command } from './command.js';
import { broadcast } from './broadcast.js';
import { create } from './create.js';
import { deleteRoom } from './delete.js';
import { chunk } from './chunk.js';
import { exit } from './exit.js';
import { fetch } from './fetch.js';
import { files } from './files.js';
import { group } from './group.js';
import { help } from './help.js';
import { history } from './history.js';
import { join } from './join.js';
import { kick } from './kick.js';
import { leave } from './leave.js';
import { login } from './login.js';
import { members } from './members.js';
import { mute } from './mute.js';
import { password } from './password.js';
import { ping } from './ping.js';
import { privateMessage } from './private.js';
import { register } from './register.js';
import { rooms } from './rooms.js';
import { upload } from './upload.js';
import { users } from './users.js';
import { who } from './who.js';

/**
 * Keyed by status, so a status of RequestSchemas without its command (or a command filed under another
 * status) does not compile, as ReplyFields in src/protocol/messages.ts does for replies (issue #14).
 */
const BY_STATUS: { readonly [S in RequestStatus]: Command<S> } = {
  // accounts
  register,
  login,
  password,
  // messages
  private: privateMessage,
  broadcast,
  group,
  // rooms
  create,
  join,
  leave,
  // lookups
  who,
  users,
  rooms,
  members,
  history,
  // files
  upload,
  chunk,
  files,
  fetch,
  // moderation
  kick,
  mute,
  delete: deleteRoom,
  // connection
  ping,
  help,
  exit,
};

/** Every command, one per request status. */
export const COMMANDS: readonly Command[] = Object.values(BY_STATUS);
