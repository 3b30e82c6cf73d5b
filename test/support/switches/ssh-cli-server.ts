// The SSH side of the switch emulators: an ssh2 server on 127.0.0.1 with its own host key, password and
// keyboard-interactive logins, and one interactive shell per connection (cli-shell.ts runs it). A connection over the
// session limit is closed before the key exchange, as a switch with every vty line taken does. `rekey()` makes the
// switch present another host key (a replaced switch, or someone in its place).
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection } from 'ssh2';
import { sha256Fingerprint } from '../../../drivers/switch/cli/ssh-transport.js';
import { ShellHost, type EmulatorKnobs } from './cli-shell.js';

export type { CliInterpreter, CliReply, EmulatorKnobs, ShellState } from './cli-shell.js';

const { Server, utils } = ssh2;

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

// An ECDSA P-256 host key made by node's crypto (PEM): ssh2's own ed25519 generator once gave a key its parser
// refused ("Malformed OpenSSH private key") in a test run.
function newHostKey() {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

export class SshCliServer {
  private server: InstanceType<typeof Server>;
  private hostKey = newHostKey();
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  /** Takes the TCP connections: the session limit is checked there, before ssh2 says a word. */
  private readonly tcp: NetServer;
  port = 0;

  constructor(readonly host: ShellHost) {
    this.server = new Server({ hostKeys: [this.hostKey.privateKey] }, (client) => this.accept(client));
    this.tcp = createServer((socket) => {
      if (!this.host.acquire()) return void socket.destroy();
      // Interactive sessions go out at once (OpenSSH's sshd sets TCP_NODELAY for them; so do switches).
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.host.release();
      });
      this.server.injectSocket(socket);
    });
  }

  get knobs(): EmulatorKnobs {
    return this.host.knobs;
  }
  /** Logins refused so far (SSH and in-shell). */
  get authFailures(): number {
    return this.host.authFailures;
  }
  /** Shells started so far. */
  get shells(): number {
    return this.host.shells;
  }
  /** Every line the switch received (all transports). */
  get received(): string[] {
    return this.host.received;
  }

  /** The host key's fingerprint, as `ssh-keygen -l` prints it. */
  get hostKeyFingerprint(): string {
    const key = utils.parseKey(this.hostKey.privateKey);
    if (key instanceof Error) throw key;
    return sha256Fingerprint(key.getPublicSSH());
  }

  get address(): string {
    return `ssh://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.tcp.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.tcp.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  /** Drops every SSH connection, as a switch's idle timeout (exec-timeout) does; keeps listening. */
  hangUp(): void {
    for (const c of this.connections) c.end();
  }

  /**
   * A new host key, as after a switch is replaced (or someone answers in its place): drops every connection; the
   * next ones meet the freshly made key on the same port. The configuration is kept.
   */
  rekey(): void {
    for (const s of this.sockets) s.destroy();
    this.hostKey = newHostKey();
    this.server = new Server({ hostKeys: [this.hostKey.privateKey] }, (client) => this.accept(client));
  }

  private accept(client: Connection): void {
    this.connections.add(client);
    client.on('close', () => this.connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const k = this.knobs;
      const methods = k.shellLogin ? ['none', 'password', 'keyboard-interactive'] : k.authMethods;
      const offered = methods.filter((m) => m !== 'none') as ('password' | 'keyboard-interactive')[];
      if (!methods.includes(ctx.method)) return ctx.reject(offered);
      if (k.shellLogin) return ctx.accept();
      if (ctx.method === 'password') {
        return void sleep(k.loginLatencyMs).then(() =>
          this.host.checkLogin(ctx.username, ctx.password) ? ctx.accept() : ctx.reject(offered),
        );
      }
      if (ctx.method === 'keyboard-interactive') {
        return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          void sleep(k.loginLatencyMs).then(() =>
            this.host.checkLogin(ctx.username, answers[0] ?? '') ? ctx.accept() : ctx.reject(offered),
          );
        });
      }
      ctx.reject(offered);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('shell', (accept) => {
          const stream = accept();
          stream.on('error', () => undefined);
          void this.host.run(
            {
              write: (text) => {
                if (stream.writable) stream.write(text);
              },
              onData: (listener) => stream.on('data', (d: Buffer) => listener(d.toString('utf8'))),
              hangup: () => {
                stream.close();
                client.end();
              },
            },
            this.knobs.shellLogin && this.host.interpreter.shellLogin !== undefined,
          );
        });
      });
    });
  }
}
