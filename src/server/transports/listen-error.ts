/**
 * Why the server could not listen, in one line an operator can act on (issue #12.9: a port in use
 * printed a stack trace). The common causes get their own words; anything else keeps Node's message.
 */

/** Thrown when the listener cannot be bound; `message` is the one line to show. */
export class ListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    /** Node's error code (EADDRINUSE, EACCES, ...), when it had one. */
    readonly code: string | undefined,
    why: string,
  ) {
    super(`cannot listen on ${hostPort(host, port)}: ${why}`);
  }
}

/** The listen failure `err` as a ListenError. */
export function listenError(host: string, port: number, err: unknown): ListenError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'EADDRINUSE'
      ? `port ${port} is in use; stop what listens there or pick another with --port`
      : code === 'EACCES'
        ? `permission denied (a port below 1024 needs privileges); pick another with --port`
        : code === 'EADDRNOTAVAIL'
          ? `this machine has no address ${host}; check --host`
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? `cannot resolve the host name ${host}; check --host`
            : (err as Error).message;
  return new ListenError(host, port, code, why);
}

/** host:port, with an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
