// SSH to a switch's CLI: connect with ssh2 (password, then keyboard-interactive answered with the password), check
// the host key against `hostKeyFingerprint` when one is set, and open an interactive shell on a pty, which is what
// the switches' CLIs expect. Errors are SwitchErrors: `unreachable`, `auth` (refused login), `host-key` (another
// host key: refused during the key exchange, before the user name or password is sent), `timeout`.
import { createHash } from 'node:crypto';
import { Client, type ClientChannel } from 'ssh2';
import { SwitchError } from '../errors.js';

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it; when set, any other host key is refused. */
  readonly hostKeyFingerprint?: string;
  /** Where that key comes from, for the error message (e.g. `options.hostKeyFingerprint`). */
  readonly hostKeySource?: string;
  readonly timeoutMs: number;
}

export interface SshShell {
  readonly stream: ClientChannel;
  /** The fingerprint of the key the switch presented (`SHA256:…`). */
  readonly hostKeyFingerprint: string;
  close(): void;
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob: the form `ssh-keygen -l` prints. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** `ssh://HOST[:PORT]` or a bare host → host and port (default 22). IPv6 hosts in brackets. */
export function parseSshAddress(address: string): { host: string; port: number } {
  const m = /^(?:ssh:\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\d{1,5}))?\/?$/.exec(address);
  const port = m?.[2] === undefined ? 22 : Number(m[2]);
  if (!m || port < 1 || port > 65535) {
    throw new SwitchError('invalid', `address ${JSON.stringify(address.slice(0, 80))} is not ssh://HOST[:PORT]`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export function openSshShell(target: SshTarget): Promise<SshShell> {
  return new Promise<SshShell>((resolve, reject) => {
    const client = new Client();
    let seenFingerprint = '';
    let hostKeyRefused = false;
    let settled = false;
    const fail = (err: SwitchError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(new SwitchError('timeout', `ssh ${target.host}:${target.port}: no login within ${target.timeoutMs} ms`)),
      target.timeoutMs,
    );
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // Switches ask for the password this way when they do not take the "password" method; never echo it.
      finish(prompts.map(() => target.password));
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (hostKeyRefused) {
        fail(
          new SwitchError(
            'host-key',
            `ssh ${target.host}:${target.port}: the switch presented host key ${seenFingerprint}, not the trusted ${target.hostKeyFingerprint} (${target.hostKeySource ?? 'configured'}); refusing to log in (a replaced switch, or someone in the middle)`,
          ),
        );
      } else if (err.level === 'client-authentication') {
        fail(
          new SwitchError(
            'auth',
            `ssh ${target.host}:${target.port}: authentication failed for user ${target.username} (wrong user name or password)`,
          ),
        );
      } else if (err.level === 'client-timeout') {
        fail(new SwitchError('timeout', `ssh ${target.host}:${target.port}: ${err.message}`));
      } else {
        fail(new SwitchError('unreachable', `ssh ${target.host}:${target.port}: ${err.message}`));
      }
    });
    client.on('close', () =>
      fail(new SwitchError('unreachable', `ssh ${target.host}:${target.port}: connection closed during login`)),
    );
    client.on('ready', () => {
      // An interactive session, as OpenSSH marks one: every line goes out at once, not held back by Nagle's
      // algorithm waiting for the ACK of the echo (which a delayed ACK can hold for up to 40 ms per command).
      client.setNoDelay(true);
      client.shell({ term: 'vt100', cols: 511, rows: 24 }, (err, stream) => {
        if (err)
          return fail(
            new SwitchError('failed', `ssh ${target.host}:${target.port}: the switch refused a shell: ${err.message}`),
          );
        if (settled) return void stream.close();
        settled = true;
        clearTimeout(timer);
        resolve({ stream, hostKeyFingerprint: seenFingerprint, close: () => client.end() });
      });
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      password: target.password,
      tryKeyboard: true,
      readyTimeout: target.timeoutMs,
      hostVerifier: (key: Buffer) => {
        seenFingerprint = sha256Fingerprint(key);
        if (target.hostKeyFingerprint !== undefined && seenFingerprint !== target.hostKeyFingerprint) {
          hostKeyRefused = true;
          return false;
        }
        return true;
      },
    });
  });
}
