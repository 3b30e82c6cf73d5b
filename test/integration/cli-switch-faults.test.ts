// The emulator knobs, driven through every CLI dialect and transport at driver level: a wrong password is an `auth`
// error naming authentication; a connection dropped in the middle of a batch converges on the next apply with
// nothing stray; a hung command fires the timeout with an error naming the command; the vendor's pager answered when
// paging stays on; at the session limit a new session is refused with an error saying so, and succeeds once a
// session frees.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CliSwitchDriver } from '../../drivers/switch/cli/cli-driver.js';
import type { CliDialect } from '../../drivers/switch/cli/dialect.js';
import { aristaEos } from '../../drivers/switch/cli/dialects/arista-eos.js';
import { ciscoCatalyst } from '../../drivers/switch/cli/dialects/cisco-catalyst.js';
import { ciscoNexus } from '../../drivers/switch/cli/dialects/cisco-nexus.js';
import { dellN3000 } from '../../drivers/switch/cli/dialects/dell-n3000.js';
import { dellPowerConnect } from '../../drivers/switch/cli/dialects/dell-powerconnect.js';
import { SwitchError } from '../../drivers/switch/errors.js';
import { portInSync } from '../../drivers/switch/port-state.js';
import type { PortChange, SwitchConfig } from '../../drivers/switch/switch-driver.js';
import { AristaEosEmulator } from '../support/switches/arista-eos-emulator.js';
import type { EmulatorKnobs } from '../support/switches/cli-shell.js';
import { CiscoCatalystEmulator } from '../support/switches/cisco-catalyst-emulator.js';
import { CiscoNexusEmulator } from '../support/switches/cisco-nexus-emulator.js';
import { DellN3000Emulator } from '../support/switches/dell-n3000-emulator.js';
import { DellPowerConnectEmulator } from '../support/switches/dell-powerconnect-emulator.js';
import type { EmulatedSwitch } from '../support/switches/emulated-switch.js';

interface Case {
  name: string;
  dialect: CliDialect;
  transport: 'ssh' | 'telnet';
  start(knobs: Partial<EmulatorKnobs>): Promise<EmulatedSwitch>;
  /** Five ports for the batch, and one never in it. */
  ports: string[];
  untouched: string;
  options?: Record<string, string>;
}

const dell = (n: string) => [`${n}1/0/1`, `${n}1/0/2`, `${n}1/0/3`, `${n}1/0/4`, 'te1/0/1'];
const cases: Case[] = [
  ...(['ssh', 'telnet'] as const).flatMap((transport): Case[] => [
    {
      name: `dell-powerconnect over ${transport}`,
      dialect: dellPowerConnect,
      transport,
      start: (k) => DellPowerConnectEmulator.start('gi1/0/1-8,te1/0/1-2', k),
      ports: dell('gi'),
      untouched: 'gi1/0/8',
    },
    {
      name: `dell-n3000 over ${transport}`,
      dialect: dellN3000,
      transport,
      start: async (k) => {
        const e = await DellN3000Emulator.start('gi1/0/1-8,te1/0/1-2', k);
        e.running.vlans.add(4000); // the dummy VLAN, created by the admin first
        return e;
      },
      ports: dell('gi'),
      untouched: 'gi1/0/8',
      options: { dummyVlan: '4000' },
    },
  ]),
  {
    name: 'cisco-nexus over ssh',
    dialect: ciscoNexus,
    transport: 'ssh',
    start: (k) => CiscoNexusEmulator.start('Ethernet1/1-8', k),
    ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3', 'Ethernet1/4', 'Ethernet1/5'],
    untouched: 'Ethernet1/8',
    options: { dummyVlan: '4000' },
  },
  {
    name: 'cisco-catalyst over ssh',
    dialect: ciscoCatalyst,
    transport: 'ssh',
    start: (k) => CiscoCatalystEmulator.start('GigabitEthernet1/0/1-8', k),
    ports: [1, 2, 3, 4, 5].map((i) => `GigabitEthernet1/0/${i}`),
    untouched: 'GigabitEthernet1/0/8',
    options: { dummyVlan: '4000' },
  },
  {
    name: 'arista-eos over ssh',
    dialect: aristaEos,
    transport: 'ssh',
    start: (k) => AristaEosEmulator.start('Ethernet1-8', k),
    ports: ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4', 'Ethernet5'],
    untouched: 'Ethernet8',
    options: { dummyVlan: '4000' },
  },
];

const running: EmulatedSwitch[] = [];
after(async () => {
  for (const e of running) await e.close();
});

async function setup(c: Case, knobs: Partial<EmulatorKnobs> = {}) {
  const emu = await c.start(knobs);
  running.push(emu);
  if (c.transport === 'telnet') await emu.listenTelnet();
  const config: SwitchConfig = {
    address: c.transport === 'ssh' ? emu.server.address : emu.telnet.address,
    credentials: { username: 'admin', password: 'secret' },
    ...(c.options ? { options: c.options } : {}),
    timeoutMs: 5000,
  };
  return { emu, config, driver: new CliSwitchDriver(c.dialect) };
}

async function rejects(p: Promise<unknown>, code: string, match?: RegExp): Promise<SwitchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SwitchError, `expected a SwitchError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail(`expected a SwitchError ${code}`);
}

/** Every port's configuration on the emulator, as text. */
function snapshot(emu: EmulatedSwitch): Map<string, string> {
  return new Map(
    [...emu.running.ports].map(([n, p]) => [
      n,
      JSON.stringify({ ...p, allowed: p.allowed === 'all' ? 'all' : [...p.allowed] }),
    ]),
  );
}

for (const c of cases) {
  describe(c.name, () => {
    test('a wrong password is an auth error naming authentication, without the password', async () => {
      const { emu, config, driver } = await setup(c);
      const err = await rejects(
        driver.open({ ...config, credentials: { username: 'admin', password: 'Wr0ng-pw' } }),
        'auth',
        /authentication failed/,
      );
      assert.equal(err.retryable, false);
      assert.doesNotMatch(err.message, /Wr0ng-pw/);
      assert.ok(emu.host.authFailures >= 1);
    });

    test('a connection dropped mid-batch: the next apply converges, nothing stray', async () => {
      const { emu, config, driver } = await setup(c, { dropAtConfigCommand: 9 });
      const before = snapshot(emu);
      const wanted: PortChange[] = c.ports.map((p, i) => ({
        interface: p,
        native: i === 4 ? null : 200 + i,
        tagged: i % 2 ? [300 + i, 310 + i] : [],
      }));
      const s1 = await driver.open(config);
      const err = await rejects(s1.apply(wanted), 'closed');
      assert.equal(err.retryable, true);
      await rejects(s1.readPorts([c.ports[0]]), 'closed');
      const s2 = await driver.open(config);
      try {
        const half = await s2.readPorts(c.ports);
        assert.ok(
          wanted.some((w, i) => !portInSync(w, half[i])),
          'the first batch did not finish',
        );
        const results = await s2.apply(wanted);
        assert.ok(results.every((r) => r.error === undefined));
        const now = await s2.readPorts(c.ports);
        for (const [i, w] of wanted.entries())
          assert.ok(portInSync(w, now[i]), `${w.interface} converged exactly: ${JSON.stringify(now[i])}`);
        const after = snapshot(emu);
        for (const [name, text] of before)
          if (!c.ports.includes(name)) assert.equal(after.get(name), text, `${name}, outside the batch, untouched`);
        assert.equal(after.get(c.untouched), before.get(c.untouched));
      } finally {
        await s2.close();
      }
    });

    test('a hung command: the timeout fires naming the command, and the session is closed', async () => {
      const hung = c.dialect.commands.readPort(c.ports[1]);
      const { config, driver } = await setup(c, { hangOn: new RegExp(`^${hung.replace(/[/.]/g, '\\$&')}$`) });
      const s = await driver.open({ ...config, timeoutMs: 600 });
      const t0 = performance.now();
      const err = await rejects(s.readPorts([c.ports[0], c.ports[1]]), 'timeout');
      assert.ok(performance.now() - t0 < 2000, 'within the timeout, not later');
      assert.ok(err.message.includes(`"${hung}"`), err.message);
      await rejects(s.readPorts([c.ports[0]]), 'closed');
    });

    test('with paging left on (no command to turn it off), the pager is answered and the output read whole', async () => {
      const { config } = await setup(c, { pageLines: 3 });
      const driver = new CliSwitchDriver({ ...c.dialect, paging: { ...c.dialect.paging, disable: [] } });
      const s = await driver.open(config);
      try {
        await s.apply([{ interface: c.ports[2], native: 30, tagged: [31, 33] }]);
        const [o] = await s.readPorts([c.ports[2]]);
        assert.deepEqual([o.native, o.tagged, o.anomaly], [30, [31, 33], undefined]);
      } finally {
        await s.close();
      }
    });

    test('at the session limit a new session is refused saying so; it succeeds once one frees', async () => {
      const { emu, config, driver } = await setup(c, { sessionLimit: 1 });
      const s1 = await driver.open(config);
      const err = await rejects(driver.open(config), 'unreachable', /no free session/);
      assert.equal(err.retryable, true);
      assert.ok(emu.host.turnedAway >= 1);
      await s1.close();
      for (let i = 0; i < 500 && emu.host.active > 0; i++) await new Promise((r) => setTimeout(r, 10));
      const s2 = await driver.open(config);
      try {
        assert.equal((await s2.readPorts([c.ports[0]])).length, 1);
      } finally {
        await s2.close();
      }
    });
  });
}
