// The CLI session engine: a conversation with a switch's command line over a byte stream (an SSH shell). It logs in
// where the shell asks (`User Name:` / `Password:`), raises the privilege with `enable`, finds the prompt, turns
// paging off (or answers the pager), and runs one command at a time: each waits for the prompt again within a
// deadline, answers the dialect's confirmations, and fails with the switch's own words when the reply is an error.
// The transcript goes to `log` at debug level with every secret replaced by `<redacted>`.
import type { Duplex } from 'node:stream';
import { SwitchError } from '../errors.js';
import type { CliDialect } from './dialect.js';

export interface CliLog {
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A command the switch answered with an error; `reply` is the switch's own text. */
export class CliCommandError extends SwitchError {
  constructor(
    readonly command: string,
    readonly reply: string,
  ) {
    super('failed', `the switch refused "${command}": ${reply}`);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Applies backspaces (pagers erase their prompt with them) and drops terminal escapes and NULs. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  let s = text.replace(ANSI, '').replace(/\x00/g, '');
  // A backspace erases the character before it; one at the start of a chunk erases what was already consumed.
  // eslint-disable-next-line no-control-regex
  while (/[^\x08\n]\x08/.test(s)) s = s.replace(/[^\x08\n]\x08/, '');
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x08/g, '');
}

export interface CliSessionOptions {
  readonly dialect: CliDialect;
  /** Every command must be answered within this long; after that the session is dead. */
  readonly commandTimeoutMs: number;
  /** The whole in-shell login (prompts, `enable`, paging off) within this long (default `commandTimeoutMs`). */
  readonly loginTimeoutMs?: number;
  readonly log?: CliLog;
  /** Where, for the transcript (e.g. `ssh://sw1:22`). */
  readonly where: string;
  /** Values never written to the log. */
  readonly secrets: readonly string[];
}

export class CliSession {
  private buffer = '';
  private waiter: (() => void) | undefined;
  private deadReason: SwitchError | undefined;
  private prompt: RegExp | undefined;
  /** The deadline of the next wait (the login's while logging in, then each command's). */
  private timeoutMs: number;
  /** The host name part of the prompt, once found. */
  hostname = '';
  /** The command whose answer is awaited now (for timeout messages). */
  waitingFor: string | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly o: CliSessionOptions,
  ) {
    this.timeoutMs = o.commandTimeoutMs;
    stream.on('data', (chunk: Buffer) => {
      this.buffer += clean(chunk.toString('utf8'));
      this.waiter?.();
    });
    const gone = () => this.kill(new SwitchError('closed', `${o.where}: the switch closed the connection`));
    stream.on('close', gone);
    stream.on('end', gone);
    stream.on('error', (err: Error) => this.kill(new SwitchError('closed', `${o.where}: ${err.message}`)));
  }

  get dead(): boolean {
    return this.deadReason !== undefined;
  }

  /** Marks the session dead (pending waits reject with `reason`) and drops the stream. */
  kill(reason: SwitchError): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    this.waiter?.();
    try {
      this.stream.destroy();
    } catch {
      // already gone
    }
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.o.secrets) if (s) out = out.split(s).join('<redacted>');
    return out;
  }

  private trace(direction: 'sent' | 'received', text: string): void {
    this.o.log?.debug(`switch cli ${direction}`, { switch: this.o.where, text: this.redact(text) });
  }

  private send(line: string, secret = false): void {
    if (this.deadReason) throw this.deadReason;
    this.trace('sent', secret ? '<redacted>' : line);
    this.stream.write(`${line}\n`);
  }

  /** Waits until one of `patterns` matches the buffered text; consumes the text up to and including the match. */
  private expect(
    patterns: readonly RegExp[],
    what: string,
    timeoutMs = this.timeoutMs,
  ): Promise<{ index: number; before: string; match: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        const tail = this.redact(this.buffer.slice(-120)).replace(/\s+/g, ' ').trim();
        const err = new SwitchError(
          'timeout',
          `${this.o.where}: ${what}: no answer within ${timeoutMs} ms${tail ? ` (last output: "${tail}")` : ''}`,
        );
        this.kill(err);
        reject(err);
      }, timeoutMs);
      const check = () => {
        for (const [index, re] of patterns.entries()) {
          const m = re.exec(this.buffer);
          if (m) {
            clearTimeout(timer);
            this.waiter = undefined;
            const before = this.buffer.slice(0, m.index);
            this.trace('received', before + m[0]);
            this.buffer = this.buffer.slice(m.index + m[0].length);
            return resolve({ index, before, match: m[0] });
          }
        }
        if (this.deadReason) {
          clearTimeout(timer);
          this.waiter = undefined;
          // What the switch said last often says why it hung up (e.g. that it has no free session).
          const tail = this.redact(this.buffer.slice(-160)).replace(/\s+/g, ' ').trim();
          reject(
            new SwitchError(
              this.deadReason.code,
              `${what}: ${this.deadReason.message}${tail ? ` (last output: "${tail}")` : ''}`,
            ),
          );
        }
      };
      this.waiter = check;
      check();
    });
  }

  /**
   * Logs in on the shell: answers an in-shell user-name and password prompt where the switch shows them, runs
   * `enable` (answering its password prompt) when the prompt is `>`, then finds the prompt and turns paging off.
   */
  async login(credentials: { username: string; password: string; enablePassword?: string }): Promise<void> {
    this.timeoutMs = this.o.loginTimeoutMs ?? this.o.commandTimeoutMs;
    try {
      await this.loginSteps(credentials);
    } finally {
      this.timeoutMs = this.o.commandTimeoutMs;
    }
  }

  private async loginSteps(credentials: {
    username: string;
    password: string;
    enablePassword?: string;
  }): Promise<void> {
    const d = this.o.dialect;
    const anyPrompt = /[\r\n]?([^\r\n]*?)([>#]) ?$/;
    let answeredUser = false;
    let answeredPassword = false;
    for (;;) {
      const r = await this.expect([d.login.usernamePrompt, d.login.passwordPrompt, anyPrompt], 'login');
      if (r.index === 0) {
        if (answeredUser)
          throw new SwitchError(
            'auth',
            `${this.o.where}: the switch asked for the user name again: login refused, authentication failed (wrong user name or password)`,
          );
        answeredUser = true;
        this.send(credentials.username);
      } else if (r.index === 1) {
        if (answeredPassword)
          throw new SwitchError(
            'auth',
            `${this.o.where}: the switch asked for the password again: login refused, authentication failed (wrong user name or password)`,
          );
        answeredPassword = true;
        this.send(credentials.password, true);
      } else break;
    }
    // Find the prompt for sure: an empty line answers with exactly one prompt.
    this.send('');
    let { match } = await this.expect([/[\r\n]([^\r\n]*[>#]) ?$/], 'finding the prompt');
    if (match.trimEnd().endsWith('>')) {
      this.send(d.login.enable);
      const r = await this.expect([d.login.passwordPrompt, /[\r\n]([^\r\n]*[>#]) ?$/], 'enable');
      if (r.index === 0) {
        if (credentials.enablePassword === undefined) {
          throw new SwitchError(
            'auth',
            `${this.o.where}: "${d.login.enable}" asks for a password: set enablePassword in the credentials Secret`,
          );
        }
        this.send(credentials.enablePassword, true);
        ({ match } = await this.expect([d.login.passwordPrompt, /[\r\n]([^\r\n]*[>#]) ?$/], 'enable'));
        if (!match.trimEnd().endsWith('#'))
          throw new SwitchError('auth', `${this.o.where}: the enable password was refused`);
      } else match = r.match;
      if (!match.trimEnd().endsWith('#'))
        throw new SwitchError(
          'auth',
          `${this.o.where}: "${d.login.enable}" was refused: the user has no privileged (#) access`,
        );
    }
    const host = match.trim().replace(/(\([^)]*\))?[>#]$/, '');
    this.hostname = host;
    // The prompt in every mode: `host#`, `host(config)#`, `host(config-if)#`, `host(config-if-Ethernet1/1)#`…
    this.prompt = new RegExp(`(?:^|[\\r\\n])${escapeRegExp(host)}(?:\\([^)\\r\\n]*\\))?# ?$`);
    for (const cmd of d.paging.disable) await this.run(cmd);
  }

  /**
   * Runs one command and resolves with its output (echo and prompt removed). Pager prompts are answered and
   * removed; confirmations answered; an error reply rejects with `CliCommandError` carrying the switch's text.
   * `timeoutMs` replaces the per-command deadline for this one (a save).
   */
  async run(command: string, timeoutMs?: number): Promise<string> {
    if (!this.prompt) throw new SwitchError('failed', 'run() before login()');
    const d = this.o.dialect;
    // Whatever came after the last prompt (a late banner, a stray prompt) is not this command's answer.
    if (this.buffer) this.trace('received', this.buffer);
    this.buffer = '';
    this.send(command);
    this.waitingFor = command;
    let output = '';
    const patterns = [this.prompt, d.paging.more, ...d.confirmations.map((c) => c.prompt)];
    for (;;) {
      const r = await this.expect(patterns, `"${command}"`, timeoutMs ?? this.timeoutMs);
      output += r.before;
      if (r.index === 0) break;
      if (r.index === 1) {
        this.stream.write(d.paging.answer);
        continue;
      }
      output += r.match;
      const confirm = d.confirmations[r.index - 2];
      this.trace('sent', confirm.answer);
      this.stream.write(confirm.enter ? `${confirm.answer}\n` : confirm.answer);
    }
    this.waitingFor = undefined;
    // Drop the echoed command line.
    const lines = output.replace(/\r/g, '').split('\n');
    if (lines.length && lines[0].trim().endsWith(command.trim())) lines.shift();
    const text = lines.join('\n');
    for (const re of d.errors) {
      const m = re.exec(text);
      if (m) {
        const reply = lines
          .map((l) => l.trim())
          .filter((l) => l && !/^\^$/.test(l))
          .join(' ');
        throw new CliCommandError(command, reply || m[0]);
      }
    }
    return text;
  }

  /** Leaves politely (best effort) and drops the stream. */
  close(): void {
    if (this.dead) return;
    try {
      this.stream.write('exit\n');
    } catch {
      // closing must never throw
    }
    this.kill(new SwitchError('closed', 'closed by the caller'));
  }
}
