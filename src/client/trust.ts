/**
 * What the client tells the user about a TLS server's certificate (issue #4): that it is not verified
 * (--insecure), its fingerprint the first time this server is seen, and a loud warning when it is not
 * the one remembered for this server (a new certificate, or someone in the middle).
 */
import net from 'node:net';
import type { ServerCertificate } from './dial.js';
import type { KnownServers } from './known-servers.js';

/** Something to tell the user; a warning is shown like an error. */
export interface Notice {
  warning: boolean;
  text: string;
}

/** How a server is named in the known-servers file: `host:port`, `[::1]:port` for IPv6. */
export function serverAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host.toLowerCase()}:${port}`;
}

export class ServerTrust {
  private toldUnverified = false;

  constructor(private readonly known: KnownServers) {}

  /** What to say about one connection to `address`; remembers a fingerprint seen for the first time or changed. */
  check(address: string, certificate: ServerCertificate): Notice[] {
    const notices: Notice[] = [];
    // Once per run: after a reconnect the user knows already; a changed certificate is still reported below.
    if (certificate.unverified !== null && !this.toldUnverified) {
      this.toldUnverified = true;
      notices.push({
        warning: true,
        text: `warning: --insecure: the TLS certificate of ${address} is not verified (${certificate.unverified}); anyone on the way could read or change what you send. Check its fingerprint with whoever runs the server.`,
      });
    }
    let remembered: string | undefined;
    try {
      remembered = this.known.get(address);
    } catch (err) {
      notices.push({ warning: true, text: `warning: cannot read ${this.known.file}: ${(err as Error).message}` });
    }
    if (remembered === certificate.fingerprint) return notices;
    if (remembered === undefined) {
      notices.push({
        warning: false,
        text: `first connection to ${address}: its TLS certificate's SHA-256 fingerprint is ${certificate.fingerprint}`,
      });
    } else {
      notices.push({
        warning: true,
        text: [
          `@@@ WARNING: THE TLS CERTIFICATE OF ${address} HAS CHANGED @@@`,
          `  remembered: ${remembered}`,
          `  now:        ${certificate.fingerprint}`,
          'Either the server was given a new certificate, or someone is intercepting this connection.',
          `Ask whoever runs the server which fingerprint is right. The new one is remembered from now on (in ${this.known.file}).`,
        ].join('\n'),
      });
    }
    try {
      this.known.set(address, certificate.fingerprint);
    } catch (err) {
      notices.push({
        warning: true,
        text: `warning: cannot remember the fingerprint in ${this.known.file}: ${(err as Error).message}`,
      });
    }
    return notices;
  }
}
