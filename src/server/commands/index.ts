/** The command table: every request status and its handler, gathered by static import (design §4.1). */
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

export const COMMANDS: readonly Command[] = [
  // accounts
  register,
  login,
  password,
  // messages
  privateMessage,
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
  deleteRoom,
  // connection
  ping,
  help,
  exit,
];
