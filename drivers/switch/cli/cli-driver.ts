// One switch driver for every CLI switch, made from a dialect (dialects/*.ts): the dialect says what to type, this
// file says when. readPorts reads each port back from the switch; apply reads the ports, then writes only those not
// yet in the desired state, all in one session and one config-mode entry (VLANs created first); save copies the
// running config to the startup config once per batch.
import { isSwitchError, SwitchError } from '../errors.js';
import { portInSync } from '../port-state.js';
import { SessionGuard } from '../session-guard.js';
import type {
  ObservedPort,
  PortChange,
  PortResult,
  SwitchCapabilities,
  SwitchConfig,
  SwitchDriver,
  SwitchSession,
} from '../switch-driver.js';
import {
  assertConfigBasics,
  assertCredentials,
  assertInterfaceNames,
  assertParkingVlan,
  INTERFACE_PATTERN,
  resolveOptions,
  resolveTimeout,
  validateChanges,
} from '../validate.js';
import { CliCommandError, CliSession, type CliLog } from './cli-session.js';
import type { CliDialect } from './dialect.js';
import { openSshShell, parseSshAddress, type SshShell } from './ssh-transport.js';
import { openTelnet, parseTelnetAddress, type TelnetShell } from './telnet-transport.js';

/** Options every CLI switch takes, on top of its dialect's. */
const COMMON_OPTIONS = {
  /** The switch's SSH host key, `SHA256:…` as `ssh-keygen -l -f KEY.pub` prints it. */
  hostKeyFingerprint: { pattern: /^SHA256:[A-Za-z0-9+/]{43}$/ },
} as const;

export type CliTimeouts = CliDialect['timeouts'];

/** The dialect's deadlines, each capped by `SwitchConfig.timeoutMs` when one is given. */
export function cliTimeouts(d: CliDialect, timeoutMs: number | undefined): CliTimeouts {
  const cap = timeoutMs === undefined ? Infinity : resolveTimeout(timeoutMs);
  return {
    loginMs: Math.min(d.timeouts.loginMs, cap),
    commandMs: Math.min(d.timeouts.commandMs, cap),
    saveMs: Math.min(d.timeouts.saveMs, cap),
  };
}

/** A recorded host key: the same form as the option (never spliced anywhere, but held to it all the same). */
function assertTrustedHostKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!COMMON_OPTIONS.hostKeyFingerprint.pattern.test(key))
    throw new SwitchError('invalid', `the recorded host key ${JSON.stringify(key.slice(0, 80))} is not SHA256:…`);
  return key;
}

/**
 * A switch that hangs up before the login is done has, most often, no free session (every vty line or SSH session
 * of its limit taken, by us or by admins): say so, as `unreachable` (retried with backoff), not as a bare `closed`.
 */
function hungUpEarly(err: unknown): unknown {
  const early =
    isSwitchError(err, 'closed') ||
    (isSwitchError(err, 'unreachable') && /closed during login|before handshake/i.test(err.message));
  if (!early) return err;
  return new SwitchError(
    'unreachable',
    `${err.message}; the switch hung up before the login finished: it may have no free session (its session limit is reached): close other sessions to it or wait`,
    { cause: err },
  );
}

export interface CliDriverOptions {
  /** The transcript (debug level, secrets redacted). */
  readonly log?: CliLog;
}

export class CliSwitchDriver implements SwitchDriver {
  readonly type: string;
  private readonly caps: SwitchCapabilities;

  constructor(
    readonly dialect: CliDialect,
    private readonly o: CliDriverOptions = {},
  ) {
    this.type = dialect.type;
    this.caps = Object.freeze({
      trunk: true,
      nativeVlan: true,
      nativelessTrunk: true,
      parking: dialect.parking,
      interfacePattern: new RegExp(`(?=${INTERFACE_PATTERN.source})${dialect.interfacePattern.source}`),
    });
  }

  capabilities(): SwitchCapabilities {
    return this.caps;
  }

  async open(config: SwitchConfig): Promise<SwitchSession> {
    assertConfigBasics(config);
    const d = this.dialect;
    const timeouts = cliTimeouts(d, config.timeoutMs);
    const opts = resolveOptions<string>(config.options, { ...COMMON_OPTIONS, ...d.options });
    const transport = config.address.startsWith('telnet://') ? 'telnet' : 'ssh';
    if (!d.transports.includes(transport)) {
      throw new SwitchError(
        'invalid',
        `a ${d.type} switch is reached by ${d.transports.map((t) => `${t}://HOST[:PORT]`).join(' or ')}, not ${transport}`,
      );
    }
    const { host, port } =
      transport === 'telnet' ? parseTelnetAddress(config.address) : parseSshAddress(config.address);
    if (transport === 'telnet' && opts.hostKeyFingerprint !== undefined)
      throw new SwitchError('invalid', 'options.hostKeyFingerprint is for ssh:// addresses; telnet has no host key');
    // The key to hold the switch to: pinned in the options, else the one the caller recorded at the first login.
    // Telnet has no host key: one recorded while the switch was on SSH is not checked there (and the caller keeps it).
    const trusted =
      transport === 'ssh' ? (opts.hostKeyFingerprint ?? assertTrustedHostKey(config.trustedHostKey)) : undefined;
    const credentials = assertCredentials(config.credentials);
    if (!credentials)
      throw new SwitchError('invalid', `a ${d.type} switch needs credentials (spec.credentialsSecretRef)`);
    let parkingVlan: number | undefined = config.parkingVlan;
    if (d.parking === 'vlan' && d.parkingVlanOption) {
      const fromOption = opts[d.parkingVlanOption];
      const fromOptionVlan = fromOption === undefined ? undefined : assertParkingVlan(Number(fromOption));
      if (fromOptionVlan !== undefined && parkingVlan !== undefined && fromOptionVlan !== parkingVlan) {
        throw new SwitchError(
          'invalid',
          `options.${d.parkingVlanOption} (${fromOptionVlan}) and parkingVlan (${parkingVlan}) disagree: set one`,
        );
      }
      parkingVlan ??= fromOptionVlan;
      const max = d.maxVlan ?? 4094;
      if (parkingVlan === undefined || parkingVlan > max) {
        throw new SwitchError(
          'invalid',
          `a ${d.type} switch parks ports on a dummy VLAN: set options.${d.parkingVlanOption} (1-${max}) to a VLAN created and shut on the switch`,
        );
      }
    }
    const where = `${transport}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const secrets = [credentials.password, credentials.enablePassword ?? ''];
    const session = new CliSwitchSession(d, this.caps, parkingVlan, timeouts);
    await session.start(async () => {
      const shell: SshShell | TelnetShell =
        transport === 'telnet'
          ? await openTelnet({ host, port, timeoutMs: timeouts.loginMs })
          : await openSshShell({
              host,
              port,
              username: credentials.username,
              password: credentials.password,
              hostKeyFingerprint: trusted,
              hostKeySource:
                opts.hostKeyFingerprint !== undefined ? 'options.hostKeyFingerprint' : 'trusted since its first login',
              timeoutMs: timeouts.loginMs,
            }).catch((err: unknown) => {
              throw hungUpEarly(err);
            });
      if ('hostKeyFingerprint' in shell) session.hostKeyFingerprint = shell.hostKeyFingerprint;
      const cli = new CliSession(shell.stream, {
        dialect: d,
        commandTimeoutMs: timeouts.commandMs,
        loginTimeoutMs: timeouts.loginMs,
        log: this.o.log,
        where,
        secrets,
      });
      try {
        await cli.login(credentials);
      } catch (err) {
        cli.kill(err instanceof SwitchError ? err : new SwitchError('failed', String(err)));
        shell.close();
        throw hungUpEarly(err);
      }
      return { cli, close: () => shell.close() };
    });
    return session;
  }
}

export class CliSwitchSession implements SwitchSession {
  private readonly guard: SessionGuard;
  private cli: CliSession | undefined;
  private closeTransport: (() => void) | undefined;
  hostKeyFingerprint: string | undefined;
  /**
   * What the last readPorts read, for the apply that follows it in this session (the controller reads every port,
   * then applies the ones that differ): read once, not twice — a read is one command per port, 20 ms to seconds
   * each. Used by the next apply only, then forgotten.
   */
  private justRead = new Map<string, ObservedPort>();

  get closed(): boolean {
    return this.guard.closed || this.cli?.dead === true;
  }

  constructor(
    private readonly d: CliDialect,
    readonly capabilities: SwitchCapabilities,
    readonly parkingVlan: number | undefined,
    private readonly timeouts: CliTimeouts,
  ) {
    this.guard = new SessionGuard(
      timeouts.commandMs,
      () => this.drop(),
      () => (this.cli?.waitingFor === undefined ? undefined : `waiting for the answer to "${this.cli.waitingFor}"`),
    );
  }

  /**
   * A backstop for a call of `lines` commands: each has its own deadline already, so this only catches what those
   * cannot (a pager that never ends).
   */
  private budget(lines: number): number {
    return Math.min(3_600_000, this.timeouts.commandMs * Math.max(1, lines));
  }

  private drop(): void {
    this.cli?.close();
    this.closeTransport?.();
  }

  /** @internal Connects and logs in under the session's deadline. */
  async start(connect: () => Promise<{ cli: CliSession; close: () => void }>): Promise<void> {
    try {
      await this.guard.run(
        'login',
        async () => {
          const { cli, close } = await connect();
          this.cli = cli;
          this.closeTransport = close;
          if (this.guard.closed) this.drop();
        },
        this.timeouts.loginMs,
      );
    } catch (err) {
      this.guard.shutdown(err instanceof SwitchError ? err : undefined);
      throw err;
    }
  }

  private live(): CliSession {
    const cli = this.cli;
    if (!cli) throw new SwitchError('closed', 'not logged in');
    if (cli.dead) {
      const err = new SwitchError('closed', 'the connection to the switch is gone; open a new session');
      this.guard.shutdown(err);
      throw err;
    }
    return cli;
  }

  /** Runs `fn`; if it fails with the connection gone, the session is closed so that the caller opens a new one. */
  private async call<T>(what: string, deadlineMs: number, fn: (cli: CliSession) => Promise<T>): Promise<T> {
    try {
      return await this.guard.run(what, () => fn(this.live()), deadlineMs);
    } finally {
      // After the call has settled with its own error (a command's timeout, the switch's words), not before.
      if (this.cli?.dead) this.guard.shutdown(new SwitchError('closed', 'the connection to the switch was lost'));
    }
  }

  async readPorts(interfaces: readonly string[]): Promise<ObservedPort[]> {
    const names = assertInterfaceNames(interfaces, this.capabilities);
    return this.call('readPorts', this.budget(names.length), async (cli) => {
      const observed = await this.read(cli, names);
      this.justRead = new Map(observed.map((o) => [o.interface, o]));
      return observed;
    });
  }

  private async read(cli: CliSession, names: readonly string[]): Promise<ObservedPort[]> {
    const out: ObservedPort[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      try {
        const text = await cli.run(this.d.commands.readPort(name));
        out.push(this.d.parsePort(name, text, this.parkingVlan));
      } catch (err) {
        if (err instanceof CliCommandError && this.d.unknownPort.test(err.reply)) unknown.push(name);
        else throw err;
      }
    }
    if (unknown.length)
      throw new SwitchError('unknown-port', `the switch has no port ${unknown.join(', ')}`, { ports: unknown });
    return out;
  }

  async apply(changes: readonly PortChange[]): Promise<PortResult[]> {
    const valid = validateChanges(changes, this.capabilities, this.parkingVlan);
    const max = this.d.maxVlan;
    const over = max === undefined ? [] : valid.filter((c) => [c.native ?? 0, ...c.tagged].some((v) => v > max));
    if (over.length) {
      throw new SwitchError(
        'unsupported',
        `a ${this.d.type} switch takes VLANs 1-${max} only: ${over.map((c) => c.interface).join(', ')}`,
        { ports: over.map((c) => c.interface) },
      );
    }
    // A read and at most ~8 lines per port, plus config mode and the VLANs.
    return this.call('apply', this.budget(valid.length * 10 + 8), async (cli) => {
      const known = this.justRead;
      this.justRead = new Map();
      const unread = valid.map((c) => c.interface).filter((i) => !known.has(i));
      const read = new Map((await this.read(cli, unread)).map((o) => [o.interface, o]));
      const observed = valid.map((c) => known.get(c.interface) ?? read.get(c.interface)!);
      const todo = valid.map((c, i) => ({ change: c, observed: observed[i], write: !portInSync(c, observed[i]) }));
      const results: PortResult[] = todo.map((t) => ({ interface: t.change.interface, changed: false }));
      if (!todo.some((t) => t.write)) return results;
      const c = this.d.commands;
      await cli.run(c.configure);
      const vlans = new Set(
        todo
          .filter((t) => t.write)
          .flatMap((t) => [...(t.change.native === undefined ? [] : [t.change.native]), ...t.change.tagged]),
      );
      if (vlans.size) for (const line of c.createVlans([...vlans])) await cli.run(line);
      for (const [i, t] of todo.entries()) {
        if (!t.write) continue;
        try {
          await cli.run(c.interface(t.change.interface));
          try {
            for (const line of c.setPort(t.change, t.observed, this.parkingVlan)) await cli.run(line);
          } finally {
            if (!cli.dead) await cli.run(c.exitInterface);
          }
          results[i] = { interface: t.change.interface, changed: true };
        } catch (err) {
          // The switch refused a line of this port: its state is unknown, the others go on.
          if (!(err instanceof CliCommandError)) throw err;
          results[i] = {
            interface: t.change.interface,
            changed: true,
            error: { code: err.code, message: err.message },
          };
        }
      }
      await cli.run(c.end);
      return results;
    });
  }

  save(): Promise<void> {
    return this.call('save', this.timeouts.saveMs, async (cli) => {
      const out = await cli.run(this.d.commands.save, this.timeouts.saveMs);
      if (!this.d.saved.test(out)) {
        throw new SwitchError(
          'failed',
          `saving the configuration: the switch did not confirm it: ${out.replace(/\s+/g, ' ').trim().slice(0, 200)}`,
        );
      }
    });
  }

  async close(): Promise<void> {
    this.guard.shutdown();
  }
}
