/**
 * The schema, as numbered migrations. Each runs once, in order, in a transaction; the database
 * remembers the last one applied. Never edit a migration that has shipped: add the next one.
 * SQLite's dialect: most of it is SQL PostgreSQL also takes, but INTEGER PRIMARY KEY (numbered by
 * SQLite), AUTOINCREMENT and the tokens' rowid are SQLite's own. A PostgreSQL store (#15) needs its own
 * spelling of those.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('room', 'dm', 'everyone')),
    conv_key   TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
  );
  CREATE TABLE members (
    conv_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    cursor    INTEGER NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (conv_id, user_id)
  );
  CREATE INDEX members_by_user ON members (user_id);
  CREATE TABLE messages (
    id        INTEGER PRIMARY KEY,
    conv_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    event     TEXT,
    sender_id INTEGER,
    sender    TEXT NOT NULL,
    receiver  TEXT NOT NULL,
    text      TEXT NOT NULL,
    ts        TEXT NOT NULL,
    UNIQUE (conv_id, seq)
  );
  `,
  // Ids are handed out from counters kept in memory and read back from the highest stored id at
  // start-up. Deleting a room deletes its messages, so the highest stored id can drop: remember how
  // far the counters went, so an id is never reused after a restart.
  `
  CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  `,
  // Accounts (issue #4): a password hash owns a name (NULL: a name taken in open mode, owned by
  // nobody); a role; a mute that outlives a restart. Session tokens are stored hashed, so a copy of
  // the database does not let anyone log in.
  `
  ALTER TABLE users ADD COLUMN password_hash TEXT;
  ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
  ALTER TABLE users ADD COLUMN muted_until TEXT;
  CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
  );
  CREATE INDEX tokens_by_user ON tokens (user_id);
  `,
  // Resent requests (issue #4): the id a client gave its message, so that a resend after a reconnect
  // is recognised and answered as before instead of stored twice. Not unique: a client may reuse an
  // id for a different message; only the same id with the same content is a resend.
  `
  ALTER TABLE messages ADD COLUMN client_ref TEXT;
  CREATE INDEX messages_by_client_ref ON messages (sender_id, client_ref) WHERE client_ref IS NOT NULL;
  `,
  // Files (issue #5): the bytes live on disk under the data directory, named by their SHA-256; a row
  // here is one upload of them to a conversation. completed_at is NULL while the upload is unfinished.
  // No foreign key to conversations: a deleted room's files stay until they expire (and count
  // against their sender's quota until then), and cannot be fetched by anyone meanwhile.
  // messages.file_id marks the message that announced a file. AUTOINCREMENT: an id is never handed
  // out again, so "/get 7" in an old message can never fetch some later file.
  `
  CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    conv_id      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    sender_id    INTEGER NOT NULL REFERENCES users (id),
    receiver_id  INTEGER,
    receiver     TEXT NOT NULL,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    completed_at TEXT
  );
  CREATE INDEX files_by_conv ON files (conv_id, id);
  CREATE INDEX files_by_sender ON files (sender_id);
  CREATE INDEX files_by_sha256 ON files (sha256);
  CREATE INDEX files_by_created ON files (created_at);
  ALTER TABLE messages ADD COLUMN file_id INTEGER;
  `,
  // A repeated upload (after issue #5): the request id a client gave its `upload`, so that announcing
  // a finished upload again (its connection dropped before the last reply arrived) is answered with
  // the file it already sent, not taken as a second copy. The index finds a file's announcement.
  `
  ALTER TABLE files ADD COLUMN client_ref TEXT;
  CREATE INDEX messages_by_file ON messages (file_id) WHERE file_id IS NOT NULL;
  `,
  // Invite codes (issue #11.4): with --signup invite a new name needs one, made by `classchat admin
  // invite`. Stored hashed like tokens; uses_left counts down in one UPDATE, so two sign-ups racing for
  // a code's last use cannot both get it.
  `
  CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    uses_left  INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // Live admin changes (issue #11.3): `classchat admin` writes the database directly, in its own
  // process; it records each change here in the same transaction, and the running server polls for
  // rows after the last it saw and applies them (closes sessions, changes a live role). AUTOINCREMENT:
  // an id is never handed out again, so a server's "after id N" can never skip a new event.
  `
  CREATE TABLE admin_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // Room ownership passes on (issue #11.13): the owner is no longer always the creator. owner_id is the
  // member who may kick from the room and delete it; when the owner leaves, the longest-standing member
  // takes over. Rooms whose creator already left get their longest-standing member as owner now.
  `
  ALTER TABLE conversations ADD COLUMN owner_id INTEGER REFERENCES users (id);
  UPDATE conversations SET owner_id = (
    SELECT mb.user_id FROM members mb WHERE mb.conv_id = conversations.id
    ORDER BY CASE WHEN mb.user_id = conversations.created_by THEN 0 ELSE 1 END, mb.joined_at, mb.user_id LIMIT 1)
  WHERE kind = 'room';
  `,
  // Broadcasts wait for whoever is offline (issue #12.8), as room messages do: each user has a cursor in
  // the everyone conversation. A column on users, not a members row per user: every user is in it, so
  // a row would store the same pair (conversation, user) once per user, with two index entries, for
  // one integer (about 140 bytes a user in SQLite's page cache, against a few bytes here). Users who
  // exist now start at its current end: before this, a broadcast was for whoever was online, so none
  // is owed to anyone.
  `
  ALTER TABLE users ADD COLUMN everyone_cursor INTEGER NOT NULL DEFAULT 0;
  UPDATE users SET everyone_cursor = COALESCE(
    (SELECT MAX(m.seq) FROM messages m JOIN conversations c ON c.id = m.conv_id WHERE c.kind = 'everyone'), 0);
  `,
];
