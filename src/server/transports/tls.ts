/**
 * The TLS transport (issue #4): the same JSON lines as tcp.ts, inside TLS 1.2 or newer, on the same
 * port. A socket is admitted (counted against the connection caps) at its TCP accept, before the
 * handshake (issue #11.8), and reaches the chat only once its handshake is done; a failed, plain-text
 * or stalled handshake is logged at debug and closed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';
import { socketRemote } from '../guards/admission.js';
import { listenTcp } from './tcp.js';

/** The server's certificate and key, read and checked at start. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate as `AB:CD:…`, the form clients print and remember. */
  fingerprint: string;
  validTo: Date;
}

/** Reads and checks the PEM files; throws a ConfigError naming the flag, the file and what is wrong. */
export function loadTlsCredentials(files: { certFile: string; keyFile: string }): TlsCredentials {
  const cert = readFile('--tls-cert', files.certFile);
  const key = readFile('--tls-key', files.keyFile);
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(cert);
  } catch {
    throw new ConfigError(`--tls-cert ${files.certFile} is not a PEM certificate`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch {
    throw new ConfigError(`--tls-key ${files.keyFile} is not an unencrypted PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(`--tls-key ${files.keyFile} is not the private key of --tls-cert ${files.certFile}`);
  }
  return { cert, key, fingerprint: certificate.fingerprint256, validTo: new Date(certificate.validTo) };
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

function readFile(flag: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ConfigError(`cannot read ${flag} ${file}: ${READ_ERRORS[code] ?? (err as Error).message}`);
  }
}

/**
 * Listens on host:port with TLS; resolves once listening. `accept` sees each TCP socket as it is
 * accepted, before any handshake work (the PROXY header and admission, chat-port.ts), and calls its
 * `handshake` for one it keeps. `onSocket` gets a socket only after its handshake succeeded; one that
 * has not finished within `handshakeMs` is closed (which also bounds how long a shutdown waits for a
 * stalled handshake).
 */
export function listenTls(
  host: string,
  port: number,
  credentials: TlsCredentials,
  handshakeMs: number,
  log: Logger,
  accept: (raw: net.Socket, handshake: (raw: net.Socket) => void) => void,
  onSocket: (socket: tls.TLSSocket) => void,
): Promise<net.Server> {
  const server = tls.createServer(
    {
      cert: credentials.cert,
      key: credentials.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: handshakeMs,
    },
    onSocket,
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    // A scanner, an old client or someone typing plain JSON at the TLS port: routine, not a server fault.
    // The address is gone when the peer hung up first.
    const remote = socket.remoteAddress === undefined ? undefined : socketRemote(socket);
    log.debug({ remote, err: err.code ?? err.message }, 'TLS handshake failed');
    // Node emits this event for a handshake timeout but leaves the socket open: closing is ours to do.
    socket.destroy();
  });
  // The TCP listener is a plain one that hands the TLS server each socket it keeps: a proxy's PROXY
  // header (#15) comes before the TLS bytes, and must be read before TLS takes the socket. TLS reads
  // what was read and put back (unshift) first.
  return listenTcp(host, port, (raw) => accept(raw, (kept) => server.emit('connection', kept)));
}
