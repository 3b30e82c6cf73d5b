// An emulated Dell Networking OS 9 REST API: the interface resources under `/api/running/dell/interfaces/interface/`
// (portmode hybrid, switchport, shutdown; `?with-defaults` shows default leaves) and the CLI-over-REST operation
// `/api/running/dell/_operations/cli` (config-commands for `interface vlan N` with `untagged`/`tagged`, the
// `show interfaces switchport` show-command, the `write memory` exec-command), over the running config and a startup
// config, with OS9's rules and refusals: a switchport is untagged on the default VLAN 1 until untagged elsewhere; a
// port is untagged in one VLAN only; `no switchport` is refused while the port is in a non-default VLAN; commands are
// at most 1000 characters; a failing command stops the request with its `% Error` text (the lines before it stay).
import { escapeXml, parseXml, textAt, child } from '../../../drivers/switch/rest/xml.js';
import {
  HttpSwitchServer,
  type HttpKnobs,
  type RestHandler,
  type RestRequestInfo,
  type RestResponse,
} from './http-switch-server.js';
import { cloneState, expandPorts, formatVlans, type PortConfig, type SwitchConfigState } from './switch-state.js';

const NS = 'http://www.dell.com/ns/dell:0.1/root';
const DEFAULT_VLAN = 1;
const PREFIX: Record<string, string> = {
  GigabitEthernet: 'gige-',
  TenGigabitEthernet: 'tengig-',
  fortyGigE: 'fortygig-',
};

function errors(status: number, tag: string, message: string): RestResponse {
  return {
    status,
    body:
      `<errors xmlns="http://tail-f.com/ns/tailf-rest-error"><error><error-tag>${tag}</error-tag>` +
      `<error-message>${escapeXml(message)}</error-message></error></errors>`,
  };
}

const output = (text: string): RestResponse => ({
  status: 200,
  body: `<output xmlns='${NS}'>\n<command>${escapeXml(text)}</command>\n</output>\n`,
});

class CliError extends Error {}

export class DellNos9RestEmulator implements RestHandler {
  readonly running: SwitchConfigState;
  startup: SwitchConfigState;
  saves = 0;
  /** Every config-commands request's lines, for tests (how many requests a batch took). */
  readonly configRequests: string[][] = [];
  /** Every show-command, for tests (how many a read took). */
  readonly shows: string[] = [];
  server!: HttpSwitchServer;
  readonly unauthorized = `<errors xmlns="http://tail-f.com/ns/tailf-rest-error"><error><error-tag>access-denied</error-tag><error-message>access denied</error-message></error></errors>`;

  private constructor(
    ports: string,
    readonly interfaceType: string,
    readonly hostname = 'S3048-ON',
  ) {
    const map = new Map<string, PortConfig>();
    for (const p of expandPorts(ports))
      map.set(p, {
        routed: true,
        mode: 'access',
        accessVlan: 1,
        nativeVlan: 'none',
        allowed: new Set(),
        shutdown: true,
      });
    this.running = { ports: map, vlans: new Set([DEFAULT_VLAN]) };
    this.startup = cloneState(this.running);
  }

  /** Starts one with these ports (`1/1-48`), all fresh (no switchport, shut down). */
  static async start(ports: string, knobs: Partial<HttpKnobs> = {}, interfaceType = 'TenGigabitEthernet') {
    const emu = new DellNos9RestEmulator(ports, interfaceType);
    emu.server = await HttpSwitchServer.start(emu, knobs);
    return emu;
  }

  refusal(req: RestRequestInfo): RestResponse {
    return errors(400, 'operation-failed', `% Error: ${req.method} refused by the emulator's refuse knob.`);
  }

  isWrite(req: RestRequestInfo): boolean {
    return req.method !== 'GET' && !/<show-command>/.test(req.body);
  }

  /** The port as OS9 shows it: its interface config and its VLAN membership, for tests. */
  render(port: string, state: SwitchConfigState = this.running): string {
    const p = state.ports.get(port);
    if (!p) return '';
    const lines = [`interface ${this.interfaceType} ${port}`];
    if (p.mode === 'general') lines.push(' portmode hybrid');
    lines.push(p.routed ? ' no switchport' : ' switchport', p.shutdown ? ' shutdown' : ' no shutdown');
    if (!p.routed)
      lines.push(` untagged ${p.nativeVlan}`, ` tagged ${p.allowed === 'all' ? 'all' : formatVlans(p.allowed)}`);
    return lines.join('\n');
  }

  private portOfApiName(name: string): [string, PortConfig] | undefined {
    const prefix = PREFIX[this.interfaceType];
    if (!name.startsWith(prefix)) return undefined;
    const port = name.slice(prefix.length).replace(/-/g, '/');
    const p = this.running.ports.get(port);
    return p ? [port, p] : undefined;
  }

  handle(req: RestRequestInfo): RestResponse {
    const { method, path } = req;
    if (path === '/api' && method === 'GET')
      return {
        status: 200,
        body: `<api xmlns="http://tail-f.com/ns/rest"><version>0.5</version><config/><running/><operational/><operations/></api>`,
      };
    const m = /^\/api\/running\/dell\/interfaces\/interface\/([a-z]+-[0-9-]+)$/.exec(path);
    if (m) {
      const found = this.portOfApiName(m[1]);
      if (!found) return errors(404, 'data-missing', `no interface ${m[1]}`);
      if (method === 'GET') return this.getInterface(m[1], found[1], /(^|&)with-defaults/.test(req.query));
      if (method === 'PUT') return this.putInterface(m[1], found[0], found[1], req.body);
      return errors(405, 'operation-not-supported', `${method} is not supported here`);
    }
    if (path === '/api/running/dell/_operations/cli' && method === 'POST') return this.cli(req.body);
    return errors(404, 'data-missing', `no such resource ${path}`);
  }

  private getInterface(name: string, p: PortConfig, withDefaults: boolean): RestResponse {
    const hybrid = p.mode === 'general';
    let inner = `<name>${name}</name>`;
    if (hybrid || withDefaults) inner += `<portmode><hybrid>${hybrid}</hybrid></portmode>`;
    if (!p.routed) inner += '<switchport/>';
    // Shut down is the default: shown only with ?with-defaults (why the driver asks for it).
    if (!p.shutdown || withDefaults) inner += `<shutdown>${p.shutdown}</shutdown>`;
    return { status: 200, body: `<interface xmlns="${NS}">${inner}</interface>` };
  }

  private putInterface(name: string, port: string, p: PortConfig, body: string): RestResponse {
    let x;
    try {
      x = parseXml(body);
    } catch (err) {
      return errors(400, 'malformed-message', (err as Error).message);
    }
    if (x.local !== 'interface' || textAt(x, 'name') !== name)
      return errors(400, 'malformed-message', 'the body must be the <interface> named in the URL');
    const switchport = child(x, 'switchport') !== undefined;
    const hybrid = textAt(x, 'portmode', 'hybrid') === 'true';
    const shutdown = textAt(x, 'shutdown') !== 'false';
    if (!switchport && !p.routed) {
      const tagged = p.allowed !== 'all' && p.allowed.size > 0;
      const untaggedElsewhere = p.nativeVlan !== 'none' && p.nativeVlan !== DEFAULT_VLAN;
      if (tagged || untaggedElsewhere)
        return errors(400, 'invalid-value', `% Error: ${this.interfaceType} ${port} is part of a non-default VLAN.`);
    }
    if (switchport && p.routed) Object.assign(p, { routed: false, nativeVlan: DEFAULT_VLAN, allowed: new Set() });
    if (!switchport) Object.assign(p, { routed: true, nativeVlan: 'none', allowed: new Set() });
    p.mode = hybrid ? 'general' : 'access';
    p.shutdown = shutdown;
    return { status: 204 };
  }

  private cli(body: string): RestResponse {
    let input;
    try {
      input = parseXml(body);
    } catch (err) {
      return errors(400, 'malformed-message', (err as Error).message);
    }
    if (input.local !== 'input' || input.children.length !== 1)
      return errors(400, 'malformed-message', 'exactly one command element inside <input>');
    const cmd = input.children[0];
    const text = cmd.text;
    if (text.length > 1000) return errors(400, 'invalid-value', 'commands are limited to 1000 characters');
    if (cmd.local === 'show-command') {
      this.shows.push(text.trim());
      return this.show(text.trim());
    }
    if (cmd.local === 'exec-command') {
      if (text.trim() !== 'write memory' && text.trim() !== 'write')
        return errors(400, 'invalid-value', `% Error: Invalid input at "^" marker.`);
      this.startup = cloneState(this.running);
      this.saves++;
      return output(
        `${this.hostname}#write memory\n!\nCopied running-config to startup-config in flash by rest\n${this.hostname}#`,
      );
    }
    if (cmd.local !== 'config-commands') return errors(400, 'malformed-message', `unknown command kind ${cmd.local}`);
    // Lines end with \r\n: as real characters, or written out (the documentation's samples).
    const lines = text
      .split(/\\r\\n|\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    this.configRequests.push(lines);
    const transcript = ['conf'];
    let vlan: number | undefined;
    for (const line of lines) {
      transcript.push(`${this.hostname}(conf${vlan ? `-if-vl-${vlan}` : ''})#${line}`);
      try {
        vlan = this.configLine(line, vlan);
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        return errors(400, 'operation-failed', err.message);
      }
    }
    transcript.push(`${this.hostname}(conf${vlan ? `-if-vl-${vlan}` : ''})#end`, `${this.hostname}#`);
    return output(transcript.join('\n'));
  }

  private member(type: string, port: string): PortConfig {
    const p = this.running.ports.get(port);
    if (type !== this.interfaceType || !p) throw new CliError(`% Error: No such interface ${type} ${port}.`);
    if (p.routed) throw new CliError(`% Error: ${type} ${port} Port is not in Layer-2 mode.`);
    return p;
  }

  /** One config line; returns the `interface vlan` now being configured. */
  private configLine(line: string, vlan: number | undefined): number | undefined {
    let m = /^interface vlan (\d{1,4})$/.exec(line);
    if (m) {
      const v = Number(m[1]);
      if (v < 1 || v > 4094) throw new CliError('% Error: Invalid VLAN id.');
      this.running.vlans.add(v);
      return v;
    }
    m = /^(no )?(untagged|tagged) (\S+) (\d+\/\d+(?:\/\d+)?)$/.exec(line);
    if (!m || vlan === undefined) throw new CliError(`% Error: Invalid input at "^" marker.`);
    const [, no, kind, type, port] = m;
    const p = this.member(type, port);
    const tagged = p.allowed === 'all' ? new Set<number>() : p.allowed;
    if (kind === 'untagged') {
      if (no) {
        if (p.nativeVlan === vlan) p.nativeVlan = DEFAULT_VLAN; // back on the default VLAN
        return vlan;
      }
      if (tagged.has(vlan)) throw new CliError(`% Error: ${type} ${port} is already tagged in Vlan ${vlan}.`);
      if (p.nativeVlan !== 'none' && p.nativeVlan !== DEFAULT_VLAN && p.nativeVlan !== vlan)
        throw new CliError(`% Error: ${type} ${port} Port is untagged in another Vlan.`);
      if (p.mode !== 'general' && tagged.size)
        throw new CliError(`% Error: ${type} ${port} Port is not in hybrid mode.`);
      p.nativeVlan = vlan;
      return vlan;
    }
    if (no) {
      tagged.delete(vlan);
      p.allowed = tagged;
      return vlan;
    }
    if (p.nativeVlan === vlan) throw new CliError(`% Error: ${type} ${port} is already untagged in Vlan ${vlan}.`);
    if (p.mode !== 'general' && p.nativeVlan !== 'none' && p.nativeVlan !== DEFAULT_VLAN)
      throw new CliError(`% Error: ${type} ${port} Port is not in hybrid mode.`);
    tagged.add(vlan);
    p.allowed = tagged;
    return vlan;
  }

  /** `show interfaces switchport [TYPE PORT]`: one port, or every layer-2 port, one block each. */
  private show(command: string): RestResponse {
    const all = command === 'interfaces switchport';
    const m = /^interfaces switchport (\S+) (\d+\/\d+(?:\/\d+)?)$/.exec(command);
    if (!m && !all) return errors(400, 'invalid-value', `% Error: Invalid input at "^" marker.`);
    if (m && (m[1] !== this.interfaceType || !this.running.ports.has(m[2])))
      return errors(400, 'invalid-value', `% Error: No such interface ${m[1]} ${m[2]}.`);
    const ports = m ? [m[2]] : [...this.running.ports.keys()].filter((n) => !this.running.ports.get(n)!.routed);
    const text = [
      `show ${command}`,
      '',
      'Codes:  U - Untagged, T - Tagged',
      '        x - Dot1x untagged, X - Dot1x tagged',
      '        G - GVRP tagged, M - Trunk',
      '        i - Internal untagged, I - Internal tagged, v - VLT untagged, V - VLT tagged',
      '',
      ...ports.flatMap((name) => this.block(name)),
      `${this.hostname}#`,
    ];
    return output(text.join('\n'));
  }

  private block(name: string): string[] {
    const p = this.running.ports.get(name)!;
    const rows: string[] = [];
    if (!p.routed && p.nativeVlan !== 'none') rows.push(`U       ${p.nativeVlan}`);
    if (!p.routed && p.allowed !== 'all' && p.allowed.size) {
      // Long lists wrap onto continuation rows, as the switch prints them.
      const list = formatVlans(p.allowed);
      const parts = list.match(/.{1,40}(,|$)/g) ?? [list];
      rows.push(`T       ${parts[0]}`, ...parts.slice(1).map((x) => `        ${x}`));
    }
    return [
      `Name: ${this.interfaceType} ${name}`,
      `802.1QTagged: ${p.mode === 'general' ? 'Hybrid' : 'True'}`,
      'Vlan membership:',
      'Q       Vlans',
      ...rows,
      '',
      `Native VlanId:     ${p.nativeVlan === 'none' ? DEFAULT_VLAN : p.nativeVlan}.`,
      '',
    ];
  }
}
