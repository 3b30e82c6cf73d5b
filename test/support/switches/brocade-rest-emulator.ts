// An emulated Brocade VDX (Network OS) REST API: the interface resources under
// `/rest/config/running/interface/<type>/"<port>"` (shutdown, switchport, mode, trunk native and allowed VLANs),
// `interface Vlan` creation, and the copy-config operation, over the running config and a startup config, with NOS's
// error bodies. As documented: POST creates a child (409 when it exists), PUT sets, DELETE removes (404 when absent);
// a VLAN must exist before a port is put on it; a fresh port is no switchport and shut down.
import { parseXml, textAt, escapeXml, type XmlElement } from '../../../drivers/switch/rest/xml.js';
import {
  HttpSwitchServer,
  type HttpKnobs,
  type RestHandler,
  type RestRequestInfo,
  type RestResponse,
} from './http-switch-server.js';
import {
  cloneState,
  expandPorts,
  formatVlans,
  parseVlans,
  type PortConfig,
  type SwitchConfigState,
} from './switch-state.js';

const NS = 'urn:brocade.com:mgmt:brocade-interface';

function errors(status: number, tag: string, message: string): RestResponse {
  return {
    status,
    body:
      `<errors xmlns="http://brocade.com/ns/rest"><error><error-type>application</error-type>` +
      `<error-tag>${tag}</error-tag><error-message>${escapeXml(message)}</error-message></error></errors>`,
  };
}

const ok = (status = 204): RestResponse => ({ status });

export class BrocadeRestEmulator implements RestHandler {
  readonly running: SwitchConfigState;
  startup: SwitchConfigState;
  saves = 0;
  private copySession = 0;
  private copyPolls = new Map<number, number>();
  server!: HttpSwitchServer;
  readonly unauthorized =
    '<errors xmlns="http://brocade.com/ns/rest"><error><error-message>Authentication failed</error-message></error></errors>';

  private constructor(
    ports: string,
    readonly interfaceType: string,
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
    this.running = { ports: map, vlans: new Set([1]) };
    this.startup = cloneState(this.running);
  }

  /** Starts one with these ports (`1/0/1-48`), all fresh (no switchport, shut down). */
  static async start(
    ports: string,
    knobs: Partial<HttpKnobs> = {},
    interfaceType = 'TenGigabitEthernet',
  ): Promise<BrocadeRestEmulator> {
    const emu = new BrocadeRestEmulator(ports, interfaceType);
    emu.server = await HttpSwitchServer.start(emu, knobs);
    return emu;
  }

  refusal(req: RestRequestInfo): RestResponse {
    return errors(400, 'invalid-value', `%Error: ${req.method} refused by the emulator's refuse knob`);
  }

  isWrite(req: RestRequestInfo): boolean {
    return req.method !== 'GET' && !req.path.startsWith('/rest/operations/');
  }

  /** The port's running config as NOS would show it (`show running-config interface`), for tests. */
  render(port: string, state: SwitchConfigState = this.running): string {
    const p = state.ports.get(port);
    if (!p) return '';
    const lines = [`interface ${this.interfaceType} ${port}`];
    if (!p.routed) {
      lines.push(' switchport', ` switchport mode ${p.mode}`);
      if (p.mode === 'access') lines.push(` switchport access vlan ${p.accessVlan}`);
      if (p.allowed !== 'all' && p.allowed.size)
        lines.push(` switchport trunk allowed vlan add ${formatVlans(p.allowed)}`);
      if (p.allowed === 'all') lines.push(' switchport trunk allowed vlan all');
      if (p.nativeVlan !== 'none') lines.push(` switchport trunk native-vlan ${p.nativeVlan}`);
    }
    lines.push(p.shutdown ? ' shutdown' : ' no shutdown');
    return lines.join('\n');
  }

  private body(req: RestRequestInfo): XmlElement | RestResponse {
    try {
      return parseXml(req.body);
    } catch (err) {
      return errors(400, 'malformed-message', `malformed XML: ${(err as Error).message}`);
    }
  }

  handle(req: RestRequestInfo): RestResponse {
    const { method, path } = req;
    if (path === '/rest' || path === '/rest/') {
      if (method !== 'GET') return errors(405, 'operation-not-supported', 'method not allowed');
      return {
        status: 200,
        body: `<Root xmlns:y="http://brocade.com/ns/rest" y:self="/rest"><config/><operational-state/><operations/></Root>`,
      };
    }
    if (path === '/rest/config/running/interface' && method === 'POST') {
      const b = this.body(req);
      if (!('local' in b)) return b;
      const name = b.local === 'Vlan' ? textAt(b, 'name') : undefined;
      const vlan = Number(name);
      if (!name || !/^\d{1,4}$/.test(name) || vlan < 1 || vlan > 4094)
        return errors(400, 'invalid-value', `%Error: Invalid VLAN ${name ?? ''}`.trim());
      if (this.running.vlans.has(vlan)) return errors(409, 'data-exists', `Vlan ${vlan} already exists`);
      this.running.vlans.add(vlan);
      return ok(201);
    }
    if (path === '/rest/operations/bna-config-cmd' && method === 'POST') {
      const b = this.body(req);
      if (!('local' in b)) return b;
      if (textAt(b, 'src') !== 'running-config' || textAt(b, 'dest') !== 'startup-config')
        return errors(400, 'invalid-value', 'only running-config to startup-config is emulated');
      this.startup = cloneState(this.running);
      this.saves++;
      const id = ++this.copySession;
      this.copyPolls.set(id, 0);
      return { status: 200, body: `<output><session-id>${id}</session-id><status>in-progress</status></output>` };
    }
    if (path === '/rest/operations/bna-config-cmd-status' && method === 'POST') {
      const b = this.body(req);
      if (!('local' in b)) return b;
      const id = Number(textAt(b, 'session-id'));
      if (!this.copyPolls.has(id)) return errors(400, 'invalid-value', `no copy session ${id}`);
      return {
        status: 200,
        body: `<output><status>completed</status><status-string>Copy completed</status-string></output>`,
      };
    }
    const m = /^\/rest\/config\/running\/interface\/([A-Za-z]+)\/%22([^/%]+(?:(?:\/|%2F)[^/%]+)*?)%22(\/.*)?$/.exec(
      path,
    );
    if (!m) return errors(404, 'invalid-value', `no such resource ${path}`);
    const port = decodeURIComponent(m[2]);
    const p = this.running.ports.get(port);
    if (m[1] !== this.interfaceType || !p)
      return errors(404, 'invalid-value', `%Error: ${m[1]} ${port} does not exist`);
    return this.port(req, port, p, m[3] ?? '');
  }

  private port(req: RestRequestInfo, port: string, p: PortConfig, suffix: string): RestResponse {
    const { method } = req;
    const x = (inner: string) => `<${this.interfaceType} xmlns="${NS}">${inner}</${this.interfaceType}>`;
    const needSwitchport = () =>
      p.routed
        ? errors(400, 'invalid-value', `%Error: Interface ${port} is not configured as a switchport`)
        : undefined;
    const vlanExists = (v: number) =>
      this.running.vlans.has(v) ? undefined : errors(400, 'invalid-value', `%Error: VLAN ${v} does not exist`);
    switch (`${method} ${suffix}`) {
      case 'GET ':
        return {
          status: 200,
          body: x(
            `<name>${port}</name>${p.shutdown ? '<shutdown>true</shutdown>' : ''}${p.routed ? '' : '<switchport/>'}`,
          ),
        };
      case 'POST ': {
        const b = this.body(req);
        if (!('local' in b)) return b;
        if (b.local === 'shutdown') {
          if (p.shutdown) return errors(409, 'data-exists', 'shutdown already exists');
          p.shutdown = true;
          return ok(201);
        }
        if (b.local === 'switchport') {
          if (!p.routed) return errors(409, 'data-exists', 'switchport already exists');
          Object.assign(p, { routed: false, mode: 'access', accessVlan: 1, nativeVlan: 'none', allowed: new Set() });
          return ok(201);
        }
        return errors(400, 'unknown-element', `unknown element ${b.local}`);
      }
      case 'DELETE /shutdown':
        if (!p.shutdown) return errors(404, 'data-missing', 'shutdown does not exist');
        p.shutdown = false;
        return ok();
      case 'GET /switchport/mode':
        if (p.routed) return errors(404, 'data-missing', 'mode does not exist');
        return { status: 200, body: `<mode xmlns="${NS}"><vlan-mode>${p.mode}</vlan-mode></mode>` };
      case 'PUT /switchport/mode': {
        const b = this.body(req);
        if (!('local' in b)) return b;
        const mode = textAt(b, 'vlan-mode');
        if (b.local !== 'mode' || (mode !== 'access' && mode !== 'trunk'))
          return errors(400, 'invalid-value', `%Error: invalid vlan-mode ${mode ?? ''}`);
        const e = needSwitchport();
        if (e) return e;
        p.mode = mode;
        return ok();
      }
      case 'GET /switchport/trunk': {
        if (p.routed) return errors(404, 'data-missing', 'trunk does not exist');
        const allowed =
          p.allowed === 'all'
            ? '<allowed><vlan><all>true</all></vlan></allowed>'
            : p.allowed.size
              ? `<allowed><vlan><add>${formatVlans(p.allowed)}</add></vlan></allowed>`
              : '';
        const native = p.nativeVlan === 'none' ? '' : `<native-vlan>${p.nativeVlan}</native-vlan>`;
        return { status: 200, body: `<trunk xmlns="${NS}">${allowed}${native}</trunk>` };
      }
      case 'PUT /switchport/trunk': {
        const b = this.body(req);
        if (!('local' in b)) return b;
        const e = needSwitchport();
        if (e) return e;
        if (p.mode !== 'trunk') return errors(400, 'invalid-value', `%Error: Interface ${port} is not in trunk mode`);
        const v = Number(textAt(b, 'native-vlan'));
        if (b.local !== 'trunk' || !Number.isInteger(v) || v < 1 || v > 4094)
          return errors(400, 'invalid-value', '%Error: invalid native-vlan');
        const missing = vlanExists(v);
        if (missing) return missing;
        p.nativeVlan = v;
        return ok();
      }
      case 'DELETE /switchport/trunk/native-vlan':
        if (p.routed || p.nativeVlan === 'none') return errors(404, 'data-missing', 'native-vlan does not exist');
        p.nativeVlan = 'none';
        return ok();
      case 'DELETE /switchport/trunk/tag/native-vlan':
        // Native VLAN tagging is never turned on here.
        return errors(404, 'data-missing', 'native-vlan does not exist');
      case 'PUT /switchport/trunk/allowed/vlan': {
        const b = this.body(req);
        if (!('local' in b)) return b;
        const e = needSwitchport();
        if (e) return e;
        if (p.mode !== 'trunk') return errors(400, 'invalid-value', `%Error: Interface ${port} is not in trunk mode`);
        const op = b.local === 'vlan' ? b.children[0] : undefined;
        if (!op || b.children.length !== 1) return errors(400, 'malformed-message', 'one of add, remove, all, none');
        if (op.local === 'none' || op.local === 'all') {
          p.allowed = op.local === 'all' ? 'all' : new Set();
          return ok();
        }
        const list = parseVlans(op.text.trim());
        if (!list) return errors(400, 'invalid-value', `%Error: invalid VLAN list ${op.text.trim()}`);
        if (op.local === 'add') {
          for (const v of list) {
            const missing = vlanExists(v);
            if (missing) return missing;
          }
          const set = p.allowed === 'all' ? new Set<number>() : p.allowed;
          list.forEach((v) => set.add(v));
          p.allowed = set;
          return ok();
        }
        if (op.local === 'remove') {
          if (p.allowed !== 'all') list.forEach((v) => (p.allowed as Set<number>).delete(v));
          return ok();
        }
        return errors(400, 'unknown-element', `unknown element ${op.local}`);
      }
      default:
        return errors(
          method === 'GET' ? 404 : 405,
          'operation-not-supported',
          `${method} ${suffix || '/'} is not supported here`,
        );
    }
  }
}
