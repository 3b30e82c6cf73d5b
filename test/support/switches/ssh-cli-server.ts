// The SSH side of the switch emulators: an ssh2 server on 127.0.0.1 with its own host key, password and
// keyboard-interactive logins, one interactive shell per connection with echo, prompts, a pager and the knobs
// (latency per login and per command, a connection dropped after N commands). What a command does is the
// vendor's: a `CliInterpreter` (dell-powerconnect-emulator.ts, cisco-nexus-emulator.ts).
import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import { sha256Fingerprint } from '../../../drivers/switch/cli/ssh-transport.js';

const { Server, utils } = ssh2;

/** What a vendor's CLI does with one line, given the shell's state. */
export interface CliInterpreter {
  /** The prompt for the shell's current mode, e.g. `console(config-if)#`. */
  prompt(shell: ShellState): string;
  /** Runs one line; returns its output (lines, no trailing newline) or a question to ask first. */
  execute(shell: ShellState, line: string): CliReply;
  /** In-shell login prompts (PowerConnect): shown after the SSH login when `shellLogin` is on. */
  readonly shellLogin?: { readonly username: string; readonly password: string; readonly failed: string };
  /** The pager's prompt. */
  readonly more: string;
  /** What the CLI answers to a command it refuses (the `refuse` knob). */
  readonly refusal: string;
}

export type CliReply =
  | { kind: 'output'; text: string }
  | { kind: 'confirm'; question: string; onAnswer: (key: string) => string }
  | { kind: 'password'; prompt: string; onAnswer: (password: string) => string };

export interface ShellState {
  /** Mode stack: `user` (>), `exec` (#), `config`, `if`, `vlan`… The interpreter owns the values past `exec`. */
  mode: string;
  /** The interface being configured in `if` mode. */
  iface?: string;
  paging: boolean;
  /** Commands this shell ran in config modes (for the drop knob). */
  configCommands: number;
}

export interface EmulatorKnobs {
  username: string;
  password: string;
  /** Password `enable` asks for; undefined: `enable` asks none. */
  enablePassword?: string;
  /** Log in at `>` (needs `enable`) rather than straight at `#`. */
  startUnprivileged: boolean;
  /** Accept any SSH login and ask for the user name and password inside the shell (PowerConnect's way). */
  shellLogin: boolean;
  /** SSH methods offered: `password`, `keyboard-interactive`. */
  authMethods: ('password' | 'keyboard-interactive')[];
  loginLatencyMs: number;
  commandLatencyMs: number;
  /** Extra time `copy running-config startup-config` / `write memory` takes (writing flash), on top of a command's. */
  saveLatencyMs?: number;
  /** Lines per page when paging is on. */
  pageLines: number;
  /** Drop the connection instead of answering the Nth config-mode command of a shell (once; then reset). */
  dropAtConfigCommand?: number;
  /** Never answer commands matching this (a hung command). */
  hangOn?: RegExp;
  /** Refuse commands matching this with the vendor's error reply (e.g. a VLAN the switch's licence does not allow). */
  refuse?: RegExp;
}

// An ECDSA P-256 host key made by node's crypto (PEM): ssh2's own ed25519 generator once gave a key its parser
// refused ("Malformed OpenSSH private key") in a test run.
function newHostKey() {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SshCliServer {
  private server: InstanceType<typeof Server>;
  private hostKey = newHostKey();
  private readonly connections = new Set<Connection>();
  port = 0;
  /** Logins refused so far. */
  authFailures = 0;
  /** Sessions (shells) started so far. */
  shells = 0;
  /** Every line the switch received, in order, across shells (for tests: what was sent). */
  readonly received: string[] = [];

  constructor(
    private readonly interpreter: CliInterpreter,
    readonly knobs: EmulatorKnobs,
  ) {
    this.server = new Server({ hostKeys: [this.hostKey.privateKey] }, (client) => this.accept(client));
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
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Drops every connection, as a switch's idle timeout (exec-timeout) does; keeps listening. */
  hangUp(): void {
    for (const c of this.connections) c.end();
  }

  /**
   * A new host key, as after a switch is replaced (or someone answers in its place): drops every connection and
   * listens again on the same port with a freshly made key. The configuration is kept.
   */
  async rekey(): Promise<void> {
    await this.close();
    this.hostKey = newHostKey();
    this.server = new Server({ hostKeys: [this.hostKey.privateKey] }, (client) => this.accept(client));
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  private accept(client: Connection): void {
    this.connections.add(client);
    // Interactive sessions go out at once (OpenSSH's sshd sets TCP_NODELAY for them; so do switches).
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on('close', () => this.connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const k = this.knobs;
      const methods = k.shellLogin ? ['none', 'password', 'keyboard-interactive'] : k.authMethods;
      const refuse = () => {
        this.authFailures++;
        ctx.reject(methods.filter((m) => m !== 'none') as ('password' | 'keyboard-interactive')[]);
      };
      if (!methods.includes(ctx.method))
        return ctx.reject(methods.filter((m) => m !== 'none') as ('password' | 'keyboard-interactive')[]);
      if (k.shellLogin) return ctx.accept();
      if (ctx.method === 'password') {
        return void sleep(k.loginLatencyMs).then(() =>
          ctx.username === k.username && same(ctx.password, k.password) ? ctx.accept() : refuse(),
        );
      }
      if (ctx.method === 'keyboard-interactive') {
        return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          void sleep(k.loginLatencyMs).then(() =>
            ctx.username === k.username && same(answers[0] ?? '', k.password) ? ctx.accept() : refuse(),
          );
        });
      }
      refuse();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('shell', (accept) => {
          this.shells++;
          void this.shell(accept(), client);
        });
      });
    });
  }

  private async shell(stream: ServerChannel, client: Connection): Promise<void> {
    const k = this.knobs;
    const it = this.interpreter;
    const state: ShellState = { mode: k.startUnprivileged ? 'user' : 'exec', paging: true, configCommands: 0 };
    let input = '';
    /** Resolvers waiting for a line or a key. */
    let wantKey: ((key: string) => void) | undefined;
    let wantLine: ((line: string) => void) | undefined;
    let echo = true;
    // Writes are gathered and sent as one packet per turn, as a switch's CLI does: small separate writes would meet
    // Nagle's algorithm and the peer's delayed ACK, and every command would cost 40 ms.
    let pending = '';
    const send = (text: string) => {
      if (!pending)
        setImmediate(() => {
          const t = pending;
          pending = '';
          if (t && stream.writable) stream.write(t);
        });
      pending += text;
    };
    stream.on('data', (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (wantKey) {
          const w = wantKey;
          wantKey = undefined;
          w(ch);
          continue;
        }
        if (ch === '\r' || ch === '\n') {
          if (ch === '\n' && input === '' && lastWasCr) {
            lastWasCr = false;
            continue;
          }
          lastWasCr = ch === '\r';
          send('\r\n');
          const line = input;
          input = '';
          const w = wantLine;
          wantLine = undefined;
          w?.(line);
          continue;
        }
        lastWasCr = false;
        input += ch;
        if (echo) send(ch);
      }
    });
    let lastWasCr = false;
    stream.on('error', () => undefined);
    const readLine = (noEcho = false) =>
      new Promise<string>((resolve) => {
        echo = !noEcho;
        wantLine = (l) => {
          echo = true;
          resolve(l);
        };
      });
    const readKey = () => new Promise<string>((resolve) => (wantKey = resolve));
    const write = async (text: string) => {
      if (!text) return;
      const lines = text.split('\n');
      if (!state.paging || lines.length <= k.pageLines) return void send(`${lines.join('\r\n')}\r\n`);
      for (let i = 0; i < lines.length; i += k.pageLines) {
        send(`${lines.slice(i, i + k.pageLines).join('\r\n')}\r\n`);
        if (i + k.pageLines >= lines.length) break;
        send(it.more);
        const key = await readKey();
        send('\b'.repeat(it.more.length));
        if (key === 'q') break;
      }
    };

    if (k.shellLogin && it.shellLogin) {
      await sleep(k.loginLatencyMs);
      for (;;) {
        send(it.shellLogin.username);
        const user = await readLine();
        send(it.shellLogin.password);
        const pass = await readLine(true);
        if (user === k.username && same(pass, k.password)) break;
        this.authFailures++;
        send(`${it.shellLogin.failed}\r\n`);
      }
    }
    for (;;) {
      send(it.prompt(state));
      const line = await readLine();
      this.received.push(line);
      if (k.hangOn?.test(line)) return;
      if (state.mode !== 'user' && state.mode !== 'exec') {
        state.configCommands++;
        if (k.dropAtConfigCommand !== undefined && state.configCommands >= k.dropAtConfigCommand) {
          k.dropAtConfigCommand = undefined;
          client.end();
          return;
        }
      }
      await sleep(k.commandLatencyMs);
      if (k.saveLatencyMs && /^\s*(copy running-config startup-config|write( memory)?)\s*$/.test(line))
        await sleep(k.saveLatencyMs);
      if (line.trim() === 'exit' && (state.mode === 'user' || state.mode === 'exec')) {
        stream.close();
        client.end();
        return;
      }
      let reply: CliReply = k.refuse?.test(line) ? { kind: 'output', text: it.refusal } : it.execute(state, line);
      while (reply.kind !== 'output') {
        if (reply.kind === 'confirm') {
          send(reply.question);
          reply = { kind: 'output', text: reply.onAnswer(await readKey()) };
        } else {
          send(reply.prompt);
          reply = { kind: 'output', text: reply.onAnswer(await readLine(true)) };
        }
      }
      await write(reply.text);
    }
  }
}
