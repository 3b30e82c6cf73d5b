// The emulated switch shell, whatever carries it: prompts, privilege modes (through the vendor's interpreter), an
// in-shell login where the switch asks for one, echo, the `--More--` pager, confirmations, and the knobs (latency per
// login, per command and per save, a connection dropped after N config-mode commands, a hung command, a refused
// command, a session limit). The SSH server (ssh-cli-server.ts) and the telnet server (telnet-cli-server.ts) only
// move bytes between their connection and `ShellHost.run`; what a command does is the vendor's `CliInterpreter`.
import { timingSafeEqual } from 'node:crypto';

/** What a vendor's CLI does with one line, given the shell's state. */
export interface CliInterpreter {
  /** The prompt for the shell's current mode, e.g. `console(config-if)#`. */
  prompt(shell: ShellState): string;
  /** Runs one line; returns its output (lines, no trailing newline) or a question to ask first. */
  execute(shell: ShellState, line: string): CliReply;
  /**
   * In-shell login prompts: shown after an SSH login when the `shellLogin` knob is on (PowerConnect), and always on
   * telnet, which has no login of its own.
   */
  readonly shellLogin?: { readonly username: string; readonly password: string; readonly failed: string };
  /** The pager's prompt. */
  readonly more: string;
  /** What the CLI answers to a command it refuses (the `refuse` knob). */
  readonly refusal: string;
  /** What a telnet caller is told before the connection is closed when every session is taken. */
  readonly busy?: string;
}

export type CliReply =
  | { kind: 'output'; text: string }
  | { kind: 'confirm'; question: string; onAnswer: (key: string) => string }
  | { kind: 'password'; prompt: string; onAnswer: (password: string) => string }
  /** A question answered with a line, echoed (e.g. a file name). */
  | { kind: 'question'; prompt: string; onAnswer: (line: string) => string };

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
  /**
   * At most this many sessions at once (SSH and telnet together), as the vendor's vty/session limit: a connection
   * over it is closed before any login (SSH: before the key exchange; telnet: after the `busy` message).
   */
  sessionLimit?: number;
}

/** The byte pipe under one shell. */
export interface ShellIo {
  write(text: string): void;
  onData(listener: (text: string) => void): void;
  /** Drops the whole connection. */
  hangup(): void;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The save command of every emulated vendor (the `saveLatencyMs` knob). */
const SAVE_COMMAND = /^\s*(copy running-config startup-config|write( memory)?)\s*$/;

/** Wrong logins a telnet shell takes before it hangs up (PowerConnect and IOS: three). */
const LOGIN_ATTEMPTS = 3;

/** What every session of one emulated switch shares: the interpreter, the knobs, the counters, the session slots. */
export class ShellHost {
  /** Logins refused so far. */
  authFailures = 0;
  /** Sessions (shells) started so far. */
  shells = 0;
  /** Connections open now (taking a session slot). */
  active = 0;
  /** Connections turned away at the session limit. */
  turnedAway = 0;
  /** Every line the switch received, in order, across shells (for tests: what was sent). */
  readonly received: string[] = [];

  constructor(
    readonly interpreter: CliInterpreter,
    readonly knobs: EmulatorKnobs,
  ) {}

  /** Takes a session slot for a new connection; false (and counted) when the switch has none free. */
  acquire(): boolean {
    if (this.knobs.sessionLimit !== undefined && this.active >= this.knobs.sessionLimit) {
      this.turnedAway++;
      return false;
    }
    this.active++;
    return true;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  checkLogin(username: string, password: string): boolean {
    const ok = username === this.knobs.username && sameSecret(password, this.knobs.password);
    if (!ok) this.authFailures++;
    return ok;
  }

  /** Runs one interactive shell on `io` until it hangs up; `login`: ask for the user name and password first. */
  async run(io: ShellIo, login: boolean): Promise<void> {
    this.shells++;
    const k = this.knobs;
    const it = this.interpreter;
    const state: ShellState = { mode: k.startUnprivileged ? 'user' : 'exec', paging: true, configCommands: 0 };
    let input = '';
    let lastWasCr = false;
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
          if (t) io.write(t);
        });
      pending += text;
    };
    io.onData((data) => {
      for (const ch of data) {
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

    if (login) {
      const prompts = it.shellLogin ?? { username: 'Username: ', password: 'Password: ', failed: '% Login invalid' };
      await sleep(k.loginLatencyMs);
      for (let attempt = 1; ; attempt++) {
        send(prompts.username);
        const user = await readLine();
        send(prompts.password);
        const pass = await readLine(true);
        if (this.checkLogin(user, pass)) break;
        send(`${prompts.failed}\r\n`);
        if (attempt >= LOGIN_ATTEMPTS) {
          setImmediate(() => io.hangup());
          return;
        }
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
          io.hangup();
          return;
        }
      }
      await sleep(k.commandLatencyMs);
      if (k.saveLatencyMs && SAVE_COMMAND.test(line)) await sleep(k.saveLatencyMs);
      if (line.trim() === 'exit' && (state.mode === 'user' || state.mode === 'exec')) {
        io.hangup();
        return;
      }
      let reply: CliReply = k.refuse?.test(line) ? { kind: 'output', text: it.refusal } : it.execute(state, line);
      while (reply.kind !== 'output') {
        if (reply.kind === 'confirm') {
          send(reply.question);
          reply = { kind: 'output', text: reply.onAnswer(await readKey()) };
        } else {
          send(reply.prompt);
          reply = { kind: 'output', text: reply.onAnswer(await readLine(reply.kind === 'password')) };
        }
      }
      await write(reply.text);
    }
  }
}
