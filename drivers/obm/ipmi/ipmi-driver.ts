// The `ipmi` OBM driver: ipmitool over IPMI 2.0 (`-I lanplus`), one process per call. The password never appears
// on a command line: it goes to ipmitool through its environment (`-E`, variable IPMI_PASSWORD), so `ps` shows
// host, port and user name only. Every value is validated before ipmitool runs (validate.ts), and ipmitool is
// spawned without a shell.
//
// Knobs (daemon-wide; hil.cfg [hil.ext.obm.ipmi] or the daemon's options): cipher suite (`-C`, default 3 —
// without it every lanplus call first waits ~10 s probing suites), ipmitool's own per-packet timeout (`-N`) and
// retries (`-R`), and a hard deadline per call after which the process is killed.
import { spawn } from 'node:child_process';
import { ObmError } from '../errors.js';
import type { BootDevice, ConsoleSession, ObmConfig, ObmDriver, PowerState } from '../obm-driver.js';
import { validateBmc, type ValidBmc } from '../validate.js';

export interface IpmiDriverOptions {
  /** The ipmitool binary (default `ipmitool` on PATH). */
  ipmitool?: string;
  /** RMCP+ cipher suite, 0-17 (default 3: HMAC-SHA1, AES-CBC-128 — what most BMCs and ipmi_sim offer). */
  cipherSuite?: number;
  /** ipmitool `-N`: seconds to wait for each answer (default 1). */
  timeoutSeconds?: number;
  /** ipmitool `-R`: retries of each request, 1-10 (default 2; ipmitool reads 0 as its own default, ~20 s on a dead BMC). */
  retries?: number;
  /** Kill a call that has not finished after this long (default 15 000 ms). */
  callTimeoutMs?: number;
  /** Called with the argv of every ipmitool run (tests: to show no secret is on it). */
  onSpawn?: (argv: readonly string[]) => void;
}

const SOL_BANNER = /^\[SOL Session operational\.[^\]]*\]\r?\n?/;

export class IpmiObmDriver implements ObmDriver {
  readonly type = 'ipmi';
  private readonly o: Required<Omit<IpmiDriverOptions, 'onSpawn'>> & Pick<IpmiDriverOptions, 'onSpawn'>;

  constructor(opts: IpmiDriverOptions = {}) {
    this.o = { ipmitool: 'ipmitool', cipherSuite: 3, timeoutSeconds: 1, retries: 2, callTimeoutMs: 15_000, ...opts };
    const { cipherSuite: c, timeoutSeconds: n, retries: r } = this.o;
    if (!Number.isInteger(c) || c < 0 || c > 17) throw new ObmError('invalid', `ipmi cipher suite ${c} is not 0-17`);
    if (!Number.isInteger(n) || n < 1 || n > 60) throw new ObmError('invalid', `ipmi timeout ${n} s is not 1-60`);
    if (!Number.isInteger(r) || r < 1 || r > 10) throw new ObmError('invalid', `ipmi retries ${r} is not 1-10`);
  }

  /** ipmitool's argv (without the program) and environment for one BMC: the password only in the environment. */
  private invocation(b: ValidBmc, args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
    const argv = [
      '-I',
      'lanplus',
      '-C',
      String(this.o.cipherSuite),
      '-N',
      String(this.o.timeoutSeconds),
      '-R',
      String(this.o.retries),
      '-H',
      b.host,
      '-p',
      String(b.port),
    ];
    if (b.username !== undefined) argv.push('-U', b.username);
    argv.push('-E', '-v', ...args);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      IPMI_PASSWORD: b.password ?? '',
    };
    return { argv, env };
  }

  private where(b: ValidBmc): string {
    return `BMC ${b.host}:${b.port}${b.username ? ` (user ${b.username})` : ''}`;
  }

  /** Runs one ipmitool command; resolves its stdout or throws a classified ObmError. */
  private run(bmc: ObmConfig, args: string[]): Promise<string> {
    const b = validateBmc(bmc);
    const { argv, env } = this.invocation(b, args);
    this.o.onSpawn?.([this.o.ipmitool, ...argv]);
    const what = `ipmitool ${args.join(' ')}`;
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      let timedOut = false;
      const child = spawn(this.o.ipmitool, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
        // Settle now: a grandchild holding the pipes open must not hold the caller.
        reject(new ObmError('timeout', `${what} on ${this.where(b)}: no answer within ${this.o.callTimeoutMs} ms`));
      }, this.o.callTimeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new ObmError('failed', `cannot run ${this.o.ipmitool}: ${e.message}`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (timedOut) return;
        if (code === 0) return resolve(out);
        reject(classify(`${what} on ${this.where(b)}`, err));
      });
    });
  }

  async powerStatus(bmc: ObmConfig): Promise<PowerState> {
    const out = await this.run(bmc, ['chassis', 'power', 'status']);
    const m = /Chassis Power is (on|off)/i.exec(out);
    if (!m)
      throw new ObmError(
        'failed',
        `unexpected answer to chassis power status: ${JSON.stringify(out.trim().slice(0, 120))}`,
      );
    return m[1].toLowerCase() === 'on' ? 'On' : 'Off';
  }

  async setPower(bmc: ObmConfig, state: PowerState): Promise<void> {
    await this.run(bmc, ['chassis', 'power', state === 'On' ? 'on' : 'off']);
  }

  async powerCycle(bmc: ObmConfig): Promise<void> {
    await this.run(bmc, ['chassis', 'power', 'cycle']);
  }

  async bootDevice(bmc: ObmConfig): Promise<BootDevice | undefined> {
    const out = await this.run(bmc, ['chassis', 'bootparam', 'get', '5']);
    const sel = /Boot Device Selector\s*:\s*(.*)/i.exec(out)?.[1] ?? '';
    if (/PXE/i.test(sel)) return 'pxe';
    if (/Hard-?Drive|disk/i.test(sel)) return 'disk';
    return undefined;
  }

  async setBootDevice(bmc: ObmConfig, device: BootDevice): Promise<void> {
    if (device !== 'pxe' && device !== 'disk')
      throw new ObmError('invalid', `boot device ${JSON.stringify(device)} is not pxe or disk`);
    await this.run(bmc, ['chassis', 'bootdev', device, 'options=persistent']);
  }

  openConsole(bmc: ObmConfig): ConsoleSession {
    const b = validateBmc(bmc);
    return new IpmiSolSession(
      this,
      b,
      (args) => this.invocation(b, args),
      (args) => this.run(bmc, args),
    );
  }

  /** @internal */
  spawnArgs(): { ipmitool: string; onSpawn?: (argv: readonly string[]) => void; where: (b: ValidBmc) => string } {
    return { ipmitool: this.o.ipmitool, onSpawn: this.o.onSpawn, where: (b) => this.where(b) };
  }
}

/** `ipmitool … sol activate`, read-only: stdin stays open and silent; closing sends the `~.` escape, then kills. */
class IpmiSolSession implements ConsoleSession {
  private dataFns: ((c: Buffer) => void)[] = [];
  private endFns: ((e?: Error) => void)[] = [];
  private ended = false;
  private endErr?: Error;
  private closing?: Promise<void>;
  private child?: ReturnType<typeof spawn>;

  constructor(
    private readonly driver: IpmiObmDriver,
    private readonly b: ValidBmc,
    private readonly invocation: (args: string[]) => { argv: string[]; env: NodeJS.ProcessEnv },
    private readonly run: (args: string[]) => Promise<string>,
  ) {
    this.start(true);
  }

  private start(firstTry: boolean): void {
    const { ipmitool, onSpawn, where } = this.driver.spawnArgs();
    const { argv, env } = this.invocation(['sol', 'activate']);
    onSpawn?.([ipmitool, ...argv]);
    const child = spawn(ipmitool, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let err = '';
    let banner = true;
    let pending = Buffer.alloc(0);
    child.stdout.on('data', (d: Buffer) => {
      if (banner) {
        pending = Buffer.concat([pending, d]);
        const text = pending.toString('latin1');
        if (!text.startsWith('[') || text.includes('\n') || pending.length > 200) {
          banner = false;
          const rest = Buffer.from(text.replace(SOL_BANNER, ''), 'latin1');
          pending = Buffer.alloc(0);
          if (rest.length) this.emit(rest);
        }
        return;
      }
      this.emit(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => {});
    child.once('error', (e) => this.finish(new ObmError('failed', `cannot run ${ipmitool}: ${e.message}`)));
    child.once('close', (code) => {
      if (this.closing) return this.finish();
      if (firstTry && /already active/i.test(err)) {
        // A SOL session left over (e.g. a killed reader): free the payload, then take it.
        void this.run(['sol', 'deactivate'])
          .catch(() => {})
          .then(() => {
            if (!this.closing) this.start(false);
            else this.finish();
          });
        return;
      }
      this.finish(code === 0 ? undefined : classify(`ipmitool sol activate on ${where(this.b)}`, err));
    });
  }

  private emit(c: Buffer): void {
    for (const f of this.dataFns) f(c);
  }

  private finish(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.endErr = err;
    for (const f of this.endFns) f(err);
  }

  onData(fn: (chunk: Buffer) => void): void {
    this.dataFns.push(fn);
  }

  onEnd(fn: (err?: Error) => void): void {
    if (this.ended) fn(this.endErr);
    else this.endFns.push(fn);
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('close', () => r()));
        child.stdin?.write('\r~.');
        const t = setTimeout(() => child.kill('SIGTERM'), 1_000);
        await exited;
        clearTimeout(t);
      }
      // The BMC may keep the payload of a killed session: free it for the next reader.
      await this.run(['sol', 'deactivate']).catch(() => {});
      this.finish();
    })());
  }
}

/** Turns ipmitool's stderr (-v) into an ObmError with a reason a user can act on; never echoes the environment. */
export function classify(what: string, stderr: string): ObmError {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^Loading IANA/i.test(l));
  const detail = (
    lines
      .filter((l) => /error|invalid|unauthori|unable|insufficient|timeout|no response/i.test(l))
      .slice(-2)
      .join('; ') ||
    lines.slice(-1)[0] ||
    'no output'
  ).slice(0, 300);
  if (
    /RAKP 2 HMAC is invalid|unauthorized name|invalid user ?name|RAKP \d message indicates an error|invalid (integrity|session) ?(check|id)?.*RAKP/i.test(
      stderr,
    )
  ) {
    return new ObmError('auth', `${what}: the BMC refused the credentials (wrong user name or password): ${detail}`);
  }
  // A BMC that stops answering mid-call says so in several ways (seen with ipmi_sim killed during calls).
  if (
    /Get Auth Capabilities error|no (valid )?response|Insufficient resources for session|Unable to get Channel Cipher Suites|Connection refused|Name or service not known|Address lookup/i.test(
      stderr,
    )
  ) {
    return new ObmError('unreachable', `${what}: no answer from the BMC: ${detail}`);
  }
  return new ObmError('failed', `${what}: ${detail}`);
}
