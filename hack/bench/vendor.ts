// Vendor switch convergence: 4 emulated CLI switches (2 Dell PowerConnect, 2 Cisco Nexus, over SSH) × 48 ports with a
// real switch's costs — login 2.5 s, 20 ms per command, save 1.5 s more than a command — from applying the
// NetworkAttachments to all of them Attached, through the real API server and the controllers (in-process, the
// real CLI drivers, nothing mocked but the switches).
//
// vendor-converge-4x48 is printed beside its lower bound: the max over switches of login + the lines ONE batch of
// that switch's 48 ports needs (one read each, then the writes; counted by running that batch straight on a fresh
// emulator) × 20 ms + one save. vendor-baseline-4x48 is HIL's way — every port change on its own, one after the other,
// each with its own login and its own save — run for real on a few ports and scaled to 192 (said in the output).
// VENDOR_TRACE=1 runs only the convergence and prints when each switch logged in, read, configured and saved.
import { loadavg } from 'node:os';
import { startControllers, kubeConfigFor } from '../../controllers/daemon.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { CliSwitchDriver } from '../../drivers/switch/cli/cli-driver.js';
import { ciscoNexus } from '../../drivers/switch/cli/dialects/cisco-nexus.js';
import { dellPowerConnect } from '../../drivers/switch/cli/dialects/dell-powerconnect.js';
import { createRegistry, type PortChange, type SwitchConfig } from '../../drivers/switch/index.js';
import { CiscoNexusEmulator } from '../../test/support/switches/cisco-nexus-emulator.js';
import { DellPowerConnectEmulator } from '../../test/support/switches/dell-powerconnect-emulator.js';
import type { EmulatorKnobs, SshCliServer } from '../../test/support/switches/ssh-cli-server.js';
import { pool, sleep, type BenchContext, type BenchModule } from './env.js';
import { HttpClient } from './http.js';
import { log } from './report.js';
import { call, G, obj, watchAttached } from './attachments.js';

/** A real switch's costs; --quick (a smoke run: do the parts work?) divides them by 10. */
const COSTS = { loginMs: 2_500, commandMs: 20, saveMs: 1_500 };
let cost = COSTS;
const SWITCHES = 4;
const NETWORKS = 8;
const DUMMY_VLAN = 4000;
const knobs = (): Partial<EmulatorKnobs> => ({
  loginLatencyMs: cost.loginMs,
  commandLatencyMs: cost.commandMs,
  saveLatencyMs: cost.saveMs,
});

interface Kind {
  type: 'dell-powerconnect' | 'cisco-nexus';
  start(ports: number): Promise<{ server: SshCliServer }>;
  port(i: number): string;
  options: Record<string, string>;
  driver: CliSwitchDriver;
}

const KINDS: Kind[] = [
  {
    type: 'dell-powerconnect',
    start: (n) => DellPowerConnectEmulator.start(`gi1/0/1-${n}`, knobs()),
    port: (i) => `gi1/0/${i + 1}`,
    options: {},
    driver: new CliSwitchDriver(dellPowerConnect),
  },
  {
    type: 'cisco-nexus',
    start: (n) => CiscoNexusEmulator.start(`Ethernet1/1-${n}`, knobs()),
    port: (i) => `Ethernet1/${i + 1}`,
    options: { dummyVlan: String(DUMMY_VLAN) },
    driver: new CliSwitchDriver(ciscoNexus),
  },
];

const kindOf = (s: number) => KINDS[s % KINDS.length];

const credentials = { username: 'admin', password: 'secret' };

/** The same change the converge run makes to port p (VLANs 100…107 stand for the networks' VLANs). */
const changeFor = (k: Kind, p: number): PortChange => ({
  interface: k.port(p),
  native: 100 + (p % NETWORKS),
  tagged: [],
});

/**
 * The lines one batch needs on a switch of this kind, from parked ports to one network each: run straight through
 * the driver on a fresh emulator (login included) and counted there. Also how long that took, for the record.
 */
async function oneBatch(ctx: BenchContext, k: Kind, ports: number): Promise<{ lines: number; ms: number }> {
  const emu = await k.start(ports);
  ctx.cleanup.defer(`close the ${k.type} emulator`, () => emu.server.close());
  const config: SwitchConfig = { address: emu.server.address, credentials, options: k.options };
  const all = Array.from({ length: ports }, (_, p) => k.port(p));
  // Parked first, as the controllers leave them before the clock starts (not timed, not counted).
  const setup = await k.driver.open(config);
  await setup.apply(all.map((i) => ({ interface: i, native: null, tagged: [] })));
  await setup.close();
  const before = emu.server.received.length;
  const t0 = performance.now();
  const s = await k.driver.open(config);
  await s.apply(Array.from({ length: ports }, (_, p) => changeFor(k, p)));
  await s.save();
  const ms = performance.now() - t0;
  await s.close();
  await emu.server.close();
  // `exit` at the end is the close, not part of the work.
  return { lines: emu.server.received.length - before - 1, ms };
}

/** Converges SWITCHES × ports through the API and controllers; ms from the first POST to all Attached. */
async function converge(ctx: BenchContext, ports: number): Promise<{ ms: number; servers: SshCliServer[] }> {
  const servers: SshCliServer[] = [];
  for (let s = 0; s < SWITCHES; s++) {
    const emu = await kindOf(s).start(ports);
    servers.push(emu.server);
    ctx.cleanup.defer(`close emulator ${s}`, () => emu.server.close());
  }
  const server = await ctx.startServer();
  const http = new HttpClient(server.url, 16);
  ctx.cleanup.defer('close the bench client', () => http.close());
  const controllers = startControllers({
    kubeConfig: kubeConfigFor(server.url),
    driverRegistry: createRegistry(),
    pool: parseVlanList('100-999'),
    resyncMs: 10 * 60_000,
  });
  ctx.cleanup.defer('stop the controllers', () => controllers.stop());
  await call(http, 'POST', `${G}/projects`, obj('Project', 'bench', {}));
  await call(http, 'POST', '/api/v1/namespaces/hil-system/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bench-switch' },
    stringData: credentials,
  });
  for (let s = 0; s < SWITCHES; s++) {
    const k = kindOf(s);
    await call(
      http,
      'POST',
      `${G}/switches`,
      obj('Switch', `vsw${s}`, {
        type: k.type,
        address: servers[s].address,
        credentialsSecretRef: { name: 'bench-switch', namespace: 'hil-system' },
        options: k.options,
      }),
    );
  }
  await pool(0, SWITCHES * ports, 16, async (i) => {
    const s = Math.floor(i / ports);
    const p = i % ports;
    await call(
      http,
      'POST',
      `${G}/ports`,
      obj('Port', `vsw${s}-p${p}`, { switch: `vsw${s}`, interface: kindOf(s).port(p) }),
    );
    await call(
      http,
      'POST',
      `${G}/nodes`,
      obj('Node', `vn-${s}-${p}`, {
        project: 'bench',
        obm: { type: 'mock', host: `bmc-${s}-${p}` },
        nics: [{ name: 'eth0', port: `vsw${s}-p${p}` }],
      }),
    );
  });
  for (let n = 0; n < NETWORKS; n++)
    await call(http, 'POST', `${G}/networks`, obj('Network', `vnet${n}`, { owner: 'bench' }));
  const deadline = Date.now() + 120_000;
  // Every port parked and every switch Ready before the clock starts; then the kept sessions time out.
  for (;;) {
    const sws = (await call(http, 'GET', `${G}/switches`)).items as any[];
    const nets = (await call(http, 'GET', `${G}/networks`)).items as any[];
    const ready = sws.every((s) => s.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    if (ready && nets.every((n) => typeof n.status?.vlan === 'number')) break;
    if (Date.now() > deadline)
      throw new Error(`switches not Ready after 120 s: ${JSON.stringify(sws.map((s) => s.status))}`);
    await sleep(250);
  }
  // The switches' idle timeout ends the kept sessions: the measured run starts with a login, as a cold switch's does.
  for (const s of servers) s.hangUp();
  await sleep(500);
  const total = SWITCHES * ports;
  const watch = await watchAttached(ctx, http, total);
  const trace: { s: number; at: number; line: string }[] = [];
  if (process.env.VENDOR_TRACE)
    servers.forEach((srv, i) => {
      const orig = srv.received.push.bind(srv.received);
      srv.received.push = (...l: string[]) => {
        for (const line of l) trace.push({ s: i, at: performance.now(), line });
        return orig(...l);
      };
    });
  const shells = servers.map((s) => s.shells);
  const lines = servers.map((s) => s.received.length);
  log(`  ${SWITCHES}×${ports}: ${total} nodes ready, ports parked; applying ${total} attachments`);
  const t0 = performance.now();
  // Round-robin over the switches (every switch's first change at the start, as the bound assumes).
  await pool(0, total, 16, async (i) => {
    const s = i % SWITCHES;
    const p = Math.floor(i / SWITCHES);
    await call(
      http,
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', `va-${s}-${p}`, { node: `vn-${s}-${p}`, nic: 'eth0', network: `vnet${p % NETWORKS}` }),
    );
  });
  const postedAt = performance.now();
  const took = (await watch.allAttached(300_000)) - t0;
  if (process.env.VENDOR_TRACE) {
    for (let i = 0; i < SWITCHES; i++) {
      const mine = trace.filter((t) => t.s === i);
      const marks = mine.filter(
        (t, j) =>
          j === 0 ||
          j === mine.length - 1 ||
          /^(configure|end|copy|show running-config interface (gi1\/0\/1|Ethernet1\/1)$)/.test(t.line) ||
          t.line === '',
      );
      log(`  trace sw${i}: ${marks.map((t) => `${(t.at - t0).toFixed(0)}:${t.line || '<empty>'}`).join(' | ')}`);
    }
    log(`  trace: posted by ${(postedAt - t0).toFixed(0)}, all Attached at ${took.toFixed(0)}`);
  }
  const saves = servers.map(
    (s, i) => s.received.slice(lines[i]).filter((l) => l.trim() === 'copy running-config startup-config').length,
  );
  log(
    `  ${SWITCHES}×${ports}: all Attached after ${took.toFixed(0)} ms; logins per switch ${servers.map((s, i) => s.shells - shells[i]).join(',')}, ` +
      `lines ${servers.map((s, i) => s.received.length - lines[i]).join(',')}, saves ${saves.join(',')}`,
  );
  await controllers.stop();
  return { ms: took, servers };
}

/**
 * HIL's way: each port change on its own session (login, the change, a save, logout), one after the other, as HIL's
 * network daemon worked its queue. Run for `sample` changes per kind; the mean per change × every port.
 */
async function baseline(ctx: BenchContext, sample: number): Promise<{ perChangeMs: number; ran: number }> {
  const times: number[] = [];
  for (const k of KINDS) {
    const emu = await k.start(sample);
    ctx.cleanup.defer(`close the ${k.type} baseline emulator`, () => emu.server.close());
    const config: SwitchConfig = { address: emu.server.address, credentials, options: k.options };
    for (let p = 0; p < sample; p++) {
      const t0 = performance.now();
      const s = await k.driver.open(config);
      try {
        await s.apply([changeFor(k, p)]);
        await s.save();
      } finally {
        await s.close();
      }
      times.push(performance.now() - t0);
    }
    await emu.server.close();
  }
  return { perChangeMs: times.reduce((a, b) => a + b, 0) / times.length, ran: times.length };
}

export const vendorBench: BenchModule = {
  name: 'vendor',
  description: 'vendor CLI switches (SSH emulators, real costs) converging through the API and controllers',
  async run(ctx) {
    // The controllers and the switches are measured; one store under the API server is enough.
    if (ctx.store !== 'sqlite') {
      log('  vendor: measured on sqlite only');
      return;
    }
    const ports = ctx.quick ? 12 : 48;
    cost = ctx.quick ? { loginMs: 250, commandMs: 2, saveMs: 150 } : COSTS;
    const name = `${SWITCHES}x${ports}`;
    if (process.env.VENDOR_TRACE) {
      await converge(ctx, ports);
      return;
    }
    const batches = await Promise.all(KINDS.map((k) => oneBatch(ctx, k, ports)));
    // The save is one of the lines (20 ms) and takes saveMs more.
    const boundOf = (lines: number) => cost.loginMs + lines * cost.commandMs + cost.saveMs;
    const bound = Math.max(...KINDS.map((_, i) => boundOf(batches[i].lines)));
    for (const [i, k] of KINDS.entries()) {
      log(
        `  one batch on ${k.type}: ${batches[i].lines} lines (reads, config, save) → bound ${boundOf(batches[i].lines)} ms; ` +
          `run straight through the driver: ${batches[i].ms.toFixed(0)} ms`,
      );
    }
    const loadBefore = loadavg()[0];
    const { ms: took } = await converge(ctx, ports);
    // On a shared machine the per-line cost grows with its load; the figures keep the load they were made under.
    const load = `load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
    log(`  converge ran at ${load}`);
    ctx.report.record(`vendor-converge-${name}`, took, 'ms', {
      aim: { op: '<=', value: Math.round(bound * 1.2) },
      switches: SWITCHES,
      ports,
      boundMs: bound,
      ratioToBound: took / bound,
      load,
      directBatchMs: Math.round(Math.max(...batches.map((b) => b.ms))),
    });
    ctx.report.record(`vendor-bound-${name}`, bound, 'ms', {
      ...cost,
      linesPerBatch: Object.fromEntries(KINDS.map((k, i) => [k.type, batches[i].lines])),
    });
    const sample = ctx.quick ? 1 : 4;
    const base = await baseline(ctx, sample);
    const changes = SWITCHES * ports;
    const baseMs = base.perChangeMs * changes;
    log(
      `  baseline: ran ${base.ran} changes (${sample} per switch type), ${base.perChangeMs.toFixed(0)} ms each; ` +
        `scaled to ${changes} changes one after the other = ${(baseMs / 1000).toFixed(0)} s`,
    );
    ctx.report.record(`vendor-baseline-${name}`, baseMs, 'ms', {
      aim: { op: '>=', value: Math.round(took * 20) },
      scaledFrom: `${base.ran} changes run, × ${changes}/${base.ran}`,
      perChangeMs: Math.round(base.perChangeMs),
      speedup: baseMs / took,
    });
  },
};
