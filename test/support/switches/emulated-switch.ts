// What every emulated CLI switch has, whatever its vendor: the running and startup configuration (ports and VLAN
// database), the knobs, and the servers that carry its shell: SSH always, telnet when asked (`listenTelnet`). A vendor
// emulator extends this with its prompts, its interpreter and its defaults; the shell itself is cli-shell.ts.
import { ShellHost, type CliInterpreter, type CliReply, type EmulatorKnobs, type ShellState } from './cli-shell.js';
import { SshCliServer } from './ssh-cli-server.js';
import { cloneState, expandPorts, type PortConfig, type SwitchConfigState } from './switch-state.js';
import { TelnetCliServer } from './telnet-cli-server.js';

/** Knobs every emulator starts from; vendors override what differs (privilege at login, auth methods). */
export const DEFAULT_KNOBS: EmulatorKnobs = {
  username: 'admin',
  password: 'secret',
  startUnprivileged: false,
  shellLogin: false,
  authMethods: ['password', 'keyboard-interactive'],
  loginLatencyMs: 0,
  commandLatencyMs: 0,
  pageLines: 24,
};

export abstract class EmulatedSwitch implements CliInterpreter {
  readonly running: SwitchConfigState;
  startup: SwitchConfigState;
  readonly host: ShellHost;
  /** The SSH server (always listening after `start`). */
  readonly server: SshCliServer;
  /** The telnet server, listening after `listenTelnet()`. */
  readonly telnet: TelnetCliServer;
  private telnetListening = false;

  abstract readonly more: string;
  abstract readonly refusal: string;
  abstract prompt(shell: ShellState): string;
  abstract execute(shell: ShellState, line: string): CliReply;

  constructor(ports: string, factoryPort: () => PortConfig, knobs: EmulatorKnobs) {
    this.running = { ports: new Map(expandPorts(ports).map((p) => [p, factoryPort()])), vlans: new Set([1]) };
    this.startup = cloneState(this.running);
    this.host = new ShellHost(this, knobs);
    this.server = new SshCliServer(this.host);
    this.telnet = new TelnetCliServer(this.host);
  }

  get knobs(): EmulatorKnobs {
    return this.host.knobs;
  }

  /** Drops every session (SSH and telnet), as the switch's idle timeout (exec-timeout) does; keeps listening. */
  hangUp(): void {
    this.server.hangUp();
    if (this.telnetListening) this.telnet.hangUp();
  }

  /**
   * The switch presents a new SSH host key from now on (replaced, or someone in its place); open sessions are
   * dropped. Telnet has no host key: it is not touched.
   */
  rekey(): void {
    this.server.rekey();
  }

  async listenTelnet(): Promise<this> {
    if (!this.telnetListening) await this.telnet.listen();
    this.telnetListening = true;
    return this;
  }

  /** Stops both servers and drops every connection. */
  async close(): Promise<void> {
    await this.server.close();
    if (this.telnetListening) await this.telnet.close();
    this.telnetListening = false;
  }
}
