/**
 * `classchat cert`: makes a self-signed certificate and key for a class's server with the system's
 * openssl (issue #4; no new dependency), and prints its fingerprint and the commands that use it.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseCommandLine, readCommandLine, UsageError } from '../cli-args.js';

export const CERT_USAGE = `usage: classchat cert [options]
  --host NAME   a name or IP address students will use to reach the server; repeat for several
                (localhost and 127.0.0.1 are always included)
  --out DIR     where to write cert.pem and key.pem (default: the current directory)
  --days N      how many days the certificate is valid (default 365)`;

const DEFAULT_DAYS = 365;
const ALWAYS_NAMES = ['localhost', '127.0.0.1'];
/** A DNS name (optionally a wildcard): nothing that openssl's -subj or subjectAltName syntax would split on. */
const DNS_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** A failure to report in one line, without a stack trace. */
class CertError extends Error {}

/** Runs `classchat cert`; resolves with the exit code (2 for bad arguments, 1 when it cannot make the files). */
export async function cert(argv: string[]): Promise<number> {
  const options = readCommandLine('classchat cert', CERT_USAGE, () => parseCertArgs(argv));
  if (typeof options === 'number') return options; // --help, or a bad flag or value
  const certFile = path.join(options.out, 'cert.pem');
  const keyFile = path.join(options.out, 'key.pem');
  try {
    await makeCertificate(options.names, options.days, options.out, certFile, keyFile);
  } catch (err) {
    if (!(err instanceof CertError)) throw err;
    process.stderr.write(`classchat cert: ${err.message}\n`);
    return 1;
  }
  const certificate = new X509Certificate(fs.readFileSync(certFile));
  const given = options.names.filter((n) => !ALWAYS_NAMES.includes(n.toLowerCase()));
  const serveHost = given.length > 0 ? ' --host 0.0.0.0' : '';
  const chatHost = given.length > 0 ? ` --host ${given[0]}` : '';
  process.stdout.write(
    [
      `wrote ${certFile} (the certificate: give a copy to every student)`,
      `  and ${keyFile} (the private key, readable only by you: keep it secret)`,
      `valid until ${new Date(certificate.validTo).toISOString().slice(0, 10)} for ${options.names.join(', ')}`,
      `SHA-256 fingerprint: ${certificate.fingerprint256}`,
      `  (each client prints it on its first connection: students can check it against this one)`,
      '',
      'serve:',
      `  npx classchat serve${serveHost} --tls-cert ${quote(path.resolve(certFile))} --tls-key ${quote(path.resolve(keyFile))}`,
      'chat (each student, with their copy of cert.pem):',
      `  npx classchat chat${chatHost} --tls --ca cert.pem`,
      '',
    ].join('\n'),
  );
  return 0;
}

interface CertOptions {
  /** subjectAltName entries, the given ones first; the first is also the certificate's CN. */
  names: string[];
  days: number;
  out: string;
}

const CERT_OPTIONS = {
  host: { type: 'string', multiple: true },
  out: { type: 'string' },
  days: { type: 'string' },
} as const;

/** The options of `classchat cert`; throws UsageError for a bad flag or value. */
function parseCertArgs(argv: string[]): CertOptions & { help: boolean } {
  const { values, help } = parseCommandLine(argv, CERT_OPTIONS);
  if (help) return { help, names: [], days: DEFAULT_DAYS, out: '.' }; // nothing else is read
  for (const host of values.host ?? []) {
    if (net.isIP(host) === 0 && !DNS_NAME.test(host))
      throw new UsageError(`--host ${host} is neither an IP address nor a host name`);
  }
  const days = Number(values.days ?? DEFAULT_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > 36_500)
    throw new UsageError(`--days must be a whole number of days from 1 to 36500, not ${values.days}`);
  const names: string[] = [];
  for (const name of [...(values.host ?? []), ...ALWAYS_NAMES]) {
    if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  }
  return { help, names, days, out: values.out ?? '.' };
}

/**
 * Writes cert.pem and key.pem into `out`. openssl writes into a private directory inside `out`, and the
 * files are moved into place only once both exist: the key is never readable by others, not even
 * briefly, and a failure leaves nothing half-written. Existing files are never replaced: students may
 * already hold that certificate.
 */
async function makeCertificate(
  names: string[],
  days: number,
  out: string,
  certFile: string,
  keyFile: string,
): Promise<void> {
  for (const file of [certFile, keyFile]) {
    if (fs.existsSync(file)) throw new CertError(`${file} already exists; move it away or choose another --out`);
  }
  let work: string;
  try {
    fs.mkdirSync(out, { recursive: true });
    work = fs.mkdtempSync(path.join(out, '.classchat-cert-'));
  } catch (err) {
    throw new CertError(`cannot write to ${out}: ${(err as Error).message}`);
  }
  try {
    const san = names.map((n) => (net.isIP(n) === 0 ? `DNS:${n}` : `IP:${n}`)).join(',');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(work, 'key.pem'),
      '-out',
      path.join(work, 'cert.pem'),
      '-days',
      String(days),
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      // A server certificate, not a CA: a student who trusts it with --ca trusts this server and
      // nothing its key might sign (openssl's default configuration would make it a CA).
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    fs.chmodSync(path.join(work, 'key.pem'), 0o600);
    fs.renameSync(path.join(work, 'key.pem'), keyFile);
    fs.renameSync(path.join(work, 'cert.pem'), certFile);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs openssl without a shell; rejects with a CertError saying what went wrong. */
function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new CertError('openssl was not found; install it (Debian/Ubuntu: apt install openssl) and run this again'),
        );
      }
      const detail =
        stderr
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '' && !/^-+$/.test(l.trim()))
          .at(-1) ?? err.message;
      reject(new CertError(`openssl failed: ${detail}`));
    });
  });
}

/** Quotes a path for a POSIX shell when it needs it, so the printed command can be pasted as is. */
function quote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
