// Dell Networking OS 9 (HIL's `dellnos9`, e.g. S3048-ON), over its REST API (port 8008 http, 8888 https): the
// interface resource `/api/running/dell/interfaces/interface/<prefix><port, / as ->` to switch a port on (a hybrid
// switchport, not shut down) or off (no switchport, shut down), and the CLI-over-REST operation
// `/api/running/dell/_operations/cli` (`<input><config-commands|show-command|exec-command>`) for VLAN membership,
// which OS9 keeps under `interface vlan N` (`untagged`/`tagged <type> <port>`). A port with no network is taken out
// of every VLAN and switched off: OS9 puts a switchport with no untagged VLAN back on the default VLAN, so parking
// means no switchport and shut down.
//
// HIL's requests (hil/ext/switches/dellnos9.py), batched: every port's membership changes of a batch go in as few
// config-commands requests as the documented 1000-character limit allows, removals first (OS9 refuses an untagged
// port in a second VLAN), and `write memory` saves once per batch (HIL never saved).
import { SwitchError } from '../../errors.js';
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList } from '../../cli/dialect.js';
import {
  eachLimited,
  REQUESTS_IN_FLIGHT,
  type PlanItem,
  type RestContext,
  type RestDialect,
  type RestPhase,
  type RestPortState,
  type RestRequest,
  type RestSend,
} from '../rest-dialect.js';
import { child, el, parseXml, textAt } from '../xml.js';

const CLI = '/api/running/dell/_operations/cli';
/** OS9's default VLAN: every switchport is untagged there until it is untagged in another one. */
const DEFAULT_VLAN = 1;
/** The documented maximum length of the commands in one REST CLI request. */
const MAX_COMMANDS = 1000;
/** How OS9 separates the lines of one config-commands request (its documentation and HIL's driver). */
const LINE = '\r\n';

/** `TenGigabitEthernet` → `tengig-`: the interface-name prefix of the REST API, per CLI type. */
const PREFIXES: Readonly<Record<string, string>> = {
  GigabitEthernet: 'gige-',
  TenGigabitEthernet: 'tengig-',
  TwentyfiveGigabitEthernet: 'twentyfivegig-',
  fortyGigE: 'fortygig-',
  peGigabitEthernet: 'pegig-',
  FiftyGigabitEthernet: 'fiftygig-',
  HundredGigabitEthernet: 'hundredgig-',
};

function apiName(ctx: RestContext, port: string): string {
  return `${PREFIXES[ctx.interfaceType]}${port.replace(/\//g, '-')}`;
}

function portPath(ctx: RestContext, port: string): string {
  return `/api/running/dell/interfaces/interface/${apiName(ctx, port)}`;
}

/** The body of a CLI-over-REST request. */
export function cliInput(kind: 'config-commands' | 'show-command' | 'exec-command', commands: string): string {
  return el('input', el(kind, commands)).xml;
}

/** The text of a CLI-over-REST reply (`<output><command>…</command></output>`). */
export function cliOutput(body: string): string {
  return textAt(parseXml(body), 'command') ?? '';
}

/** OS9's refusals inside a CLI reply (`% Error: …`), as its own words; undefined when there is none. */
export function cliRefusal(body: string): string | undefined {
  let text: string;
  try {
    text = cliOutput(body);
  } catch {
    return undefined;
  }
  const errors = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^% ?(Error|Invalid)/i.test(l));
  return errors.length ? `the switch refused a command: ${errors.join('; ')}` : undefined;
}

/**
 * The VLAN membership in the output of `show interfaces switchport <type> <port>`: the `U` (untagged) and `T`
 * (tagged) rows under `Vlan membership`, continuation rows included.
 */
export function parseSwitchport(text: string): { untagged: number[]; tagged: number[] } | undefined {
  const rows: { code: string; list: string }[] = [];
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^Vlan membership:?$/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    if (/^Q\s+Vlans$/i.test(line)) continue;
    const row = /^([A-Za-z])\s+([\d,\s-]+)$/.exec(line);
    const list = (t: string) =>
      t
        .trim()
        .replace(/\s*,\s*/g, ',')
        .replace(/\s+/g, ',');
    if (row) rows.push({ code: row[1], list: list(row[2]) });
    else if (/^[\d,\s-]+$/.test(line) && rows.length) rows[rows.length - 1].list += `,${list(line)}`;
    else if (line !== '') inTable = false;
  }
  const untagged: number[] = [];
  const tagged: number[] = [];
  for (const r of rows) {
    const list = parseVlanList(r.list.replace(/,+/g, ',').replace(/^,|,$/g, ''));
    if (!list) return undefined;
    if (r.code === 'U') untagged.push(...list);
    else if (r.code === 'T') tagged.push(...list);
  }
  return { untagged, tagged: [...new Set(tagged)].sort((a, b) => a - b) };
}

/** Reading more switchports than this takes one `show interfaces switchport` of every port instead of one each. */
const SHOW_ALL_FROM = 4;

/** The blocks of `show interfaces switchport` (every port), by the name after `Name:` (`TenGigabitEthernet 1/1`). */
export function splitByName(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, ['Name: ' + name, ...lines].join('\n'));
  };
  for (const line of text.split('\n')) {
    const m = /^\s*Name:\s*(.+?)\s*$/.exec(line);
    if (m) {
      flush();
      name = m[1].replace(/\s+/g, ' ');
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

interface InterfaceState {
  readonly shutdown: boolean;
  readonly switchport: boolean;
  readonly hybrid: boolean;
}

/** The interface resource (`?with-defaults`: OS9 leaves default leaves out, shut down among them). */
async function readInterface(port: string, ctx: RestContext, send: RestSend): Promise<InterfaceState | undefined> {
  const r = await send('GET', `${portPath(ctx, port)}?with-defaults`, undefined, [404]);
  if (r.status === 404) return undefined;
  const iface = parseXml(r.body);
  return {
    shutdown: textAt(iface, 'shutdown') !== 'false',
    switchport: child(iface, 'switchport') !== undefined,
    hybrid: textAt(iface, 'portmode', 'hybrid') === 'true',
  };
}

/** A port's state from its interface resource and its block of `show interfaces switchport` (switchports only). */
function portState(port: string, f: InterfaceState, shown: string | undefined): RestPortState {
  const { shutdown } = f;
  const odd = (mode: string, anomaly: string, more: Partial<ObservedPort> = {}): RestPortState => ({
    mode,
    observed: { interface: port, tagged: [], parked: false, shutdown, anomaly, ...more },
  });
  if (!f.switchport) {
    if (shutdown) return { mode: 'routed', observed: { interface: port, tagged: [], parked: true, shutdown } };
    return odd('routed', 'a layer-3 port (no switchport) that is not shut down');
  }
  const mode = f.hybrid ? 'hybrid' : 'access';
  const membership = shown === undefined ? undefined : parseSwitchport(shown);
  if (!membership) return odd(mode, 'unreadable VLAN membership');
  const { untagged, tagged } = membership;
  if (untagged.length > 1) return odd(mode, `untagged in several VLANs (${untagged.join(',')})`);
  // Untagged on the default VLAN is where OS9 puts a switchport given no VLAN: it reads as native 1.
  const native = untagged[0];
  const base = { interface: port, ...(native === undefined ? {} : { native }), tagged, shutdown };
  if (!f.hybrid) return odd(mode, 'a switchport without portmode hybrid (this driver sets up hybrid ports)', base);
  if (native !== undefined && tagged.includes(native)) return odd(mode, `VLAN ${native} both untagged and tagged`);
  return { mode, observed: { ...base, parked: false } };
}

async function readPorts(ports: readonly string[], ctx: RestContext, send: RestSend) {
  const ifaces: (InterfaceState | undefined)[] = new Array(ports.length);
  await eachLimited([...ports.keys()], REQUESTS_IN_FLIGHT, async (i) => {
    ifaces[i] = await readInterface(ports[i], ctx, send);
  });
  const show = async (what: string) =>
    cliOutput((await send('POST', CLI, cliInput('show-command', `interfaces switchport${what}`))).body);
  // Many ports: one show of them all (OS9's CLI over REST is slow), each port's block found by its name.
  const all = ifaces.filter((f) => f?.switchport).length >= SHOW_ALL_FROM ? splitByName(await show('')) : undefined;
  const out: (RestPortState | undefined)[] = new Array(ports.length);
  await eachLimited([...ports.keys()], REQUESTS_IN_FLIGHT, async (i) => {
    const f = ifaces[i];
    if (!f) return;
    const member = `${ctx.interfaceType} ${ports[i]}`;
    const text = !f.switchport ? undefined : (all?.get(member) ?? (await show(` ${member}`)));
    out[i] = portState(ports[i], f, text);
  });
  return out;
}

/** The interface resource that switches a port on (hybrid switchport, up) or off (no switchport, shut down). */
function power(ctx: RestContext, port: string, on: boolean): RestRequest {
  const name = el('name', apiName(ctx, port));
  const body = on
    ? el('interface', name, el('portmode', el('hybrid', 'true')), el('switchport', ''), el('shutdown', 'false'))
    : el('interface', name, el('portmode', el('hybrid', 'false')), el('shutdown', 'true'));
  return { method: 'PUT', path: portPath(ctx, port), body: body.xml, ports: [port] };
}

interface Line {
  readonly vlan: number;
  readonly command: string;
  readonly port: string;
}

/** config-commands requests for these lines, grouped by VLAN, each within the length limit. */
function configRequests(lines: readonly Line[]): RestRequest[] {
  const byVlan = new Map<number, Line[]>();
  for (const l of lines) byVlan.set(l.vlan, [...(byVlan.get(l.vlan) ?? []), l]);
  const out: RestRequest[] = [];
  let text: string[] = [];
  let ports = new Set<string>();
  const flush = () => {
    if (!text.length) return;
    const commands = text.join(LINE);
    out.push({
      method: 'POST',
      path: CLI,
      body: cliInput('config-commands', commands),
      ports: [...ports],
      group: 'config',
      refused: cliRefusal,
    });
    text = [];
    ports = new Set();
  };
  const size = () => text.reduce((n, t) => n + t.length + LINE.length, 0);
  for (const [vlan, group] of byVlan) {
    const header = `interface vlan ${vlan}`;
    if (size() + header.length + LINE.length + group[0].command.length > MAX_COMMANDS) flush();
    text.push(header);
    for (const l of group) {
      if (size() + l.command.length > MAX_COMMANDS) {
        flush();
        text.push(header);
      }
      text.push(l.command);
      ports.add(l.port);
    }
  }
  flush();
  return out;
}

function plan(items: readonly PlanItem[], ctx: RestContext): RestPhase[] {
  const on: RestRequest[] = [];
  const off: RestRequest[] = [];
  const removals: Line[] = [];
  const additions: Line[] = [];
  for (const { port, target, observed, mode } of items) {
    const member = `${ctx.interfaceType} ${port}`;
    // What the port is a member of once switched on: nothing new if it was not a switchport.
    const native = mode === 'routed' ? undefined : observed.native;
    const tagged = mode === 'routed' ? [] : observed.tagged;
    const keepTagged = target.native === undefined ? [] : target.tagged;
    for (const v of tagged)
      if (!keepTagged.includes(v)) removals.push({ vlan: v, command: `no tagged ${member}`, port });
    if (native !== undefined && native !== target.native && native !== DEFAULT_VLAN)
      removals.push({ vlan: native, command: `no untagged ${member}`, port });
    if (target.native === undefined) {
      if (mode !== 'routed' || !observed.shutdown) off.push(power(ctx, port, false));
      continue;
    }
    if (mode !== 'hybrid' || observed.shutdown || observed.anomaly !== undefined) on.push(power(ctx, port, true));
    if (native !== target.native) additions.push({ vlan: target.native, command: `untagged ${member}`, port });
    for (const v of target.tagged)
      if (!tagged.includes(v)) additions.push({ vlan: v, command: `tagged ${member}`, port });
  }
  // Removals before additions, in separate requests: OS9 refuses a port untagged in a second VLAN.
  // Lines of ports whose switching on was refused are left out.
  const lines = (list: Line[], failed: ReadonlySet<string>) => configRequests(list.filter((l) => !failed.has(l.port)));
  return [on, (failed) => [...lines(removals, failed), ...lines(additions, failed)], off];
}

async function save(_ctx: RestContext, send: RestSend): Promise<void> {
  const r = await send('POST', CLI, cliInput('exec-command', 'write memory'));
  const refusal = cliRefusal(r.body);
  if (refusal) throw new SwitchError('failed', `saving the configuration: ${refusal}`);
}

export const dellNos9: RestDialect = {
  type: 'dellnos9',
  description: 'Dell Networking OS 9 (e.g. S3048-ON) over its REST API',
  interfacePattern: /^\d+\/\d+(\/\d+)?$/,
  interfaceTypes: PREFIXES,
  // The API root: small, and answered only to an authenticated user.
  probe: { method: 'GET', path: '/api' },
  readPorts,
  plan,
  save,
};
