/**
 * Assembles a running server: the store (openStore: SQLite or PostgreSQL; `classchat admin` opens its own),
 * chat domain, group commit, dispatcher and transport. Also owns the connection set and the graceful
 * shutdown.
 */
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { AdminEventPoller } from './admin/admin-events.js';
import { Accounts } from './auth/accounts.js';
import { Chat, type Clock } from './chat/chat.js';
import { disconnect } from './chat/login.js';
import { COMMANDS } from './commands/index.js';
import type { ServerConfig } from './config.js';
import { Connection, type ConnectionHost } from './connection.js';
import { Dispatcher } from './dispatcher.js';
import { GroupCommit } from './group-commit.js';
import { StoreOutage } from './store-outage.js';
import { addressGroup, cachedAddressKey, type AddressKey } from './guards/address-group.js';
import { Admission, socketAddress, socketRemote } from './guards/admission.js';
import { DiskFloor } from './guards/disk-floor.js';
import { FloodLimiter } from './guards/flood.js';
import { StoredBytesBudget } from './guards/stored-bytes.js';
import { IdleSweep, registerTimeoutText } from './guards/idle-sweep.js';
import {
  DEFAULT_IDLE_COLLECTION,
  IdleCollection,
  noteActivity,
  type IdleCollectionSettings,
} from './idle-collection.js';
import { encodeJson, encodeSystemEvent } from './chat/encode.js';
import { Files } from './files/files.js';
import type { DatabaseInUse } from './store/database-in-use.js';
import type { DatabaseLock } from './store/database-lock.js';
import { openBlobs } from './files/open-blobs.js';
import { DataDirLock } from './store/data-dir-lock.js';
import { openStore } from './store/open-store.js';
import { warmUp } from './warm-up.js';
import type { SqlStore } from './store/sql-store.js';
import type { Store } from './store/store.js';
import { StoreUnreachable } from './store/unreachable.js';
import { frameLines, LineWire } from './transports/line-wire.js';
import { listenChatPort, type PortHost } from './transports/chat-port.js';
import { isProxyLocal } from './transports/proxy-gate.js';
import { loadTlsCredentials } from './transports/tls.js';
import { WebSocketWire } from './transports/websocket-wire.js';
import type { Wire } from './transports/wire.js';
import { Door, type DoorHost } from './web/door.js';
import type { Cluster } from './cluster/join.js';
import { ConfigError } from './config.js';

/** How long shutdown waits for clients to take their last output before cutting them off. */
const SHUTDOWN_GRACE_MS = 5000;
/** How long a refused connection may take to read why before it is destroyed. */
const REFUSE_GRACE_MS = 2000;
/** How often expired files are deleted (also once at start). */
const FILE_EXPIRY_INTERVAL_MS = 3_600_000;

export class ClassChatServer implements ConnectionHost, DoorHost, PortHost {
  readonly connections = new Set<Connection>();
  /** Connections that are a load balancer's health checks (#15), logged at debug. */
  private readonly proxyChecks = new WeakSet<Connection>();
  /** The TCP port's listener, plain or TLS. */
  private listener: net.Server | null = null;
  private stopping: Promise<void> | null = null;
  /** A commit failed (disk full or failing): shutdown writes nothing more, not even delivery cursors. */
  private storageBroken = false;
  private whenEmpty: (() => void) | null = null;
  readonly commit: GroupCommit;
  /** Whether the database answers (#15); refuses requests that need it while it does not. */
  private readonly outage: StoreOutage;
  readonly limits: ServerConfig['limits'];
  private readonly admission: Admission;
  /** The 'close' listener of every admitted socket: uncounts it. */
  private readonly releaseAdmission: (this: net.Socket) => void;
  private readonly flood: FloodLimiter;
  /** Where an admitted socket goes by its first bytes: the line protocol, or HTTP and WebSocket (issue #14). */
  private readonly door: Door;
  private sweep: IdleSweep | null = null;
  /** Gives back a burst's garbage once the process goes quiet (issue #16; read by tests). */
  idleCollection: IdleCollection | null = null;
  private dispatcher!: Dispatcher;
  /** Accounts and their login guards (read by tests: the guard's memory, the hasher). */
  accounts!: Accounts;
  chat!: Chat;
  files!: Files;
  private expiring: Promise<number> = Promise.resolve(0);
  private expiryTimer: NodeJS.Timeout | null = null;
  /** Held while serving: one server per data directory (issue #11.2). */
  private lock: DataDirLock | null = null;
  private databaseLock: DatabaseLock | null = null;
  /** The bus and name registry joining this node to the others (#15); null for a server alone. */
  cluster: Cluster | null = null;
  /** Applies `classchat admin` changes to live sessions (issue #11.3). */
  private adminEvents: AdminEventPoller | null = null;

  private constructor(
    private readonly config: ServerConfig,
    private readonly store: Store,
    readonly log: Logger,
    private readonly onFatal: (err: unknown) => void,
    private readonly clock: Clock,
    private readonly idleCollectionSettings: IdleCollectionSettings,
  ) {
    this.limits = config.limits;
    // #15: a database over the network that stops answering is waited out (store-outage.ts); the
    // rooms are read back before requests are served again, since memory may hold what was not stored.
    // Then what a commit whose answer was lost may have stored is delivered, before anything newer.
    this.outage = new StoreOutage(store, log, () => this.recoverFromOutage());
    this.commit = new GroupCommit(
      store,
      log,
      (err) => this.storageFailed(err),
      (err) => this.outage.noticed(err),
    );
    this.admission = new Admission(config.limits, config.exempt);
    const admission = this.admission;
    this.releaseAdmission = function (this: net.Socket) {
      // The address admitted: Node keeps a socket's peer address once read (admit read it), and a
      // relayed client's stays on the socket, so it reads the same after the close.
      admission.release(socketAddress(this));
    };
    this.flood = new FloodLimiter(config.limits);
    this.door = new Door(config, log, this);
  }

  /**
   * Listens, locks the data directory, opens the store and loads the chat state. A bad TLS file throws
   * a ConfigError; a port it cannot listen on, a ListenError; a data directory another server uses,
   * DataDirInUse. Each of them before anything touches the data directory. `clock` is the chat
   * domain's (tests pass their own to move time on without waiting).
   */
  static async start(
    config: ServerConfig,
    log: Logger,
    onFatal: (err: unknown) => void = () => {},
    clock: Clock = Date.now,
    testHooks: TestHooks = {},
  ): Promise<ClassChatServer> {
    // Read before the store opens: a mistyped --tls-cert should not create or touch a database.
    const credentials = config.tls ? loadTlsCredentials(config.tls) : null;
    // Issue #12.9: the port next, so that a port in use is refused before the data directory is made.
    // It is bound and let go at once, and bound for good once the server is ready: a client that comes
    // while the store opens (migrations can take a while) is refused, which a client retries as a server
    // not up yet, instead of being taken and closed without a word. (Another program taking the port in
    // between is refused by the second bind, with the same one line.)
    const probe = await listenChatPort(config, credentials, log, () => null, true);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    let ready: ClassChatServer | null = null;
    let listener: net.Server | null = null;
    let lock: DataDirLock | null = null;
    let databaseLock: DatabaseLock | null = null;
    let store: SqlStore | undefined;
    let server: ClassChatServer | undefined;
    try {
      // Before anything touches the directory (migrations included): a second server changes nothing.
      // One server per SQLite database (issue #11.2), and for now one per PostgreSQL database too, until
      // delivery between nodes is built (database-lock.ts says why).
      const storeChoice = config.store ?? { kind: 'sqlite' };
      if (config.bus !== undefined && storeChoice.kind !== 'postgres')
        throw new ConfigError('--bus needs a PostgreSQL --store that every node shares');
      lock =
        config.dataDir === ':memory:' || storeChoice.kind !== 'sqlite' ? null : DataDirLock.acquire(config.dataDir);
      // Joined by a bus, the nodes deliver each other's messages: several may share the database, but
      // never beside a server that is not joined (database-lock.ts).
      if (storeChoice.kind === 'postgres') {
        // Imported only here, as the store and the bus are (issue #16): a SQLite server never loads pg.
        const { DatabaseLock } = await import('./store/database-lock.js');
        databaseLock = await DatabaseLock.acquire(
          storeChoice.url,
          {
            onLost: (err) => {
              log.error({ err }, 'lost the connection that keeps other servers off this database; taking it again');
              server?.databaseLockLost(err);
            },
            onRetaken: () => log.warn('took the lock that keeps other servers off this database again'),
            onTaken: (err) => server?.databaseTaken(err),
          },
          config.bus === undefined ? 'alone' : 'joined',
        );
      }
      store = await openStore({
        store: storeChoice,
        onConnectionError: (err) => log.error({ err }, 'database connection lost; the next commit reconnects'),
        dataDir: config.dataDir,
        sync: config.sync,
        onCheckpointFailure: (err) =>
          log.error({ err }, 'checkpoint failed; the write-ahead log keeps growing until one succeeds'),
        ...spareDbPagesForTests(),
      });
      server = new ClassChatServer(config, testHooks.wrapStore?.(store) ?? store, log, onFatal, clock, {
        ...DEFAULT_IDLE_COLLECTION,
        ...testHooks.idleCollection,
      });
      server.lock = lock;
      server.databaseLock = databaseLock;
      await server.load();
      // Issue #16: after every check that can refuse the start, and before any client can wait behind it.
      if (config.warmUp) await warmUp(config, config.warmUp, log, (c, l) => ClassChatServer.start(c, l));
      ready = server;
      listener = await listenChatPort(config, credentials, log, () => ready);
      server.listener = listener;
    } catch (err) {
      // Nothing may keep the process alive, and the data directory is free for the next server.
      if (listener) await new Promise<void>((resolve) => listener!.close(() => resolve()));
      if (server) await server.undoStart();
      else await store?.close();
      lock?.release();
      await databaseLock?.release();
      throw err;
    }
    const tls = credentials ? { tls: credentials.fingerprint } : {};
    log.info(
      { host: config.host, port: server.port, data: config.dataDir, rooms: server.chat.rooms.size, ...tls },
      'listening',
    );
    if (config.auth === 'open') {
      // Issue #11.1: open mode is the seeds' trust model; say so where the operator looks, every start.
      log.warn(
        { auth: 'open' },
        'open mode: anyone can take any offline name and read its waiting messages, rooms and history; use the default --auth claim unless everyone is trusted',
      );
    }
    if (credentials && credentials.validTo.getTime() < Date.now()) {
      log.warn(
        { expired: credentials.validTo.toISOString() },
        'the TLS certificate has expired: clients that verify it will refuse to connect; make a new one with classchat cert',
      );
    }
    return server;
  }

  /** Loads the chat state and starts what runs beside the connections (start-up, once the store is open). */
  private async load(): Promise<void> {
    const { config, log } = this;
    this.chat = await Chat.open(this.store, log, config.limits, this.commit.request, this.clock);
    this.chat.storeDown = () => this.outage.down;
    if (config.bus !== undefined) {
      // Imported only here (issue #16): a server without --bus never loads ioredis.
      const { joinCluster } = await import('./cluster/join.js');
      this.cluster = await joinCluster(this.chat, config.bus, config.busPrefix, log);
    }
    this.adminEvents = await AdminEventPoller.start(this.chat);
    const addressKey: AddressKey = cachedAddressKey((address) =>
      this.admission.isExempt(address) ? null : addressGroup(address, config.limits),
    );
    const accounts = (this.accounts = new Accounts(
      this.chat,
      config.auth,
      config.signup,
      config.scryptCost,
      config.limits,
      addressKey,
    ));
    const blobs = await openBlobs({
      store: config.store ?? { kind: 'sqlite' },
      dataDir: config.dataDir,
      onConnectionError: (err) => log.error({ err }, 'file store connection lost; the next file request reconnects'),
    });
    this.files = new Files(this.chat, blobs, config.limits, log, addressKey);
    const onThisDisk = (config.store ?? { kind: 'sqlite' }).kind === 'sqlite';
    const disk = onThisDisk ? new DiskFloor(config.dataDir, config.limits, log) : DiskFloor.none(log);
    await disk.start();
    const budget = new StoredBytesBudget(config.limits, addressKey);
    this.dispatcher = new Dispatcher(
      COMMANDS,
      this.chat,
      log,
      this.flood,
      accounts,
      this.files,
      disk,
      budget,
      this.outage,
    );
    void this.expireFiles();
    this.expiryTimer = setInterval(() => void this.expireFiles(), FILE_EXPIRY_INTERVAL_MS).unref();
    this.sweep = new IdleSweep(this.connections, config.limits, () => {
      this.flood.prune();
      budget.prune();
      accounts.prune();
    });
    this.idleCollection = new IdleCollection(log, this.idleCollectionSettings);
  }

  /** Undoes a start that failed part way: stops what `load` started and closes the store. */
  private async undoStart(): Promise<void> {
    await this.cluster?.close();
    this.outage.stop();
    this.sweep?.stop();
    this.idleCollection?.stop();
    this.adminEvents?.stop();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    await this.expiring;
    if ((this.files as Files | undefined) !== undefined) await this.files.close();
    await this.store.close();
  }

  /**
   * The database answers again (#15), before requests are served: the rooms as stored, then the
   * messages a commit whose answer was lost may have stored (delivered once, in id order).
   */
  private async recoverFromOutage(): Promise<void> {
    // The outage may have ended the lock's connection: hold it again before serving (or stop, when
    // another server took the database meanwhile: databaseTaken).
    await this.databaseLock?.ensureHeld();
    await this.chat.reloadRooms();
    await this.chat.deliverMissed();
    this.chat.writeDeferredCursors();
  }

  get port(): number {
    return (this.listener?.address() as AddressInfo | null)?.port ?? this.config.port;
  }

  /** Deletes expired files now (hourly anyway); one run at a time. Resolves to how many were deleted. */
  expireFiles(): Promise<number> {
    const run = this.expiring
      .then(() => this.files.expire())
      .catch((err: unknown) => {
        this.log.error({ err }, 'deleting expired files failed; trying again in an hour');
        return 0;
      });
    this.expiring = run;
    return run;
  }

  dispatch(conn: Connection, line: string): void | Promise<void> {
    return this.dispatcher.dispatch(conn, line);
  }

  forget(conn: Connection): void {
    this.connections.delete(conn);
    // Issue #11.7: its uploads give back their open files now, not at the next sweep.
    this.files
      .release(conn)
      .catch((err: unknown) =>
        this.log.error({ err, conn: conn.id }, 'closing the uploads of a closed connection failed'),
      );
    const closed = { conn: conn.id, active: this.connections.size };
    if (this.proxyChecks.has(conn)) this.log.debug(closed, 'connection closed');
    else this.log.info(closed, 'connection closed');
    if (this.connections.size === 0) this.whenEmpty?.();
  }

  /**
   * Counts a socket against the connection caps from its TCP accept, and uncounts it when it closes,
   * whatever happened (issue #11.8: a TLS socket counts while it handshakes, so stalled handshakes
   * cannot pile up past the per-address cap). A refused socket is closed; `explain` (plain TCP)
   * first tells it why. Returns whether it was admitted.
   */
  admit(socket: net.Socket, explain: boolean): boolean {
    if (this.stopping) {
      socket.destroy();
      return false;
    }
    const address = socketAddress(socket);
    const refused = this.admission.admit(address);
    if (refused === null) {
      // One listener for every socket, and on rather than once ('close' comes once anyway): a closure
      // each, or once's wrapper, would stay with every idle connection, about 280 bytes (#16).
      socket.on('close', this.releaseAdmission);
      return true;
    }
    this.log.warn({ remote: socketRemote(socket), reason: refused }, 'connection refused');
    socket.on('error', () => {}); // the peer may reset first; nothing to do about it
    if (!explain) {
      // A TLS client cannot read a plain-text line, and a handshake would cost the work the cap saves.
      socket.destroy();
      return false;
    }
    // Read (and drop) what it sends: a socket nobody reads never sees the peer hang up, and would
    // hold the listener's close (and the shutdown) until the grace timer.
    socket.resume();
    socket.end(
      frameLines([encodeJson({ status: 'error', code: 'too_many_connections', text: `${refused}; try again later` })]),
    );
    setTimeout(() => socket.destroy(), REFUSE_GRACE_MS).unref();
    return false;
  }

  /** An admitted socket (for TLS, once its handshake is done) goes where its first bytes say (issue #14). */
  open(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.door.take(socket);
  }

  /** A socket of JSON lines becomes a connection; one `silent` past the registration deadline is closed. */
  openLine(socket: net.Socket, silent: boolean, since: number): void {
    const wire = new LineWire(socket, socketAddress(socket), this.limits);
    const conn = this.openWire(wire, 'line', since, isProxyLocal(socket));
    socket.resume(); // the door paused it to put its first bytes back
    if (conn && silent) conn.closeWith('timeout', registerTimeoutText(this.limits.registerTimeoutMs));
  }

  /**
   * Any wire becomes a connection (issue #14's seam): every guard that lives in the connection and the
   * dispatcher applies to it. Returns null, the wire destroyed, once shutdown has begun.
   */
  openWire(wire: Wire, via: 'line' | 'websocket' = 'line', since?: number, proxyCheck = false): Connection | null {
    if (this.stopping) {
      wire.destroy();
      return null;
    }
    noteActivity();
    const conn = new Connection(wire, this, since);
    this.connections.add(conn);
    const opened = {
      conn: conn.id,
      remote: conn.remote,
      ...(via === 'websocket' && { via }),
      active: this.connections.size,
    };
    // #15: the load balancer's health check (a PROXY v2 LOCAL connection) comes every 2 s: not news.
    if (proxyCheck) {
      this.proxyChecks.add(conn);
      this.log.debug(opened, 'connection opened');
    } else this.log.info(opened, 'connection opened');
    return conn;
  }

  /**
   * An upgraded WebSocket (GET /ws) becomes a connection: one JSON object per text frame. The door
   * admitted its socket at accept (ClassChatServer.admit), checked its Origin and set `maxPayload` to
   * maxLineBytes; `address` is the peer's IP address as socketAddress() gives it.
   */
  openWebSocket(ws: WebSocket, socket: net.Socket, address: string): Connection | null {
    return this.openWire(new WebSocketWire(ws, socket, address, this.limits.maxLineBytes), 'websocket');
  }

  /**
   * #15 (found in review): the lock's connection dropped while the store's own are fine (terminated by an
   * administrator, cut by a middlebox's idle timeout, a quick PostgreSQL restart the next batch reconnects
   * through). Until it is held again another server without --bus could start on the database, so this
   * one serves nothing that needs the store meanwhile: an outage, which ends (recoverFromOutage) only once
   * the lock is retaken, or stops the server if another took it (databaseTaken).
   */
  private databaseLockLost(err: Error): void {
    if (this.stopping) return;
    this.outage.noticed(new StoreUnreachable(err));
  }

  /**
   * #15: while this server had lost its database lock (an outage), another server without --bus took the
   * database. Two such servers lose each other's messages (database-lock.ts), so this one stops, said
   * in one line; the other goes on. Restarted, it is refused at start with the usual line until the
   * other stops.
   */
  private databaseTaken(err: DatabaseInUse): void {
    if (this.stopping) return;
    this.log.fatal(
      { err: err.message },
      'another ClassChat server took this PostgreSQL database while it was unreachable: this server stops',
    );
    this.shutdown('another server took over the database; this server is stopping').catch((closeErr: unknown) => {
      this.log.error({ err: closeErr }, 'shutdown after losing the database to another server did not finish cleanly');
    });
    this.onFatal(err);
  }

  /**
   * Issue #11.12: a failed commit (a full or failing disk) stops the server cleanly: every client is
   * told, nothing unacknowledged is claimed, and `onFatal` lets the process exit with an error.
   */
  private storageFailed(err: unknown): void {
    this.storageBroken = true;
    this.shutdown('the server hit a storage failure and is stopping').catch((closeErr: unknown) => {
      this.log.error({ err: closeErr }, 'shutdown after the storage failure did not finish cleanly');
    });
    this.onFatal(err);
  }

  /**
   * Graceful stop (SIGINT/SIGTERM): stop accepting, tell every client, take every session offline
   * (saving delivery cursors), write the last output, close the sockets and the database.
   */
  shutdown(reason = 'the server is shutting down'): Promise<void> {
    this.stopping ??= this.stop(reason);
    return this.stopping;
  }

  private async stop(reason: string): Promise<void> {
    this.log.info({ active: this.connections.size }, 'shutting down');
    this.outage.stop();
    this.sweep?.stop();
    this.idleCollection?.stop();
    this.adminEvents?.stop();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    const closed = new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()));
    // Sockets not yet connections: silent ones become connections now (told below), HTTP ones are ended.
    this.door.close(SHUTDOWN_GRACE_MS);
    const notice = encodeSystemEvent({
      status: 'system',
      event: 'shutdown',
      sender: 'server',
      receiver: 'everyone',
      text: reason,
      ts: this.chat.now(),
    });
    for (const conn of this.connections) {
      conn.send(notice);
      if (conn.session) {
        // Contacts are going too: no disconnect events. Cursors advance: the output is still written.
        // After a storage failure nothing more is written: cursors stay, so nothing is lost (issue #11.12).
        disconnect(this.chat, conn.session, 'server shutdown', {
          announce: false,
          advanceCursors: !this.storageBroken,
        });
        conn.session = null;
      }
      conn.endAfterOutput();
    }
    try {
      await this.commit.drain();
      await this.waitForClients();
      await closed;
      await this.expiring;
      await this.files.close();
      await this.commit.drain();
      await this.cluster?.close();
      await this.store.close();
    } finally {
      // Whatever failed above, the data directory is free for the next server (issue #11.2).
      this.lock?.release();
      await this.databaseLock?.release();
    }
    this.log.info('stopped');
  }

  private async waitForClients(): Promise<void> {
    if (this.connections.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
        this.whenEmpty = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const conn of this.connections) conn.abort('shutdown grace period over');
  }
}

/** What only tests change in a server. */
export interface TestHooks {
  /**
   * Puts a store in front of the SQLite one (#15: one with PostgreSQL's timing, so the domain's
   * asynchronous path is tested without PostgreSQL: test/helpers/deferred-store.ts).
   */
  wrapStore?: (store: SqlStore) => Store;
  /** Shorter quiet windows and no growth floor, so a test sees the idle collection (issue #16). */
  idleCollection?: Partial<IdleCollectionSettings>;
}

/** A test hook (issue #11.12): a database that fills up after a few pages, as on a full disk. */
function spareDbPagesForTests(): { spareDbPages?: number } {
  const raw = process.env.CLASSCHAT_TEST_DB_SPARE_PAGES;
  return raw === undefined || raw === '' ? {} : { spareDbPages: Number(raw) };
}
