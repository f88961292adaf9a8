/**
 * Every query the store runs, in one table for both databases (design §4.3), with `?` placeholders.
 * Written in SQL that SQLite and PostgreSQL both take; what differs is in the Dialect (dialect.ts): the
 * tokens' row id (SQLite's implicit `rowid`, PostgreSQL's `id` column), the placeholders ($1...) and
 * how an insert reports its new id (lastInsertRowid, RETURNING), translated once when prepared.
 * Column aliases match the record types in store.ts so rows map without copying.
 */
import { EVERYONE } from '../../protocol/names.js';
import type { Dialect } from './dialect.js';

const MESSAGE_COLUMNS = `m.id, m.conv_id AS "convId", m.seq, m.kind, m.event, m.sender_id AS "senderId",
  m.sender, m.receiver, m.text, m.ts, m.file_id AS "fileId"`;

const FILE_COLUMNS = `f.id, f.conv_id AS "convId", f.kind, f.sender_id AS "senderId", f.receiver_id AS "receiverId",
  f.receiver, (SELECT name FROM users WHERE id = f.sender_id) AS sender, f.name, f.size, f.sha256,
  f.created_at AS "createdAt", f.completed_at AS "completedAt", f.client_ref AS "clientRef"`;

const USER_COLUMNS = `u.id, u.name, u.name_key AS key, u.password_hash AS "passwordHash", u.role, u.muted_until AS "mutedUntil"`;

const LAST_SEQ = `(SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conv_id = c.id)`;

/** The everyone conversation's id, found through the unique index on conversation keys. */
const EVERYONE_ID = `(SELECT id FROM conversations WHERE conv_key = '${EVERYONE}')`;

/**
 * The two inserts that number what they store (#15), one pair per Dialect.numbering (numbering.ts
 * passes their parameters). `process`: the store counted, the ids come as parameters. `commit`
 * (PostgreSQL): the statement takes the next id from a counter row, which stays locked until the
 * transaction commits, so that every node's commits are numbered in the order they commit; a message's
 * seq comes from its conversation's row the same way; a message to a conversation deleted meanwhile
 * takes no id, so the ids stay without holes (the bus waits for a missing id). A key that exists already
 * is not an error (two nodes opening one conversation at once): nothing is written and no row comes back.
 * The PostgreSQL driver sends consecutive `insertMessage` writes as one statement that numbers each row
 * exactly as this one does (drivers/postgres-message-run.ts).
 */
const NUMBERED_INSERTS = {
  process: {
    insertConversation: `INSERT INTO conversations (id, kind, conv_key, name, created_by, owner_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conv_key) DO NOTHING`,
    insertMessage: `INSERT INTO messages (id, conv_id, seq, kind, event, sender_id, sender, receiver, text, ts, client_ref, file_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  },
  commit: {
    insertConversation: `WITH n AS (UPDATE counters SET value = value + 1 WHERE name = 'next_conversation_id' RETURNING value - 1 AS id),
      c AS (INSERT INTO conversations (id, kind, conv_key, name, created_by, owner_id, created_at)
        SELECT n.id, ?, ?, ?, ?::bigint, ?::bigint, ? FROM n ON CONFLICT (conv_key) DO NOTHING RETURNING id),
      m AS (INSERT INTO members (conv_id, user_id, cursor, joined_at)
        SELECT c.id, u.id, 0, ?::text FROM c, unnest(?::bigint[]) AS u (id))
    SELECT id FROM c`,
    insertMessage: `WITH s AS (UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING id, last_seq),
      n AS (UPDATE counters SET value = value + 1 WHERE name = 'next_message_id' AND EXISTS (SELECT 1 FROM s)
        RETURNING value - 1 AS id)
    INSERT INTO messages (id, conv_id, seq, kind, event, sender_id, sender, receiver, text, ts, client_ref, file_id)
    SELECT n.id, s.id, s.last_seq, ?, ?, ?::bigint, ?, ?, ?, ?, ?, ?::bigint FROM n, s RETURNING id, seq`,
  },
} as const;

/** The query table in a dialect, before its placeholders are translated (Dialect.prepare does that). */
export function queries(dialect: Pick<Dialect, 'tokenId' | 'numbering'>) {
  const TOKEN_ID = dialect.tokenId;
  return {
    ...NUMBERED_INSERTS[dialect.numbering],
    nextConversationId: `SELECT COALESCE(MAX(id), 0) + 1 AS n FROM conversations`,
    nextMessageId: `SELECT COALESCE(MAX(id), 0) + 1 AS n FROM messages`,
    counters: `SELECT name, value FROM counters`,
    saveCounter: `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    rooms: `SELECT c.id, c.kind, c.conv_key AS key, c.name, c.owner_id AS "ownerId", ${LAST_SEQ} AS "lastSeq"
    FROM conversations c WHERE c.kind = 'room' ORDER BY c.id`,
    // Issue #11.12: bytes of private messages waiting for each user (characters, as both databases count
    // them the same way; the counter in memory counts UTF-8 bytes from here on).
    // By name key: another node's message names its receiver, not their id (#15). Summed by user first,
    // then named: with users joined inside the sum, SQLite took over two minutes on 100,000 waiting messages
    // (bounded-work.test.ts).
    waitingBytes: `SELECT u.name_key AS key, w.bytes FROM (SELECT mb.user_id, SUM(LENGTH(m.text)) AS bytes
      FROM members mb
      JOIN conversations c ON c.id = mb.conv_id AND c.kind = 'dm'
      JOIN messages m ON m.conv_id = mb.conv_id AND m.seq > mb.cursor
      WHERE m.sender_id <> mb.user_id GROUP BY mb.user_id) w
    JOIN users u ON u.id = w.user_id`,
    roomMembers: `SELECT mb.conv_id AS "convId", mb.user_id AS "userId", u.name, u.name_key AS key, mb.cursor
    FROM members mb JOIN conversations c ON c.id = mb.conv_id JOIN users u ON u.id = mb.user_id
    WHERE c.kind = 'room' ORDER BY mb.conv_id, mb.joined_at, mb.user_id`,
    // #15: one room and its members in one statement (one snapshot); a room without members gives one
    // row with null member columns.
    room: `SELECT c.id, c.name, c.conv_key AS key, c.owner_id AS "ownerId", mb.user_id AS "userId",
    u.name AS "memberName", u.name_key AS "memberKey", mb.cursor
    FROM conversations c LEFT JOIN members mb ON mb.conv_id = c.id LEFT JOIN users u ON u.id = mb.user_id
    WHERE c.id = ? AND c.kind = 'room' ORDER BY mb.joined_at, mb.user_id`,

    // Issue #12.8: a new user starts at the everyone conversation's current end, as a room's new member
    // after its last message: a new name is not sent every broadcast of the past at its first login.
    insertUser: `INSERT INTO users (name, name_key, created_at, password_hash, role, everyone_cursor) VALUES (?, ?, ?, ?, ?,
    COALESCE((SELECT MAX(m.seq) FROM messages m WHERE m.conv_id = ${EVERYONE_ID}), 0))`,
    setPassword: `UPDATE users SET password_hash = ? WHERE id = ?`,
    setRole: `UPDATE users SET role = ? WHERE id = ?`,
    setMutedUntil: `UPDATE users SET muted_until = ? WHERE id = ?`,
    insertToken: `INSERT INTO tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)`,
    // Issue #11.3: a token only while the password the login verified is still the account's, in the same
    // statement, so a reset committed during the (asynchronous) verify makes the insert a no-op.
    insertTokenIfPassword: `INSERT INTO tokens (token_hash, user_id, created_at)
    SELECT ?, u.id, ? FROM users u WHERE u.id = ? AND u.password_hash = ?`,
    setPasswordIf: `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`,
    // Issue #12.5: a name's first password. "Claimed": only while a token still holds the name, so a
    // release or revoke by \`classchat admin\` while the hash was computed wins.
    setFirstPassword: `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash IS NULL`,
    setFirstPasswordIfClaimed: `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash IS NULL
    AND EXISTS (SELECT 1 FROM tokens t WHERE t.user_id = users.id)`,
    releaseName: `UPDATE users SET password_hash = NULL, role = 'user' WHERE id = ?`,
    insertAdminEvent: `INSERT INTO admin_events (user_id, kind, created_at) VALUES (?, ?, ?)`,
    lastAdminEventId: `SELECT COALESCE(MAX(id), 0) AS n FROM admin_events`,
    adminEventsAfter: `SELECT e.id, e.user_id AS "userId", e.kind, u.role FROM admin_events e JOIN users u ON u.id = e.user_id
    WHERE e.id > ? ORDER BY e.id LIMIT ?`,
    deleteToken: `DELETE FROM tokens WHERE ${TOKEN_ID} = ?`,
    deleteTokens: `DELETE FROM tokens WHERE user_id = ?`,
    insertInvite: `INSERT INTO invites (code_hash, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?)`,
    useInvite: `UPDATE invites SET uses_left = uses_left - 1 WHERE code_hash = ? AND uses_left > 0 AND expires_at > ?`,
    // #15: the id of a conversation a racing insert (another node, another request) made first.
    conversationId: `SELECT id FROM conversations WHERE conv_key = ?`,
    setRoomOwner: `UPDATE conversations SET owner_id = ? WHERE id = ?`,
    deleteConversation: `DELETE FROM conversations WHERE id = ?`,
    insertMember: `INSERT INTO members (conv_id, user_id, cursor, joined_at) VALUES (?, ?, ?, ?)`,
    deleteMember: `DELETE FROM members WHERE conv_id = ? AND user_id = ?`,
    // #15: a join, in the same transaction as its event (Store.joinMember).
    joinMember: `INSERT INTO members (conv_id, user_id, cursor, joined_at)
    SELECT c.id, CAST(? AS BIGINT), (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.conv_id = c.id), CAST(? AS TEXT)
    FROM conversations c WHERE c.id = ? ON CONFLICT DO NOTHING`,
    // #15: where a conversation's seq stands, read once per conversation by a store that counts (numbering.ts).
    lastSeq: `SELECT COALESCE(MAX(seq), 0) AS n FROM messages WHERE conv_id = ?`,
    insertFile: `INSERT INTO files (conv_id, kind, sender_id, receiver_id, receiver, name, size, sha256, created_at, client_ref)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    completeFile: `UPDATE files SET completed_at = ? WHERE id = ?`,
    deleteFile: `DELETE FROM files WHERE id = ?`,
    findResent: `SELECT ${MESSAGE_COLUMNS} FROM messages m
    WHERE m.sender_id = ? AND m.client_ref = ? AND m.kind = ? AND lower(m.receiver) = ? AND m.text = ? AND m.ts >= ?
    ORDER BY m.id DESC LIMIT 1`,
    // Only ever forward: a client's `since` may be older than what the server already saved. Ids grow
    // with seq in a conversation, so the newest row below the id is found by reading down from the top
    // (issue #11.6: MAX(seq) over the range read every waiting message, 100,000 of them in a busy room).
    advanceCursors: `UPDATE members SET cursor = COALESCE(
      (SELECT m.seq FROM messages m WHERE m.conv_id = members.conv_id AND m.id < ? AND m.seq > members.cursor
        ORDER BY m.seq DESC LIMIT 1), cursor)
    WHERE user_id = ?`,
    // The same for the user's cursor in the everyone conversation (issue #12.8), kept on the users row.
    advanceEveryoneCursor: `UPDATE users SET everyone_cursor = COALESCE(
      (SELECT m.seq FROM messages m WHERE m.conv_id = ${EVERYONE_ID} AND m.id < ? AND m.seq > users.everyone_cursor
        ORDER BY m.seq DESC LIMIT 1), everyone_cursor)
    WHERE id = ?`,

    findFile: `SELECT ${FILE_COLUMNS} FROM files f WHERE f.id = ?`,
    findUnfinishedUpload: `SELECT ${FILE_COLUMNS} FROM files f
    WHERE f.sender_id = ? AND f.conv_id = ? AND f.size = ? AND f.sha256 = ? AND f.completed_at IS NULL ORDER BY f.id DESC LIMIT 1`,
    findRepeatedUpload: `SELECT ${MESSAGE_COLUMNS} FROM files f JOIN messages m ON m.file_id = f.id
    WHERE f.sender_id = ? AND f.client_ref = ? AND f.conv_id = ? AND f.size = ? AND f.sha256 = ? AND f.completed_at >= ?
    ORDER BY f.id DESC LIMIT 1`,
    filesIn: `SELECT ${FILE_COLUMNS} FROM files f WHERE f.conv_id = ? AND f.completed_at IS NOT NULL ORDER BY f.id DESC LIMIT ?`,
    filesOf: `SELECT ${FILE_COLUMNS} FROM files f JOIN members mb ON mb.conv_id = f.conv_id AND mb.user_id = ?
    WHERE f.completed_at IS NOT NULL ORDER BY f.id DESC LIMIT ?`,
    // Issue #11.7 (the per-user cap) and #11.16 (uploads that end with their sender's membership).
    unfinishedUploadsOf: `SELECT ${FILE_COLUMNS} FROM files f WHERE f.sender_id = ? AND f.completed_at IS NULL ORDER BY f.id`,
    unfinishedUploadsIn: `SELECT ${FILE_COLUMNS} FROM files f WHERE f.conv_id = ? AND f.completed_at IS NULL ORDER BY f.id`,
    bytesStoredBy: `SELECT COALESCE(SUM(size), 0) AS n FROM files WHERE sender_id = ?`,
    expiredFiles: `SELECT ${FILE_COLUMNS} FROM files f
    WHERE f.created_at < ? OR (f.completed_at IS NULL AND f.created_at < ?) ORDER BY f.id LIMIT ?`,
    sha256InUse: `SELECT 1 AS n FROM files WHERE sha256 = ? AND completed_at IS NOT NULL LIMIT 1`,
    findUser: `SELECT ${USER_COLUMNS} FROM users u WHERE u.name_key = ?`,
    hasToken: `SELECT 1 AS n FROM tokens WHERE user_id = ? LIMIT 1`,
    findUserByToken: `SELECT ${USER_COLUMNS}, t.${TOKEN_ID} AS "tokenId" FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
    listUsers: `SELECT ${USER_COLUMNS} FROM users u ORDER BY u.name_key`,
    // Issue #12.5: a page of every user by name key, read through the unique index on name_key.
    usersAfter: `SELECT u.name, u.name_key AS key, u.role FROM users u WHERE u.name_key > ? ORDER BY u.name_key LIMIT ?`,
    findConversation: `SELECT c.id, c.kind, c.conv_key AS key, c.name, ${LAST_SEQ} AS "lastSeq"
    FROM conversations c WHERE c.conv_key = ?`,
    privatePartners: `SELECT other.user_id AS "userId" FROM members mine
    JOIN conversations c ON c.id = mine.conv_id AND c.kind = 'dm'
    JOIN members other ON other.conv_id = mine.conv_id AND other.user_id <> mine.user_id
    WHERE mine.user_id = ?`,
    // Issue #11.6: catch-up reads each conversation newest first, a page at a time, and stops when the
    // login's count and byte budgets are spent: never every waiting message at once.
    // The user's conversations with something after their cursor, with the newest message id (an upper
    // bound for the merge in login-catch-up.ts). One index probe each.
    pendingConversations: `SELECT mb.conv_id AS "convId", mb.cursor,
      (SELECT m.id FROM messages m WHERE m.conv_id = mb.conv_id ORDER BY m.seq DESC LIMIT 1) AS "newestId"
    FROM members mb
    WHERE mb.user_id = ? AND EXISTS (SELECT 1 FROM messages m WHERE m.conv_id = mb.conv_id AND m.seq > mb.cursor)
    UNION ALL
    SELECT c.id AS "convId", u.everyone_cursor AS cursor,
      (SELECT m.id FROM messages m WHERE m.conv_id = c.id ORDER BY m.seq DESC LIMIT 1) AS "newestId"
    FROM users u JOIN conversations c ON c.conv_key = '${EVERYONE}'
    WHERE u.id = ? AND EXISTS (SELECT 1 FROM messages m WHERE m.conv_id = c.id AND m.seq > u.everyone_cursor)`,
    pendingIn: `SELECT ${MESSAGE_COLUMNS} FROM messages m
    WHERE m.conv_id = ? AND m.seq > ? AND m.seq < ? AND m.id < ? AND (m.sender_id IS NULL OR m.sender_id <> ?)
    ORDER BY m.seq DESC LIMIT ?`,
    // Catching up a member that fell behind (issue #11.11): a range of the messages' primary key, so each
    // page reads at most the ids between its bounds. The same recipients as live delivery: the user's
    // conversations (after the cursor, so not a room's messages from before they joined) and the
    // everyone conversation (broadcasts reach every online user), never their own messages.
    catchUpFor: `SELECT ${MESSAGE_COLUMNS} FROM messages m
    WHERE m.id >= ? AND m.id < ? AND (m.sender_id IS NULL OR m.sender_id <> ?)
      AND (m.conv_id = ? OR EXISTS (SELECT 1 FROM members mb WHERE mb.conv_id = m.conv_id AND mb.user_id = ? AND mb.cursor < m.seq))
    ORDER BY m.id LIMIT ?`,
    // A node joined to others by the bus fills a range of ids it did not get live (#15): the primary key.
    messagesBetween: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id >= ? AND m.id < ? ORDER BY m.id LIMIT ?`,
    historyNewest: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conv_id = ? ORDER BY m.seq DESC LIMIT ?`,
    historyBefore: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conv_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
    historyAfter: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conv_id = ? AND m.seq > ? ORDER BY m.seq ASC LIMIT ?`,
    historyBetween: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conv_id = ? AND m.seq > ? AND m.seq < ? ORDER BY m.seq ASC LIMIT ?`,
  } as const;
}

export type QueryName = keyof ReturnType<typeof queries>;

/** Every query's name, in the table's order. */
export const QUERY_NAMES = Object.keys(queries({ tokenId: 'id', numbering: 'process' })) as readonly QueryName[];
