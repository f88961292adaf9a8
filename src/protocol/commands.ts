/**
 * The help text for every request, sent by the server's `help` reply (as text and as data). Order is
 * the order shown to users. docs/protocol.md describes the same requests, written by hand: change both.
 */
import type { RequestStatus } from './requests.js';

export interface CommandHelp {
  status: RequestStatus;
  example: string;
  summary: string;
}

export const COMMAND_HELP: readonly CommandHelp[] = [
  {
    status: 'register',
    example: '{"status":"register","sender":"Alice"}',
    summary:
      'claim a name (first thing to send); keep the "token" of the reply to come back; add "password" to make it your account',
  },
  {
    status: 'login',
    example: '{"status":"login","sender":"Alice","password":"correct horse"}',
    summary: 'log in to your account or claimed name (with "token" from an earlier register or login)',
  },
  {
    status: 'password',
    example: '{"status":"password","password":"old one","new_password":"new one"}',
    summary:
      'change your password; other sessions must log in again. Without "password": give a claimed name its first password',
  },
  {
    status: 'private',
    example: '{"status":"private","receiver":"Bob","text":"hi"}',
    summary: 'message one user (queued if they are offline)',
  },
  {
    status: 'broadcast',
    example: '{"status":"broadcast","text":"hello all"}',
    summary: 'message every user (those offline get it when they log in)',
  },
  {
    status: 'group',
    example: '{"status":"group","receiver":"CS350","text":"hi"}',
    summary: 'message a room you are a member of',
  },
  {
    status: 'create',
    example: '{"status":"create","receiver":"CS350","members":["Bob"]}',
    summary: 'create a room, optionally adding members',
  },
  { status: 'join', example: '{"status":"join","receiver":"CS350"}', summary: 'join a room' },
  {
    status: 'leave',
    example: '{"status":"leave","receiver":"CS350"}',
    summary: 'leave a room (the last to leave deletes it)',
  },
  {
    status: 'who',
    example: '{"status":"who"}',
    summary: 'list users online, 100 at a time ("after": the reply\'s "next" for more; "limit" up to 500)',
  },
  {
    status: 'rooms',
    example: '{"status":"rooms"}',
    summary: 'list rooms with member counts, 100 at a time ("after": the reply\'s "next" for more)',
  },
  {
    status: 'members',
    example: '{"status":"members","receiver":"CS350"}',
    summary: 'list a room\'s members and who is online, 100 at a time ("after": the reply\'s "next" for more)',
  },
  {
    status: 'users',
    example: '{"status":"users"}',
    summary: 'list every known user, online or not, 100 at a time ("after": the reply\'s "next" for more)',
  },
  {
    status: 'history',
    example: '{"status":"history","receiver":"CS350","limit":20}',
    summary: 'past messages of a room, a private chat or everyone',
  },
  {
    status: 'upload',
    example: '{"status":"upload","receiver":"CS350","name":"notes.pdf","size":2400000,"sha256":"<hex>"}',
    summary: 'start (or resume) sending a file to a user or a room; then send "chunk"s',
  },
  {
    status: 'chunk',
    example: '{"status":"chunk","file":7,"offset":0,"data":"<base64>"}',
    summary: 'the next bytes of an upload, in order',
  },
  {
    status: 'files',
    example: '{"status":"files","receiver":"CS350"}',
    summary: 'list the files of a conversation (or all of yours)',
  },
  {
    status: 'fetch',
    example: '{"status":"fetch","file":7,"offset":0}',
    summary: 'download up to 256 KiB of a file from an offset',
  },
  {
    status: 'kick',
    example: '{"status":"kick","receiver":"Bob","room":"CS350"}',
    summary: 'remove a user from your room (admins: without room, from the server)',
  },
  {
    status: 'mute',
    example: '{"status":"mute","receiver":"Bob","seconds":600}',
    summary: 'admins: stop a user sending for a time (0 lifts it)',
  },
  {
    status: 'delete',
    example: '{"status":"delete","receiver":"CS350"}',
    summary: 'delete a room and its history (its owner or an admin)',
  },
  { status: 'ping', example: '{"status":"ping"}', summary: 'check the connection (answer to a ping event)' },
  { status: 'help', example: '{"status":"help"}', summary: 'this list' },
  { status: 'exit', example: '{"status":"exit"}', summary: 'leave cleanly' },
];
