// Switch convergence: N simulated switches × 48 ports, from applying the NetworkAttachments to all of them
// Attached, through the real API server and the controllers (in-process, on the mock driver with real switches'
// latency ratios scaled down 10×: login 200 ms, 2 ms per command, save 100 ms). Printed beside the lower bound —
// max over switches of (login + commands + save) — and, for 4 switches, beside HIL's own way (one session per
// change, one change at a time), measured in the same run on the same mock switches.
import { startControllers, kubeConfigFor } from '../../controllers/daemon.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { pool, sleep, type BenchContext, type BenchModule } from './env.js';
import { HttpClient } from './http.js';
import { log } from './report.js';
import { call, G, obj, requestCounts, watchAttached, writesBetween } from './attachments.js';

const LOGIN_MS = 200;
const COMMAND_MS = 2;
const SAVE_MS = 100;
const NETWORKS = 8;

/** The cost of one switch's batch with the mock's knobs: login, one read of every port, one write each, one save. */
export function lowerBound(ports: number): number {
  return LOGIN_MS + (1 + ports) * COMMAND_MS + SAVE_MS;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** What is converged: switches × ports, nodes on the first `nodesPerSwitch` ports of each, in `projects` projects. */
export interface Shape {
  switches: number;
  ports: number;
  nodesPerSwitch: number;
  /**
   * 0: every node in one project, attached round-robin to NETWORKS networks (the switch figures). Otherwise node i
   * is in project i % projects, and attached to that project's own network.
   */
  projects: number;
  /** How long to wait for all Attached. */
  timeoutMs: number;
}

/** What a convergence took: ms from the first POST to all Attached, and the API writes made meanwhile. */
export interface Converged {
  ms: number;
  /** Writes (all callers: the POSTs, the controllers' statuses, finalizers and Events) per attachment. */
  writesPerAttachment: number;
  /** The same, by "verb resource[/subresource]". */
  writes: Record<string, number>;
}

/** Converge a Shape through the API and the controllers. */
export async function converge(ctx: BenchContext, shape: Shape): Promise<Converged> {
  const { switches, ports, nodesPerSwitch, projects } = shape;
  const server = await ctx.startServer();
  const url = server.url;
  // Keep-alive, and a third of fetch's CPU per request: this process also runs the controllers being measured.
  const http = new HttpClient(url, 16);
  ctx.cleanup.defer('close the bench client', () => http.close());
  const mock = new MockSwitchDriver();
  const controllers = startControllers({
    kubeConfig: kubeConfigFor(url),
    driverRegistry: createRegistry({ mock }),
    pool: parseVlanList('100-999'),
    resyncMs: 10 * 60_000,
  });
  ctx.cleanup.defer('stop the controllers', () => controllers.stop());
  const options = {
    loginLatencyMs: String(LOGIN_MS),
    commandLatencyMs: String(COMMAND_MS),
    saveLatencyMs: String(SAVE_MS),
  };
  const projectOf = (i: number) => (projects ? `fp${i % projects}` : 'bench');
  const networkOf = (i: number) => (projects ? `fnet${i % projects}` : `net${i % NETWORKS}`);
  await pool(0, Math.max(projects, 1), 16, async (k) => {
    await call(http, 'POST', `${G}/projects`, obj('Project', projects ? `fp${k}` : 'bench', {}));
  });
  await pool(0, switches, 16, async (s) => {
    await call(
      http,
      'POST',
      `${G}/switches`,
      obj('Switch', `sw${s}`, { type: 'mock', address: `bench-sw${s}`, options }),
    );
  });
  const total = switches * nodesPerSwitch;
  const big = switches * ports > 1000;
  let made = 0;
  await pool(0, switches * ports, 16, async (i) => {
    const s = Math.floor(i / ports);
    const p = i % ports;
    await call(
      http,
      'POST',
      `${G}/ports`,
      obj('Port', `sw${s}-p${p}`, { switch: `sw${s}`, interface: `gi1/0/${p + 1}` }),
    );
    if (p < nodesPerSwitch)
      await call(
        http,
        'POST',
        `${G}/nodes`,
        obj('Node', `n-${s}-${p}`, {
          project: projectOf(s * nodesPerSwitch + p),
          obm: { type: 'mock', host: `bmc-${s}-${p}` },
          nics: [{ name: 'eth0', port: `sw${s}-p${p}` }],
        }),
      );
    if (big && ++made % 2000 === 0) log(`  ${switches}×${ports}: ${made} ports (and their nodes) created`);
  });
  const networks = projects || NETWORKS;
  await pool(0, networks, 16, async (n) => {
    await call(
      http,
      'POST',
      `${G}/networks`,
      obj('Network', projects ? `fnet${n}` : `net${n}`, { owner: projects ? `fp${n}` : 'bench' }),
    );
  });
  await waitFor('VLANs for every network', 120_000, async () => {
    const list = await call(http, 'GET', `${G}/networks`);
    return list.items.every((n: any) => typeof n.status?.vlan === 'number');
  });
  // Let the controllers settle (ports parked, statuses written) before the clock starts: the store's revision
  // stands still for a while (1.5 s; with thousands of objects, until it has not moved for 2 s).
  await settle(http, big ? 2000 : 1500);
  const watch = await watchAttached(ctx, http, total);
  log(`  ${switches}×${ports}: ${total} nodes ready; applying ${total} attachments`);
  const countsBefore = await requestCounts(url);
  const t0 = performance.now();
  await pool(0, total, 16, async (i) => {
    const s = Math.floor(i / nodesPerSwitch);
    const p = i % nodesPerSwitch;
    await call(
      http,
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', `a-${s}-${p}`, { node: `n-${s}-${p}`, nic: 'eth0', network: networkOf(i) }),
    );
  });
  const posted = performance.now() - t0;
  log(`  ${switches}×${ports}: ${total} attachments POSTed in ${posted.toFixed(0)} ms`);
  const took = (await watch.allAttached(shape.timeoutMs)) - t0;
  // Counted once all are Attached: the writes the clock waited for (and any informational ones that overlapped).
  const writes = writesBetween(countsBefore, await requestCounts(url));
  const counters = Array.from({ length: switches }, (_, s) => mock.fabric.switch(`bench-sw${s}`).counters);
  const summary = (xs: number[]) => (xs.length > 16 ? `${Math.min(...xs)}–${Math.max(...xs)}` : xs.join(','));
  log(`  ${switches}×${ports}: ${watch.milestones(t0)}`);
  log(
    `  ${switches}×${ports}: POSTs done in ${posted.toFixed(0)} ms, all Attached after ${took.toFixed(0)} ms; ` +
      `sessions per switch ${summary(counters.map((c) => c.sessionsOpened))}, saves ${summary(counters.map((c) => c.saves))}`,
  );
  const sum = writes.reduce((a, w) => a + w.n, 0);
  log(
    `  ${switches}×${ports}: ${sum} writes until all Attached (${(sum / total).toFixed(1)} per attachment): ` +
      writes.map((w) => `${w.key} ${w.n}`).join(', '),
  );
  await controllers.stop();
  return {
    ms: took,
    writesPerAttachment: Math.round((sum / total) * 100) / 100,
    writes: Object.fromEntries(writes.map((w) => [w.key, w.n])),
  };
}

/** Waits until the store's revision has not moved for `quietMs`. */
async function settle(http: HttpClient, quietMs: number): Promise<void> {
  let last = '';
  let since = performance.now();
  const deadline = performance.now() + 300_000;
  for (;;) {
    const rv = (await call(http, 'GET', `${G}/projects?limit=1`)).metadata.resourceVersion as string;
    if (rv !== last) {
      last = rv;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) return;
    if (performance.now() > deadline) throw new Error('the controllers did not settle within 300 s');
    await sleep(250);
  }
}

/** HIL's daemon: every change on its own, one after the other, each in its own session with its own save. */
async function baseline(switches: number, ports: number): Promise<number> {
  const mock = new MockSwitchDriver({
    knobs: { loginLatencyMs: LOGIN_MS, commandLatencyMs: COMMAND_MS, saveLatencyMs: SAVE_MS },
  });
  const t0 = performance.now();
  for (let i = 0; i < switches * ports; i++) {
    const s = Math.floor(i / ports);
    const p = i % ports;
    const session = await mock.open({
      address: `base-sw${s}`,
      options: {
        loginLatencyMs: String(LOGIN_MS),
        commandLatencyMs: String(COMMAND_MS),
        saveLatencyMs: String(SAVE_MS),
      },
    });
    try {
      await session.apply([{ interface: `gi1/0/${p + 1}`, native: 100 + (i % NETWORKS), tagged: [] }]);
      await session.save();
    } finally {
      await session.close();
    }
  }
  return performance.now() - t0;
}

export const switchBench: BenchModule = {
  name: 'switches',
  description: 'switch convergence through the API and controllers, on simulated switches',
  async run(ctx) {
    // Convergence measures the controllers; the store under the API server is secondary, so one store is enough
    // (PostgreSQL's slower writes only stretch the run).
    if (ctx.store !== 'sqlite') {
      log(`  switches: measured on sqlite only`);
      return;
    }
    const ports = ctx.quick ? 12 : 48;
    for (const switches of [4, 16]) {
      const name = `${switches}x${ports === 48 ? 48 : ports}`;
      const bound = lowerBound(ports);
      const {
        ms: took,
        writesPerAttachment,
        writes,
      } = await converge(ctx, {
        switches,
        ports,
        nodesPerSwitch: ports,
        projects: 0,
        timeoutMs: 300_000,
      });
      ctx.report.record(`switch-converge-${name}`, took, 'ms', {
        aim: { op: '<=', value: Math.round(bound * 1.2) },
        switches,
        ports,
        boundMs: bound,
        writesPerAttachment,
        writes,
      });
      ctx.report.record(`switch-bound-${name}`, bound, 'ms', {
        switches,
        ports,
        loginMs: LOGIN_MS,
        commandMs: COMMAND_MS,
        saveMs: SAVE_MS,
      });
      if (switches === 4) {
        const base = await baseline(switches, ports);
        ctx.report.record(`switch-baseline-${name}`, base, 'ms', {
          switches,
          ports,
          speedup: base / took,
          aimSpeedup: 20,
        });
      }
    }
  },
};
