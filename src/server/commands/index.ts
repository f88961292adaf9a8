/** The command table: every request status and its handler, gathered by static import (design §4.1). */
import type { Command } from './command.js';
import { broadcast } from './broadcast.js';
import { create } from './create.js';
import { exit } from './exit.js';
import { group } from './group.js';
import { help } from './help.js';
import { history } from './history.js';
import { join } from './join.js';
import { leave } from './leave.js';
import { members } from './members.js';
import { ping } from './ping.js';
import { privateMessage } from './private.js';
import { register } from './register.js';
import { rooms } from './rooms.js';
import { who } from './who.js';

export const COMMANDS: readonly Command<any>[] = [register, privateMessage, broadcast, group, create, join, leave, who, rooms, members, history, ping, help, exit];
