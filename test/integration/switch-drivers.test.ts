// The switch-driver conformance suite, run against every driver like kysely's dialect matrix: mock (in memory),
// ovs (real Open vSwitch daemons in a namespace lab), linuxbridge (one bridge per VLAN in a namespace), and the CLI
// drivers on their emulators (test/support/switches/): dell-powerconnect and dell-n3000 over SSH and over telnet,
// cisco-nexus, cisco-catalyst and arista-eos over SSH, and the REST drivers brocade and dellnos9 over HTTP.
// The lab-backed targets need root, iproute2 and openvswitch; without them they are skipped with the reason
// (under CI, where hack/install-test-deps.sh installs everything, they fail instead).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import { LinuxBridgeSwitchDriver } from '../../drivers/switch/linuxbridge/linuxbridge-driver.js';
import { MockSwitchDriver } from '../../drivers/switch/mock/mock-driver.js';
import { OvsSwitchDriver } from '../../drivers/switch/ovs/ovs-driver.js';
import { parkedChange, portInSync } from '../../drivers/switch/port-state.js';
import { createRegistry } from '../../drivers/switch/registry.js';
import { CliSwitchDriver } from '../../drivers/switch/cli/cli-driver.js';
import { aristaEos } from '../../drivers/switch/cli/dialects/arista-eos.js';
import { ciscoCatalyst } from '../../drivers/switch/cli/dialects/cisco-catalyst.js';
import { ciscoNexus } from '../../drivers/switch/cli/dialects/cisco-nexus.js';
import { dellN3000 } from '../../drivers/switch/cli/dialects/dell-n3000.js';
import { dellPowerConnect } from '../../drivers/switch/cli/dialects/dell-powerconnect.js';
import type { CliDialect } from '../../drivers/switch/cli/dialect.js';
import { AristaEosEmulator } from '../support/switches/arista-eos-emulator.js';
import { CiscoCatalystEmulator } from '../support/switches/cisco-catalyst-emulator.js';
import { CiscoNexusEmulator } from '../support/switches/cisco-nexus-emulator.js';
import { DellN3000Emulator } from '../support/switches/dell-n3000-emulator.js';
import { DellPowerConnectEmulator } from '../support/switches/dell-powerconnect-emulator.js';
import { RestSwitchDriver } from '../../drivers/switch/rest/rest-driver.js';
import type { RestDialect } from '../../drivers/switch/rest/rest-dialect.js';
import { brocade } from '../../drivers/switch/rest/dialects/brocade.js';
import { dellNos9 } from '../../drivers/switch/rest/dialects/dellnos9.js';
import { BrocadeRestEmulator } from '../support/switches/brocade-rest-emulator.js';
import { DellNos9RestEmulator } from '../support/switches/dellnos9-rest-emulator.js';
import type { IosStyleEmulator } from '../support/switches/ios-style-emulator.js';
import type {
  ObservedPort,
  PortChange,
  SwitchConfig,
  SwitchDriver,
  SwitchSession,
} from '../../drivers/switch/switch-driver.js';
import { labUnavailable, startLab, type Lab } from '../../hack/lab/lab.js';

const MANY = 100;

interface Fixture {
  driver: SwitchDriver;
  config: SwitchConfig;
  /** Ports that exist and start parked: ports[0..9] for small tests, many[] for the batch test. */
  ports: string[];
  many: string[];
  /** A well-formed name the switch does not have. */
  unknownPort: string;
  /** Out of band (an admin at the console): put a port on an access VLAN. */
  handSet(port: string, vlan: number): Promise<void>;
  /** Out of band: the port's raw configuration, to prove it was not touched. */
  handGet(port: string): Promise<string>;
  /** A config that cannot connect (undefined: not applicable). */
  unreachable?: SwitchConfig;
  /** The config with this parking VLAN (default: `{ ...config, parkingVlan }`). */
  withParkingVlan?(vlan: number): SwitchConfig;
  /** Driver-specific checks after apply (e.g. OVS: vswitchd has applied the commit). */
  afterApply?(): Promise<void>;
  teardown(): Promise<void>;
}

interface Target {
  name: string;
  /** The driver's `spec.type` when the name says more (e.g. `dell-n3000 over telnet`). */
  type?: string;
  skip?: string;
  setup(): Promise<Fixture>;
}

function labSkip(kind: 'ovs' | 'linuxbridge'): string | undefined {
  const why = labUnavailable(kind);
  if (why && process.env.CI) return undefined; // CI installs the tools: let the test fail loudly instead
  return why;
}

const targets: Target[] = [
  {
    name: 'mock',
    async setup() {
      const driver = new MockSwitchDriver();
      const address = 'mock-switch-1';
      const names = Array.from({ length: MANY + 10 }, (_, i) => `x${i + 1}`);
      const sw = driver.fabric.switch(address);
      return {
        driver,
        config: { address, options: { ports: `x1-${MANY + 10}` } },
        ports: names.slice(0, 10),
        many: names.slice(10),
        unknownPort: 'gi9/9/9',
        handSet: async (port, vlan) => void sw.setPort(port, { native: vlan }),
        handGet: async (port) => JSON.stringify(sw.port(port)),
        teardown: async () => undefined,
      };
    },
  },
  {
    name: 'ovs',
    skip: labSkip('ovs'),
    async setup() {
      const lab: Lab = await startLab({ nodes: 0, extraPorts: MANY + 10, switch: 'ovs' });
      return {
        driver: new OvsSwitchDriver(),
        config: lab.switchConfig({ remote: 'tcp' }),
        ports: lab.extraPorts.slice(0, 10),
        many: lab.extraPorts.slice(10),
        unknownPort: 'nosuchport',
        handSet: async (port, vlan) =>
          void (await lab.vsctl(
            'set',
            'port',
            port,
            `tag=${vlan}`,
            'vlan_mode=access',
            'trunks=[]',
            'protected=false',
          )),
        handGet: (port) => lab.vsctl('--columns=tag,trunks,vlan_mode,protected', 'list', 'port', port),
        unreachable: { address: `unix:${lab.dir}/no-such.sock`, options: { bridge: 'sw0' } },
        afterApply: async () => {
          // apply() waited for vswitchd: its cur_cfg has caught up with the database's next_cfg.
          const [cur, next] = (await lab.vsctl('get', 'Open_vSwitch', '.', 'cur_cfg', 'next_cfg')).trim().split('\n');
          assert.equal(cur, next, 'vswitchd has applied every commit when apply() returns');
        },
        teardown: () => lab.stop(),
      };
    },
  },
  {
    name: 'linuxbridge',
    skip: labSkip('linuxbridge'),
    async setup() {
      const lab: Lab = await startLab({ nodes: 0, extraPorts: MANY + 10, switch: 'linuxbridge' });
      const sw = lab.switchNetns;
      return {
        driver: new LinuxBridgeSwitchDriver(),
        config: lab.switchConfig(),
        ports: lab.extraPorts.slice(0, 10),
        many: lab.extraPorts.slice(10),
        unknownPort: 'nosuchport',
        handSet: async (port, vlan) => {
          const links = await lab.ip(sw, '-o', 'link', 'show');
          if (!links.includes(` br${vlan}:`)) await lab.ip(sw, 'link', 'add', `br${vlan}`, 'type', 'bridge');
          await lab.ip(sw, 'link', 'set', `br${vlan}`, 'up');
          await lab.ip(sw, 'link', 'set', port, 'master', `br${vlan}`, 'up');
        },
        handGet: async (port) => (await lab.ip(sw, '-o', 'link', 'show', port)).replace(/state \S+/, ''),
        unreachable: { address: `${lab.name}-nosuchns` },
        teardown: () => lab.stop(),
      };
    },
  },
  ...(['ssh', 'telnet'] as const).map((transport): Target => ({
    name: transport === 'ssh' ? 'dell-powerconnect' : 'dell-powerconnect over telnet',
    type: 'dell-powerconnect',
    async setup() {
      const names = Array.from({ length: MANY + 10 }, (_, i) => `gi1/0/${i + 1}`);
      const emu = await DellPowerConnectEmulator.start(`gi1/0/1-${MANY + 10}`, { enablePassword: 'en-secret' });
      if (transport === 'telnet') await emu.listenTelnet();
      // Start parked the way this driver parks: a trunk on no VLAN, shut down.
      for (const p of emu.running.ports.values())
        Object.assign(p, { mode: 'trunk', nativeVlan: 'none', allowed: new Set(), shutdown: true });
      const address = transport === 'ssh' ? emu.server.address : emu.telnet.address;
      const credentials = { username: 'admin', password: 'secret', enablePassword: 'en-secret' };
      return {
        driver: new CliSwitchDriver(dellPowerConnect),
        config: { address, credentials, timeoutMs: 10_000 },
        ports: names.slice(0, 10),
        many: names.slice(10),
        unknownPort: 'gi9/0/1',
        handSet: async (port, vlan) =>
          void Object.assign(emu.running.ports.get(port)!, {
            mode: 'access',
            accessVlan: vlan,
            nativeVlan: 1,
            allowed: new Set(),
            shutdown: false,
          }),
        handGet: async (port) => emu.render(port),
        unreachable: { address: `${transport}://127.0.0.1:1`, credentials },
        teardown: () => emu.close(),
      };
    },
  })),
  ...(['ssh', 'telnet'] as const).map((transport): Target => ({
    name: transport === 'ssh' ? 'dell-n3000' : 'dell-n3000 over telnet',
    type: 'dell-n3000',
    async setup() {
      const names = Array.from({ length: MANY + 10 }, (_, i) => `gi1/0/${i + 1}`);
      const emu = await DellN3000Emulator.start(`gi1/0/1-${MANY + 10}`, { enablePassword: 'en-secret' });
      if (transport === 'telnet') await emu.listenTelnet();
      // Start parked the way this driver parks: a trunk allowing nothing, native on the dummy VLAN.
      emu.running.vlans.add(4000);
      for (const p of emu.running.ports.values())
        Object.assign(p, { mode: 'trunk', nativeVlan: 4000, allowed: new Set() });
      const config: SwitchConfig = {
        address: transport === 'ssh' ? emu.server.address : emu.telnet.address,
        credentials: { username: 'admin', password: 'secret', enablePassword: 'en-secret' },
        options: { dummyVlan: '4000' },
        timeoutMs: 10_000,
      };
      return {
        driver: new CliSwitchDriver(dellN3000),
        config,
        ports: names.slice(0, 10),
        many: names.slice(10),
        unknownPort: 'gi9/0/1',
        handSet: async (port, vlan) =>
          void Object.assign(emu.running.ports.get(port)!, { mode: 'access', accessVlan: vlan }),
        // The port's own configuration (its rendering also shows whether its VLANs exist, which other ports change).
        handGet: async (port) => {
          const p = emu.running.ports.get(port)!;
          return JSON.stringify({ ...p, allowed: p.allowed === 'all' ? 'all' : [...p.allowed] });
        },
        unreachable: { ...config, address: `${transport}://127.0.0.1:1` },
        withParkingVlan: (vlan) => ({ ...config, options: { dummyVlan: String(vlan) } }),
        teardown: () => emu.close(),
      };
    },
  })),
  iosStyleTarget(
    'cisco-nexus',
    ciscoNexus,
    () => CiscoNexusEmulator.start(`Ethernet1/1-${MANY + 10}`),
    'Ethernet1/',
    'Ethernet9/1',
  ),
  restTarget('brocade', brocade, (ports) => BrocadeRestEmulator.start(ports), '1/0/', 'trunk'),
  restTarget('dellnos9', dellNos9, (ports) => DellNos9RestEmulator.start(ports), '1/', 'general'),
  iosStyleTarget(
    'cisco-catalyst',
    ciscoCatalyst,
    () => CiscoCatalystEmulator.start('GigabitEthernet1/0/1-110'),
    'GigabitEthernet1/0/',
  ),
  iosStyleTarget('arista-eos', aristaEos, () => AristaEosEmulator.start('Ethernet1-110'), 'Ethernet'),
];

/** Brocade and OS9 on their HTTP emulators; a port set by hand is a switchport native on the VLAN (`mode` as the vendor names it). */
function restTarget(
  name: string,
  dialect: RestDialect,
  start: (ports: string) => Promise<BrocadeRestEmulator | DellNos9RestEmulator>,
  prefix: string,
  mode: string,
): Target {
  return {
    name,
    async setup() {
      const names = Array.from({ length: MANY + 10 }, (_, i) => `${prefix}${i + 1}`);
      const emu = await start(`${prefix}1-${MANY + 10}`);
      const config: SwitchConfig = {
        address: emu.server.address,
        credentials: { username: 'admin', password: 'secret' },
        options: { interfaceType: 'TenGigabitEthernet' },
        timeoutMs: 10_000,
      };
      return {
        driver: new RestSwitchDriver(dialect),
        config,
        ports: names.slice(0, 10),
        many: names.slice(10),
        unknownPort: `9/${prefix.slice(2)}1`,
        handSet: async (port, vlan) => {
          emu.running.vlans.add(vlan);
          Object.assign(emu.running.ports.get(port)!, {
            routed: false,
            mode,
            nativeVlan: vlan,
            allowed: new Set(),
            shutdown: false,
          });
        },
        handGet: async (port) => emu.render(port),
        unreachable: { ...config, address: 'http://127.0.0.1:1' },
        teardown: () => emu.server.close(),
      };
    },
  };
}

/**
 * Nexus, Catalyst and EOS: the IOS-style trunk model, started parked the way these drivers park (a trunk allowing
 * nothing, native on the dummy VLAN 4000).
 */
function iosStyleTarget(
  name: string,
  dialect: CliDialect,
  start: () => Promise<IosStyleEmulator>,
  prefix: string,
  unknownPort = `${prefix}${MANY + 50}`,
): Target {
  return {
    name,
    async setup() {
      const names = Array.from({ length: MANY + 10 }, (_, i) => `${prefix}${i + 1}`);
      const emu = await start();
      for (const p of emu.running.ports.values())
        Object.assign(p, { mode: 'trunk', nativeVlan: 4000, allowed: new Set() });
      const config: SwitchConfig = {
        address: emu.server.address,
        credentials: { username: 'admin', password: 'secret' },
        options: { dummyVlan: '4000' },
        timeoutMs: 10_000,
      };
      return {
        driver: new CliSwitchDriver(dialect),
        config,
        ports: names.slice(0, 10),
        many: names.slice(10),
        unknownPort,
        handSet: async (port, vlan) =>
          void Object.assign(emu.running.ports.get(port)!, { mode: 'access', accessVlan: vlan }),
        handGet: async (port) => emu.render(port),
        unreachable: { ...config, address: 'ssh://127.0.0.1:1' },
        withParkingVlan: (vlan) => ({ ...config, options: { dummyVlan: String(vlan) } }),
        teardown: () => emu.close(),
      };
    },
  };
}

async function expectSwitchError(p: Promise<unknown>, code: string, match?: RegExp): Promise<SwitchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SwitchError, `expected a SwitchError, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail(`expected a SwitchError ${code}, but it succeeded`);
}

function stateOf(o: ObservedPort): Pick<ObservedPort, 'native' | 'tagged' | 'parked'> {
  return { native: o.native, tagged: [...o.tagged], parked: o.parked };
}

for (const target of targets) {
  describe(`switch driver conformance: ${target.name}`, { skip: target.skip }, () => {
    let fx: Fixture;
    let session: SwitchSession;
    const caps = () => session.capabilities;

    before(async () => {
      fx = await target.setup();
      session = await fx.driver.open(fx.config);
    });
    after(async () => {
      await session?.close();
      await fx?.teardown();
    });

    /** Reverts the given ports so that each test starts from parked ones. */
    async function reset(ports: string[]): Promise<void> {
      await session.apply(ports.map(parkedChange));
    }

    test('the registry serves this driver, and its capabilities are coherent', () => {
      assert.equal(createRegistry().driverFor(target.type ?? target.name).type, target.type ?? target.name);
      const c = fx.driver.capabilities();
      assert.equal(c.nativeVlan, true);
      if (c.parking === 'vlan') {
        // A parking VLAN is in effect: the config's, else the driver's default (or, where it has none, an option's).
        assert.ok(session.parkingVlan !== undefined && session.parkingVlan >= 1 && session.parkingVlan <= 4095);
        if (fx.config.parkingVlan !== undefined || c.defaultParkingVlan !== undefined) {
          assert.equal(session.parkingVlan, fx.config.parkingVlan ?? c.defaultParkingVlan);
        }
      }
      if (!c.trunk) assert.equal(c.nativelessTrunk, false);
    });

    test('fresh ports read back parked, in the order asked', async () => {
      const names = [fx.ports[3], fx.ports[1], fx.ports[2]];
      const observed = await session.readPorts(names);
      assert.deepEqual(
        observed.map((o) => o.interface),
        names,
      );
      for (const o of observed) {
        assert.equal(o.parked, true, `${o.interface} starts parked`);
        assert.equal(o.native, undefined);
        assert.deepEqual(o.tagged, []);
        assert.equal(o.anomaly, undefined);
      }
      assert.deepEqual(await session.readPorts([]), []);
    });

    test('apply then read back: access, native + tagged, tagged only', async () => {
      const [a, b, c] = fx.ports;
      const wanted: PortChange[] = [{ interface: a, native: 101, tagged: [] }];
      if (caps().trunk) {
        wanted.push({ interface: b, native: 102, tagged: [104, 103] });
        if (caps().nativelessTrunk) wanted.push({ interface: c, tagged: [105, 103] });
      }
      const results = await session.apply(wanted);
      assert.deepEqual(
        results.map((r) => [r.interface, r.changed, r.error]),
        wanted.map((w) => [w.interface, true, undefined]),
      );
      await fx.afterApply?.();
      const observed = await session.readPorts(wanted.map((w) => w.interface));
      for (const [i, w] of wanted.entries()) {
        assert.ok(
          portInSync(w, observed[i]),
          `${w.interface}: wanted ${JSON.stringify(w)}, read ${JSON.stringify(observed[i])}`,
        );
        assert.equal(observed[i].native, w.native ?? undefined);
        assert.deepEqual(
          observed[i].tagged,
          [...w.tagged].sort((x, y) => x - y),
        );
        assert.equal(observed[i].parked, false);
      }
      await reset([a, b, c]);
    });

    test('applying the same state twice changes nothing the second time', async () => {
      const [a, b] = fx.ports;
      const wanted: PortChange[] = [
        { interface: a, native: 201, tagged: [] },
        caps().trunk ? { interface: b, native: 202, tagged: [203] } : { interface: b, native: 202, tagged: [] },
      ];
      const first = await session.apply(wanted);
      assert.ok(first.every((r) => r.changed));
      const before = await Promise.all([a, b].map(fx.handGet));
      const second = await session.apply(wanted);
      assert.deepEqual(
        second.map((r) => r.changed),
        [false, false],
      );
      assert.deepEqual(await Promise.all([a, b].map(fx.handGet)), before, 'the switch configuration is unchanged');
      // Reverting twice is idempotent too.
      assert.ok((await session.apply([parkedChange(a), parkedChange(b)])).every((r) => r.changed));
      assert.ok((await session.apply([parkedChange(a), parkedChange(b)])).every((r) => !r.changed));
    });

    test('revert parks the port: no VLAN, reaches nothing (never "no tag, no trunks")', async () => {
      const [a, b] = fx.ports;
      await session.apply([
        { interface: a, native: 301, tagged: caps().trunk ? [302] : [] },
        { interface: b, native: 303, tagged: [] },
      ]);
      await session.apply([parkedChange(a), { interface: b, native: null, tagged: [] }]);
      for (const o of await session.readPorts([a, b])) {
        assert.deepEqual(stateOf(o), { native: undefined, tagged: [], parked: true }, `${o.interface} parked`);
        assert.equal(o.anomaly, undefined);
        if (caps().parking === 'shutdown') assert.equal(o.shutdown, true, `${o.interface} is shut down`);
      }
    });

    test(`a batch of ${MANY} ports goes through one session and one apply call`, async () => {
      const batch: PortChange[] = fx.many.map((p, i) => ({
        interface: p,
        native: 1000 + (i % 7),
        tagged: caps().trunk && i % 3 === 0 ? [2000 + (i % 5), 2100] : [],
      }));
      const t0 = performance.now();
      const results = await session.apply(batch);
      const ms = performance.now() - t0;
      assert.equal(results.length, MANY);
      assert.ok(results.every((r) => r.changed && !r.error));
      const t1 = performance.now();
      const observed = await session.readPorts(fx.many);
      const readMs = performance.now() - t1;
      for (const [i, b] of batch.entries()) assert.ok(portInSync(b, observed[i]), `${b.interface} in sync`);
      await session.save();
      const t2 = performance.now();
      await reset(fx.many);
      const revertMs = performance.now() - t2;
      const rate = (n: number, t: number) => Math.round((n / t) * 1000);
      console.log(
        `# ${target.name}: apply ${MANY} ports in ${ms.toFixed(1)} ms (${rate(MANY, ms)} ports/s), ` +
          `read ${MANY} in ${readMs.toFixed(1)} ms, revert ${MANY} in ${revertMs.toFixed(1)} ms (${rate(MANY, revertMs)} ports/s)`,
      );
    });

    test('refuses malformed values before sending anything', async () => {
      const [a, b] = fx.ports;
      const before = await fx.handGet(a);
      const parking = session.parkingVlan;
      const bad: [string, PortChange][] = [
        ['newline in a name', { interface: 'p1\nshutdown', native: 10, tagged: [] }],
        ['; in a name', { interface: 'p1;reboot', native: 10, tagged: [] }],
        ['space in a name', { interface: 'p1 x', native: 10, tagged: [] }],
        ['$() in a name', { interface: '$(reboot)', native: 10, tagged: [] }],
        ['VLAN 0', { interface: b, native: 0, tagged: [] }],
        ['VLAN 4096', { interface: b, native: 4096, tagged: [] }],
        ['tagged VLAN 4096', { interface: b, native: 10, tagged: [4096] }],
        ['VLAN -1', { interface: b, native: -1, tagged: [] }],
        ['VLAN 1.5', { interface: b, native: 1.5, tagged: [] }],
        ['VLAN as a string', { interface: b, native: '10' as unknown as number, tagged: [] }],
        ['native also tagged', { interface: b, native: 10, tagged: [10] }],
        ['a tagged VLAN twice', { interface: b, native: 10, tagged: [11, 11] }],
      ];
      if (parking !== undefined)
        bad.push([`the parking VLAN ${parking}`, { interface: b, native: parking, tagged: [] }]);
      for (const [what, change] of bad) {
        // A valid change rides in the same batch: it must not be applied either.
        const err = await expectSwitchError(
          session.apply([{ interface: a, native: 999, tagged: [] }, change]),
          'invalid',
        );
        assert.ok(err.message.length > 0, what);
      }
      await expectSwitchError(
        session.apply([
          { interface: a, native: 999, tagged: [] },
          { interface: a, native: 998, tagged: [] },
        ]),
        'invalid',
        /twice/,
      );
      await expectSwitchError(session.readPorts(['p1\n']), 'invalid');
      await expectSwitchError(session.readPorts([a, a]), 'invalid');
      assert.equal(await fx.handGet(a), before, 'nothing was sent');
    });

    test('refuses unknown ports, listing them, and sends nothing', async () => {
      const [a] = fx.ports;
      const before = await fx.handGet(a);
      const e1 = await expectSwitchError(session.readPorts([a, fx.unknownPort]), 'unknown-port');
      assert.deepEqual(e1.ports, [fx.unknownPort]);
      const e2 = await expectSwitchError(
        session.apply([
          { interface: a, native: 998, tagged: [] },
          { interface: fx.unknownPort, native: 10, tagged: [] },
        ]),
        'unknown-port',
      );
      assert.deepEqual(e2.ports, [fx.unknownPort]);
      assert.equal(e2.retryable, false);
      assert.equal(await fx.handGet(a), before, 'the known port in the batch was not written');
    });

    test('tagged VLANs: carried where the switch can, refused (unsupported) where it cannot', async () => {
      const [a] = fx.ports;
      if (caps().trunk) {
        await session.apply([{ interface: a, native: 401, tagged: [402] }]);
        assert.deepEqual((await session.readPorts([a]))[0].tagged, [402]);
        await reset([a]);
        return;
      }
      const before = await fx.handGet(a);
      const err = await expectSwitchError(
        session.apply([{ interface: a, native: 401, tagged: [402] }]),
        'unsupported',
        /tagged/,
      );
      assert.deepEqual(err.ports, [a]);
      assert.equal(err.retryable, false);
      assert.equal(await fx.handGet(a), before);
    });

    test('a port with no entry in the batch is never touched', async () => {
      const [a, b, c] = fx.ports.slice(6);
      await fx.handSet(c, 77); // an admin's own port configuration
      const before = await fx.handGet(c);
      await session.apply([
        { interface: a, native: 78, tagged: [] },
        { interface: b, native: 77, tagged: [] },
      ]);
      await session.apply([parkedChange(a), parkedChange(b)]);
      assert.equal(await fx.handGet(c), before);
      assert.equal((await session.readPorts([c]))[0].native, 77);
    });

    test('readPorts reads the switch, so a hand edit (drift) shows and is corrected by apply', async () => {
      const [a] = fx.ports.slice(5);
      const desired: PortChange = { interface: a, native: 501, tagged: [] };
      await session.apply([desired]);
      await fx.handSet(a, 502);
      const drifted = (await session.readPorts([a]))[0];
      assert.equal(drifted.native, 502);
      assert.equal(portInSync(desired, drifted), false);
      assert.deepEqual(
        (await session.apply([desired])).map((r) => r.changed),
        [true],
      );
      assert.ok(portInSync(desired, (await session.readPorts([a]))[0]));
      await reset([a]);
    });

    test('open refuses bad configs; a closed session refuses calls; close twice is fine', async () => {
      await expectSwitchError(fx.driver.open({ ...fx.config, address: 'x;reboot' }), 'invalid');
      await expectSwitchError(fx.driver.open({ ...fx.config, address: 'x\nreboot' }), 'invalid');
      await expectSwitchError(
        fx.driver.open({ ...fx.config, options: { ...fx.config.options, nosuchoption: 'x' } }),
        'invalid',
        /unknown option/,
      );
      await expectSwitchError(fx.driver.open({ ...fx.config, parkingVlan: 4096 }), 'invalid');
      await expectSwitchError(fx.driver.open({ ...fx.config, timeoutMs: 0 }), 'invalid');
      await expectSwitchError(
        fx.driver.open({ ...fx.config, credentials: { username: 'admin\n', password: 'x' } }),
        'invalid',
      );
      await expectSwitchError(
        fx.driver.open({ ...fx.config, credentials: { username: 'admin', password: 'x\nenable' } }),
        'invalid',
      );
      if (fx.unreachable)
        await expectSwitchError(fx.driver.open({ ...fx.unreachable, timeoutMs: 5000 }), 'unreachable');
      const s2 = await fx.driver.open(fx.config);
      assert.equal((await s2.readPorts([fx.ports[0]])).length, 1);
      await s2.close();
      await s2.close();
      await expectSwitchError(s2.readPorts([fx.ports[0]]), 'closed');
      await expectSwitchError(s2.apply([parkedChange(fx.ports[0])]), 'closed');
      await expectSwitchError(s2.save(), 'closed');
    });

    test('a configured parking VLAN is reserved: no port may be given it', async () => {
      const s2 = await fx.driver.open(fx.withParkingVlan?.(3999) ?? { ...fx.config, parkingVlan: 3999 });
      try {
        assert.equal(s2.parkingVlan, 3999);
        await expectSwitchError(s2.apply([{ interface: fx.ports[0], native: 3999, tagged: [] }]), 'invalid', /parking/);
      } finally {
        await s2.close();
      }
    });
  });
}

describe('ovs driver specifics', { skip: labSkip('ovs') }, () => {
  let lab: Lab;
  const driver = new OvsSwitchDriver();
  before(async () => {
    lab = await startLab({ nodes: 0, extraPorts: 4, switch: 'ovs' });
  });
  after(async () => {
    // A test may leave a daemon stopped; SIGKILL in teardown works on stopped processes too.
    await lab?.stop();
  });

  test('the unix: remote works like tcp:', async () => {
    const s = await driver.open(lab.switchConfig({ remote: 'unix' }));
    try {
      await s.apply([{ interface: 'x1', native: 10, tagged: [11] }]);
      assert.match(await lab.vsctl('get', 'port', 'x1', 'trunks'), /\[10, 11\]/);
      await s.apply([parkedChange('x1')]);
    } finally {
      await s.close();
    }
  });

  test("HIL's own revert (no tag, no trunks: every VLAN) reads as an anomaly and apply parks it properly", async () => {
    await lab.vsctl('clear', 'port', 'x2', 'tag', 'trunks', 'vlan_mode', '--', 'set', 'port', 'x2', 'protected=false');
    const s = await driver.open(lab.switchConfig());
    try {
      const [o] = await s.readPorts(['x2']);
      assert.match(o.anomaly ?? '', /every VLAN/);
      assert.equal(o.parked, false);
      assert.deepEqual(
        (await s.apply([parkedChange('x2')])).map((r) => r.changed),
        [true],
      );
      const [p] = await s.readPorts(['x2']);
      assert.deepEqual([p.parked, p.anomaly], [true, undefined]);
      assert.match(
        await lab.vsctl('--columns=tag,protected', 'list', 'port', 'x2'),
        /tag\s+: 4095\s+protected\s+: true/,
      );
    } finally {
      await s.close();
    }
  });

  test('a port on another bridge is unknown to this one', async () => {
    await lab.vsctl(
      'del-port',
      'sw0',
      'x4',
      '--',
      'add-br',
      'other',
      '--',
      'set',
      'bridge',
      'other',
      'datapath_type=netdev',
      '--',
      'add-port',
      'other',
      'x4',
    );
    const s = await driver.open(lab.switchConfig());
    try {
      const err = await expectSwitchError(s.apply([{ interface: 'x4', native: 10, tagged: [] }]), 'unknown-port');
      assert.deepEqual(err.ports, ['x4']);
      await expectSwitchError(
        driver.open({ ...lab.switchConfig(), options: { bridge: 'nosuchbridge' } }),
        'invalid',
        /no bridge/,
      );
      await expectSwitchError(driver.open({ address: lab.switchConfig().address }), 'invalid', /bridge/);
    } finally {
      await s.close();
    }
  });

  test('a frozen vswitchd: apply times out waiting for it (wait=true) but commits with wait=false', async () => {
    const pid = lab.daemonPid('ovs-vswitchd');
    process.kill(pid, 'SIGSTOP');
    try {
      const waiting = await driver.open({ ...lab.switchConfig(), timeoutMs: 400 });
      await expectSwitchError(
        waiting.apply([{ interface: 'x3', native: 20, tagged: [] }]),
        'timeout',
        /ovs-vswitchd has not applied/,
      );
      await expectSwitchError(waiting.readPorts(['x3']), 'closed');
      const noWait = await driver.open({ ...lab.switchConfig({ wait: false }), timeoutMs: 2000 });
      await noWait.apply([{ interface: 'x3', native: 21, tagged: [] }]);
      assert.equal((await noWait.readPorts(['x3']))[0].native, 21);
      await noWait.close();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  test('a frozen ovsdb-server: every call times out and the session closes', async () => {
    const s = await driver.open({ ...lab.switchConfig(), timeoutMs: 300 });
    const pid = lab.daemonPid('ovsdb-server');
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = performance.now();
      await expectSwitchError(s.readPorts(['x1']), 'timeout');
      assert.ok(performance.now() - t0 < 1000);
      await expectSwitchError(driver.open({ ...lab.switchConfig(), timeoutMs: 300 }), 'timeout');
    } finally {
      process.kill(pid, 'SIGCONT');
      await s.close();
    }
  });
});

describe('linuxbridge driver specifics', { skip: labSkip('linuxbridge') }, () => {
  let lab: Lab;
  const driver = new LinuxBridgeSwitchDriver();
  before(async () => {
    lab = await startLab({ nodes: 0, extraPorts: 3, switch: 'linuxbridge' });
  });
  after(async () => {
    await lab?.stop();
  });

  test('bridges are made on demand and kept after every port left them', async () => {
    const s = await driver.open({ ...lab.switchConfig(), options: { bridgePrefix: 'vl' } });
    try {
      await s.apply([{ interface: 'x1', native: 33, tagged: [] }]);
      assert.match(await lab.ip(lab.switchNetns, '-o', 'link', 'show', 'x1'), /master vl33 .*state/);
      await s.apply([parkedChange('x1')]);
      assert.match(await lab.ip(lab.switchNetns, '-o', 'link', 'show', 'vl33'), /vl33/);
      assert.doesNotMatch(await lab.ip(lab.switchNetns, '-o', 'link', 'show', 'x1'), /master/);
      await expectSwitchError(s.readPorts(['vl33']), 'invalid', /not a switch port/);
    } finally {
      await s.close();
    }
  });

  test('a port enslaved to a foreign bridge, or on a downed VLAN bridge, is an anomaly that apply fixes', async () => {
    const sw = lab.switchNetns;
    await lab.ip(sw, 'link', 'add', 'foreign', 'type', 'bridge');
    await lab.ip(sw, 'link', 'set', 'x2', 'master', 'foreign', 'up');
    const s = await driver.open(lab.switchConfig());
    try {
      const [o] = await s.readPorts(['x2']);
      assert.match(o.anomaly ?? '', /foreign/);
      await s.apply([{ interface: 'x2', native: 40, tagged: [] }]);
      await lab.ip(sw, 'link', 'set', 'br40', 'down');
      const [d] = await s.readPorts(['x2']);
      assert.match(d.anomaly ?? '', /br40 is down/);
      assert.deepEqual(
        (await s.apply([{ interface: 'x2', native: 40, tagged: [] }])).map((r) => r.changed),
        [true],
      );
      const [f] = await s.readPorts(['x2']);
      assert.deepEqual([f.native, f.anomaly, f.shutdown], [40, undefined, false]);
    } finally {
      await s.close();
    }
  });

  test('a missing namespace is unreachable', async () => {
    await expectSwitchError(driver.open({ address: 'netns:nosuchns-hil', timeoutMs: 5000 }), 'unreachable');
  });
});
