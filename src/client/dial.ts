/**
 * Opens the socket to a server, plain TCP or TLS (issue #4), and says in one line why it could not
 * (issue #3: no stack traces).
 */
import net from 'node:net';
import tls from 'node:tls';

/** A connection that could not be made, said in one line. */
export class ConnectError extends Error {}

export interface DialTarget {
  host: string;
  port: number;
  /** Speak TLS, trusting what this says; absent: plain TCP. */
  tls?: { ca?: Buffer | undefined; insecure: boolean } | undefined;
}

/** The certificate a TLS server showed. */
export interface ServerCertificate {
  /** SHA-256 as `AB:CD:…`, the form `classchat cert` and the server's log print. */
  fingerprint: string;
  /** Why it did not verify (possible only with --insecure); null when it did. */
  unverified: string | null;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
};

/** Node's codes for the usual reasons a certificate does not verify, in words. */
const UNVERIFIED: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is signed by an unknown authority',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is not made out for this host name',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
};

/** Connects; resolves with the open socket (and, for TLS, the server's certificate) or rejects with a ConnectError. */
export function dial(
  target: DialTarget,
  timeoutMs: number,
): Promise<{ socket: net.Socket; certificate: ServerCertificate | null }> {
  const { host, port } = target;
  return new Promise((resolve, reject) => {
    const socket = target.tls
      ? tls.connect({ host, port, ca: target.tls.ca, rejectUnauthorized: !target.tls.insecure, minVersion: 'TLSv1.2' })
      : net.connect({ host, port });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ConnectError(explain(target, socket, err)));
    };
    socket.once('error', onError);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve({ socket, certificate: socket instanceof tls.TLSSocket ? describe(socket) : null });
    });
  });
}

function describe(socket: tls.TLSSocket): ServerCertificate {
  // Typed as an Error, but Node sets it to the verification error's code.
  const code = String(socket.authorizationError);
  return {
    fingerprint: socket.getPeerCertificate().fingerprint256,
    unverified: socket.authorized ? null : (UNVERIFIED[code] ?? code),
  };
}

function explain(target: DialTarget, socket: net.Socket, err: NodeJS.ErrnoException): string {
  const address = `${target.host}:${target.port}`;
  if (socket instanceof tls.TLSSocket && socket.authorizationError) {
    let reason = UNVERIFIED[err.code ?? ''] ?? err.message;
    let hint =
      "pass --ca FILE with the server's certificate (cert.pem, from whoever runs the server) to trust it, or --insecure to connect without verifying";
    if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      reason = err.message; // it lists the names the certificate is for
      hint =
        'connect with --host set to one of those names, or ask for a certificate made with classchat cert --host NAME; --insecure connects without verifying';
    } else if (target.tls?.ca) {
      hint =
        'it is not the certificate given with --ca (nor signed by it): check you have the right file, or pass --insecure to connect without verifying';
    }
    return `cannot verify the TLS certificate of ${address} (${reason}): ${hint}`;
  }
  if (target.tls && err.code?.startsWith('ERR_SSL_')) {
    // Most often a server without --tls-cert answering our handshake with plain JSON.
    const reason = (err as { reason?: string }).reason ?? err.message;
    return `cannot reach ${address} over TLS (${reason}): is the server started with --tls-cert? Without TLS, leave out --tls`;
  }
  return `cannot reach ${address}: ${REASONS[err.code ?? ''] ?? err.message}`;
}
