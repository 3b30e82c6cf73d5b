// Vendor switches end to end through the API, one row per switch type on its emulator (the CLI types over SSH, the
// two that take it also over telnet, the REST types over HTTP): `hil-admin serve` and the controller daemon
// (`serve-networks --resync 2`, the same controllers `serve --controllers` embeds, with a resync short enough to see
// drift corrected), Secret + Switch + Ports + Project + Networks + Nodes + NetworkAttachments applied with `hilctl
// apply -f`. Each row checks what a user would: every attachment Attached and the emulator's running AND startup
// config exactly what was asked (ports with no network parked); a change made by hand on the switch put back at the
// next resync; a wrong password is Reachable=False naming authentication. Over SSH also: a switch presenting another
// host key is refused (HostKeyMismatch, an Event, not one line sent) until an admin clears the recorded key, and
// then trusted again. More switch types are more rows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { applyYaml, H, startDaemon, until, writeHilCfg, type Daemon } from '../support/controllers.js';
import { api, startChildServer, TSX_LOADER, type ChildServer } from '../support/server.js';
import { AristaEosEmulator } from '../support/switches/arista-eos-emulator.js';
import { BrocadeRestEmulator } from '../support/switches/brocade-rest-emulator.js';
import { CiscoCatalystEmulator } from '../support/switches/cisco-catalyst-emulator.js';
import { CiscoNexusEmulator } from '../support/switches/cisco-nexus-emulator.js';
import { DellN3000Emulator } from '../support/switches/dell-n3000-emulator.js';
import { DellPowerConnectEmulator } from '../support/switches/dell-powerconnect-emulator.js';
import { DellNos9RestEmulator } from '../support/switches/dellnos9-rest-emulator.js';
import type { EmulatedSwitch } from '../support/switches/emulated-switch.js';
import { clonePort, type PortConfig, type SwitchConfigState } from '../support/switches/switch-state.js';

/** What a port should carry: VLANs, or nothing (parked). */
type Want = { native?: number; tagged: number[] } | 'parked';

/** An emulator as the rows see it: its configuration (`startup` is replaced at every save) and its address. */
interface Emulator {
  readonly running: SwitchConfigState;
  readonly startup: SwitchConfigState;
  close(): Promise<void>;
}

interface Started {
  readonly emu: Emulator;
  readonly address: string;
  /** The CLI emulator when the row is over SSH: the host-key cases run on it. */
  readonly ssh?: EmulatedSwitch;
}

interface Row {
  /** The test's name and the Switch's (letters and digits of it). */
  label: string;
  type: string;
  /** How the switch is reached: the host-key cases are for SSH only (telnet and HTTP have no host key). */
  over: 'ssh' | 'telnet' | 'http';
  start(): Promise<Started>;
  /** Four port names: two carry networks, two are managed with none. */
  ports: [string, string, string, string];
  /** A port the emulator has and no Port object names (never touched). */
  unmanaged: string;
  options?: Record<string, string>;
  /** The port's config on the switch for `want`, in the emulator's terms (`factory`: how it started). */
  expected(want: Want, factory: PortConfig): PortConfig;
}

const DUMMY_VLAN = 4000;
const both = (want: { native?: number; tagged: number[] }) =>
  new Set([...(want.native ? [want.native] : []), ...want.tagged]);

/** PowerConnect: a trunk with the native VLAN untagged and every VLAN in the allowed list; parked: no VLAN, shut down. */
function powerConnect(want: Want, factory: PortConfig): PortConfig {
  return want === 'parked'
    ? { ...factory, mode: 'trunk', nativeVlan: 'none', allowed: new Set(), shutdown: true }
    : { ...factory, mode: 'trunk', nativeVlan: want.native ?? 'none', allowed: both(want), shutdown: false };
}

/**
 * NX-OS, IOS, EOS and DNOS 6 always have a native VLAN: a trunk allowing the native and tagged VLANs; parked: native
 * on the dummy VLAN (created and shut by the admin), nothing allowed.
 */
function dummyTrunk(want: Want, factory: PortConfig): PortConfig {
  return want === 'parked'
    ? { ...factory, mode: 'trunk', nativeVlan: DUMMY_VLAN, allowed: new Set() }
    : { ...factory, mode: 'trunk', nativeVlan: want.native ?? DUMMY_VLAN, allowed: both(want), shutdown: false };
}

/**
 * The REST types: a switchport (Brocade: a trunk; OS9: hybrid, the emulator's `general`), the native VLAN untagged and
 * the others tagged; parked: a fresh port (no switchport, shut down) already is, and is left so.
 */
const restPort =
  (mode: PortConfig['mode']) =>
  (want: Want, factory: PortConfig): PortConfig =>
    want === 'parked'
      ? factory
      : {
          ...factory,
          routed: false,
          mode,
          nativeVlan: want.native ?? 'none',
          allowed: new Set(want.tagged),
          shutdown: false,
        };

const cli = async (emu: EmulatedSwitch, over: 'ssh' | 'telnet' = 'ssh'): Promise<Started> =>
  over === 'ssh'
    ? { emu, address: emu.server.address, ssh: emu }
    : { emu, address: (await emu.listenTelnet()).telnet.address };

/** The N3000's dummy VLAN exists before the driver parks a port on it (docs/drivers.md). */
const n3000 = async () => {
  const emu = await DellN3000Emulator.start('gi1/0/1-6');
  emu.running.vlans.add(DUMMY_VLAN);
  return emu;
};

const rest = (emu: BrocadeRestEmulator | DellNos9RestEmulator): Started => ({
  emu: {
    running: emu.running,
    get startup() {
      return emu.startup;
    },
    close: () => emu.server.close(),
  },
  address: emu.server.address,
});

const ROWS: Row[] = [
  {
    label: 'dell-powerconnect',
    type: 'dell-powerconnect',
    over: 'ssh',
    start: async () => cli(await DellPowerConnectEmulator.start('gi1/0/1-6')),
    ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'gi1/0/4'],
    unmanaged: 'gi1/0/6',
    expected: powerConnect,
  },
  {
    label: 'cisco-nexus',
    type: 'cisco-nexus',
    over: 'ssh',
    start: async () => cli(await CiscoNexusEmulator.start('Ethernet1/1-6')),
    ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3', 'Ethernet1/4'],
    unmanaged: 'Ethernet1/6',
    options: { dummyVlan: String(DUMMY_VLAN) },
    expected: dummyTrunk,
  },
  {
    label: 'dell-n3000',
    type: 'dell-n3000',
    over: 'ssh',
    start: async () => cli(await n3000()),
    ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'gi1/0/4'],
    unmanaged: 'gi1/0/6',
    options: { dummyVlan: String(DUMMY_VLAN) },
    expected: dummyTrunk,
  },
  {
    label: 'cisco-catalyst',
    type: 'cisco-catalyst',
    over: 'ssh',
    start: async () => cli(await CiscoCatalystEmulator.start('GigabitEthernet1/0/1-6')),
    ports: ['GigabitEthernet1/0/1', 'GigabitEthernet1/0/2', 'GigabitEthernet1/0/3', 'GigabitEthernet1/0/4'],
    unmanaged: 'GigabitEthernet1/0/6',
    options: { dummyVlan: String(DUMMY_VLAN) },
    expected: dummyTrunk,
  },
  {
    label: 'arista-eos',
    type: 'arista-eos',
    over: 'ssh',
    start: async () => cli(await AristaEosEmulator.start('Ethernet1-6')),
    ports: ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4'],
    unmanaged: 'Ethernet6',
    options: { dummyVlan: String(DUMMY_VLAN) },
    expected: dummyTrunk,
  },
  {
    label: 'dell-powerconnect over telnet',
    type: 'dell-powerconnect',
    over: 'telnet',
    start: async () => cli(await DellPowerConnectEmulator.start('gi1/0/1-6'), 'telnet'),
    ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'gi1/0/4'],
    unmanaged: 'gi1/0/6',
    expected: powerConnect,
  },
  {
    label: 'dell-n3000 over telnet',
    type: 'dell-n3000',
    over: 'telnet',
    start: async () => cli(await n3000(), 'telnet'),
    ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'gi1/0/4'],
    unmanaged: 'gi1/0/6',
    options: { dummyVlan: String(DUMMY_VLAN) },
    expected: dummyTrunk,
  },
  {
    label: 'brocade',
    type: 'brocade',
    over: 'http',
    start: async () => rest(await BrocadeRestEmulator.start('1/0/1-6')),
    ports: ['1/0/1', '1/0/2', '1/0/3', '1/0/4'],
    unmanaged: '1/0/6',
    options: { interfaceType: 'TenGigabitEthernet' },
    expected: restPort('trunk'),
  },
  {
    label: 'dellnos9',
    type: 'dellnos9',
    over: 'http',
    start: async () => rest(await DellNos9RestEmulator.start('1/1-6')),
    ports: ['1/1', '1/2', '1/3', '1/4'],
    unmanaged: '1/6',
    options: { interfaceType: 'TenGigabitEthernet' },
    expected: restPort('general'),
  },
];

function plain(p: PortConfig | undefined) {
  if (!p) return p;
  return { ...p, allowed: p.allowed === 'all' ? 'all' : [...p.allowed].sort((a, b) => a - b) };
}

/** `hilctl` from source, pointed at the server the HIL way (HIL_ENDPOINT; auth null: no credentials). */
function hilctl(url: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hilctl.ts'), ...args],
      { env: { PATH: process.env.PATH, HOME: tmpdir(), HIL_ENDPOINT: url }, timeout: 60_000, encoding: 'utf8' },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }),
    );
  });
}

function inventory(row: Row, index: number, name: string, address: string): string {
  const [p1, p2, p3, p4] = row.ports;
  const portYaml = (iface: string, i: number) =>
    `apiVersion: hil.io/v1alpha1\nkind: Port\nmetadata: {name: ${name}-p${i}}\nspec: {switch: ${name}, interface: ${iface}}`;
  const nodeYaml = (node: string, port: number) =>
    `apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata: {name: ${node}}\nspec:\n  project: ${name}-tenant\n  obm: {type: mock, host: bmc-${node}}\n  nics: [{name: eth0, macAddress: "52:54:00:00:0${port}:${index.toString(16).padStart(2, '0')}", port: ${name}-p${port}}]`;
  const attach = (a: string, node: string, net: string, channel: string) =>
    `apiVersion: hil.io/v1alpha1\nkind: NetworkAttachment\nmetadata: {name: ${a}}\nspec: {node: ${node}, nic: eth0, network: ${net}, channel: ${channel}}`;
  return [
    `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}-credentials, namespace: hil-system}\ntype: Opaque\nstringData: {username: admin, password: secret}`,
    `apiVersion: hil.io/v1alpha1\nkind: Switch\nmetadata: {name: ${name}}\nspec:\n  type: ${row.type}\n  address: ${JSON.stringify(address)}\n  credentialsSecretRef: {name: ${name}-credentials, namespace: hil-system}\n  options: ${JSON.stringify(row.options ?? {})}`,
    ...[p1, p2, p3, p4].map((iface, i) => portYaml(iface, i + 1)),
    `apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata: {name: ${name}-tenant}\nspec: {description: vendor e2e}`,
    `apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: ${name}-red}\nspec: {owner: ${name}-tenant}`,
    `apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: ${name}-blue}\nspec: {owner: ${name}-tenant}`,
    nodeYaml(`${name}-n1`, 1),
    nodeYaml(`${name}-n2`, 2),
    nodeYaml(`${name}-n3`, 3),
    attach(`${name}-n1-red`, `${name}-n1`, `${name}-red`, 'native'),
    attach(`${name}-n2-red`, `${name}-n2`, `${name}-red`, 'native'),
    attach(`${name}-n2-blue`, `${name}-n2`, `${name}-blue`, 'tagged'),
  ].join('\n---\n');
}

describe('vendor switches through the API, on their emulators', () => {
  let srv: ChildServer;
  let daemon: Daemon;
  let cfg: ReturnType<typeof writeHilCfg>;
  const dir = mkdtempSync(join(tmpdir(), 'hil-vendor-e2e-'));
  const emulators: Emulator[] = [];

  before(async () => {
    cfg = writeHilCfg('100-139'); // two networks per row
    srv = await startChildServer({ extraArgs: ['--auth', 'null', '--log-level', 'warn'] });
    daemon = await startDaemon(srv.url, ['--config', cfg.path, '--resync', '2', '--no-leader-elect']);
  });

  after(async () => {
    await daemon?.stop('SIGKILL');
    await srv?.stop();
    for (const e of emulators) await e.close();
    cfg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => (await api(srv.url, 'GET', path)).body;
  const condition = (o: any, type: string) => o?.status?.conditions?.find((c: any) => c.type === type);
  const switchEvents = async (name: string, reason: string) =>
    ((await get('/api/v1/events')).items as any[]).filter(
      (e) => e.involvedObject?.kind === 'Switch' && e.involvedObject?.name === name && e.reason === reason,
    );

  for (const [index, row] of ROWS.entries()) {
    test(`${row.label}: converges, saved, parked, drift put back, wrong password${row.over === 'ssh' ? ', a changed host key refused' : ''}`, async () => {
      const name = row.label.replace(/[^a-z0-9]+/g, '');
      const { emu, address, ssh } = await row.start();
      assert.equal(ssh !== undefined, row.over === 'ssh');
      emulators.push(emu);
      const factory = clonePort(emu.running.ports.get(row.unmanaged)!);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, inventory(row, index, name, address));
      const applied = await hilctl(srv.url, ['apply', '-f', file]);
      assert.equal(applied.code, 0, applied.out);

      const attachments = [`${name}-n1-red`, `${name}-n2-red`, `${name}-n2-blue`];
      await until(
        async () => {
          const items = (await get(`${H}/networkattachments`)).items as any[];
          const mine = items.filter((a) => attachments.includes(a.metadata.name));
          return mine.length === 3 && mine.every((a) => a.status?.phase === 'Attached');
        },
        `${row.type}: every attachment Attached`,
        30_000,
        async () => JSON.stringify((await get(`${H}/switches/${name}`)).status) + '\n' + daemon.output().slice(-3000),
      );
      const red = (await get(`${H}/networks/${name}-red`)).status.vlan as number;
      const blue = (await get(`${H}/networks/${name}-blue`)).status.vlan as number;
      const wants: Want[] = [{ native: red, tagged: [] }, { native: red, tagged: [blue] }, 'parked', 'parked'];
      const expectConfig = (state: SwitchConfigState, which: string) => {
        for (const [i, iface] of row.ports.entries()) {
          assert.deepEqual(
            plain(state.ports.get(iface)),
            plain(row.expected(wants[i], factory)),
            `${which} config of ${iface}`,
          );
        }
        assert.deepEqual(plain(state.ports.get(row.unmanaged)), plain(factory), `${row.unmanaged} never touched`);
        assert.ok(state.vlans.has(red) && state.vlans.has(blue), `${which}: VLANs ${red} and ${blue} created`);
      };
      // The statuses come after the save: both configs are final now.
      expectConfig(emu.running, 'running');
      expectConfig(emu.startup, 'startup');

      // The recorded host key (trust on first use): over SSH only, telnet and HTTP have none. The Switch's own
      // status is written after its attachments' (the pass ends with it), so wait for its Reachable condition.
      const sw = await until(
        async () => {
          const s = await get(`${H}/switches/${name}`);
          return condition(s, 'Reachable') && s;
        },
        `${row.type}: the Switch reports Reachable`,
        10_000,
      );
      assert.equal(sw.status.sshHostKeyFingerprint, ssh?.server.hostKeyFingerprint);
      assert.equal(condition(sw, 'Reachable')?.status, 'True');

      // Drift: someone moves port 1 from red to blue by hand; the next resync (2 s) puts it back, and saves.
      const p1 = emu.running.ports.get(row.ports[0])!;
      p1.nativeVlan = blue;
      if (p1.allowed !== 'all') p1.allowed = new Set([...p1.allowed].map((v) => (v === red ? blue : v)));
      const want1 = JSON.stringify(plain(row.expected(wants[0], factory)));
      await until(
        async () =>
          JSON.stringify(plain(emu.running.ports.get(row.ports[0]))) === want1 &&
          JSON.stringify(plain(emu.startup.ports.get(row.ports[0]))) === want1,
        `${row.type}: drift on ${row.ports[0]} corrected and saved`,
        15_000,
      );
      const drift = await until(async () => {
        const e = ((await get('/api/v1/events')).items as any[]).filter(
          (x) => x.involvedObject?.name === `${name}-p1` && x.reason === 'DriftCorrected',
        );
        return e.length > 0 && e;
      }, 'a DriftCorrected Event on the Port');
      assert.equal(drift[0].type, 'Warning');
      expectConfig(emu.running, 'running after the drift');
      expectConfig(emu.startup, 'startup after the drift');

      // A wrong password: a second Switch object on the same emulator with its own Secret (through the API: hilctl
      // apply was shown above, and each run of it costs a second).
      const bad = `${name}-badpw`;
      await applyYaml(
        srv.url,
        [
          `apiVersion: v1\nkind: Secret\nmetadata: {name: ${bad}-credentials, namespace: hil-system}\ntype: Opaque\nstringData: {username: admin, password: not-the-password}`,
          `apiVersion: hil.io/v1alpha1\nkind: Switch\nmetadata: {name: ${bad}}\nspec:\n  type: ${row.type}\n  address: ${JSON.stringify(address)}\n  credentialsSecretRef: {name: ${bad}-credentials, namespace: hil-system}\n  options: ${JSON.stringify(row.options ?? {})}`,
        ].join('\n---\n'),
      );
      const refused = await until(
        async () => {
          const c = condition(await get(`${H}/switches/${bad}`), 'Reachable');
          return c?.status === 'False' && c;
        },
        `${row.type}: Reachable=False with a wrong password`,
        15_000,
      );
      assert.equal(refused.reason, 'AuthenticationFailed');
      assert.match(refused.message, /authentication failed/);
      assert.doesNotMatch(JSON.stringify(await get(`${H}/switches/${bad}`)), /not-the-password/);
      // Gone, so that it does not keep trying while the other rows run.
      assert.equal((await api(srv.url, 'DELETE', `${H}/switches/${bad}`)).status, 200);
      if (!ssh) return;

      // The switch is replaced (another host key): refused before anything is sent, with an Event, until an admin
      // clears the recorded key.
      const trusted = ssh.server.hostKeyFingerprint;
      ssh.rekey();
      const mismatch = await until(
        async () => {
          const c = condition(await get(`${H}/switches/${name}`), 'Reachable');
          return c?.reason === 'HostKeyMismatch' && c;
        },
        `${row.type}: HostKeyMismatch`,
        20_000,
        async () => JSON.stringify((await get(`${H}/switches/${name}`)).status),
      );
      assert.equal(mismatch.status, 'False');
      assert.match(
        mismatch.message,
        new RegExp(`presented host key ${ssh.server.hostKeyFingerprint.replace(/[+/]/g, '\\$&')}`),
      );
      const events = await until(async () => {
        const e = await switchEvents(name, 'HostKeyMismatch');
        return e.length > 0 && e;
      }, 'a HostKeyMismatch Event on the Switch');
      assert.equal(events[0].type, 'Warning');
      assert.match(events[0].message, /status\.sshHostKeyFingerprint/);
      assert.equal((await get(`${H}/switches/${name}`)).status.sshHostKeyFingerprint, trusted, 'still the old key');
      // What an admin sees.
      const described = await hilctl(srv.url, ['describe', 'switch', name]);
      assert.equal(described.code, 0, described.out);
      assert.ok(described.out.includes(`SSH Host Key:`) && described.out.includes(trusted), described.out);
      assert.match(described.out, /HostKeyMismatch/);
      const [shells, lines] = [ssh.server.shells, ssh.server.received.length];
      // A change asked meanwhile waits: the next retry (on the switch's backoff) is refused again, sends nothing, and
      // the attachment says why.
      const n3 = `${name}-n3-blue`;
      await applyYaml(
        srv.url,
        `apiVersion: hil.io/v1alpha1\nkind: NetworkAttachment\nmetadata: {name: ${n3}}\nspec: {node: ${name}-n3, nic: eth0, network: ${name}-blue, channel: native}`,
      );
      const waiting = await until(
        async () => {
          const a = await get(`${H}/networkattachments/${n3}`);
          return condition(a, 'Ready')?.reason === 'SwitchUnreachable' && a;
        },
        `${row.type}: the new attachment waits on the refused switch`,
        15_000,
      );
      assert.equal(waiting.status.phase, 'Pending');
      assert.match(condition(waiting, 'Ready').message, /presented host key/);
      assert.deepEqual([ssh.server.shells, ssh.server.received.length], [shells, lines], 'nothing sent to the switch');

      // The admin checks the new key and clears the recorded one (what `kubectl patch --subresource=status` sends).
      const cleared = await api(
        srv.url,
        'PATCH',
        `${H}/switches/${name}/status`,
        { status: { sshHostKeyFingerprint: null } },
        'application/merge-patch+json',
      );
      assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
      await until(
        async () => (await get(`${H}/networkattachments/${n3}`)).status?.phase === 'Attached',
        `${row.type}: converges after the new key is trusted`,
        15_000,
        async () => JSON.stringify((await get(`${H}/switches/${name}`)).status),
      );
      const after = await get(`${H}/switches/${name}`);
      assert.equal(after.status.sshHostKeyFingerprint, ssh.server.hostKeyFingerprint, 'the new key recorded');
      assert.notEqual(after.status.sshHostKeyFingerprint, trusted);
      assert.equal(condition(after, 'Reachable')?.status, 'True');
      wants[2] = { native: blue, tagged: [] };
      expectConfig(emu.running, 'running with the new key');
      expectConfig(emu.startup, 'startup with the new key');
    });
  }
});
