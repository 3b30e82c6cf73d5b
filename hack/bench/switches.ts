// Switch convergence: N simulated switches × 48 ports, from applying the NetworkAttachments to all of them
// Attached, through the real API server and the controllers (in-process, on the mock driver with real switches'
// latency ratios scaled down 10×: login 200 ms, 2 ms per command, save 100 ms). Printed beside the lower bound —
// max over switches of (login + commands + save) — and, for 4 switches, beside HIL's own way (one session per
// change, one change at a time), measured in the same run on the same mock switches.
import { startControllers, kubeConfigFor } from '../../controllers/daemon.js';
import { parseVlanList } from '../../common/vlans.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { pool, sleep, type BenchContext, type BenchModule } from './env.js';
import { log } from './report.js';

const LOGIN_MS = 200;
const COMMAND_MS = 2;
const SAVE_MS = 100;
const NETWORKS = 8;
const G = '/apis/hil.io/v1alpha1';

async function call(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'hil.io/v1alpha1', kind, metadata: { name }, spec });

/** The cost of one switch's batch with the mock's knobs: login, one read of every port, one write each, one save. */
function lowerBound(ports: number): number {
  return LOGIN_MS + (1 + ports) * COMMAND_MS + SAVE_MS;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Converge N switches × P ports through the API and the controllers; returns ms from the first POST to all Attached. */
async function converge(ctx: BenchContext, switches: number, ports: number): Promise<number> {
  const server = await ctx.startServer();
  const url = server.url;
  const mock = new MockSwitchDriver();
  const controllers = startControllers({
    kubeConfig: kubeConfigFor(url),
    driverRegistry: createRegistry({ mock }),
    pool: parseVlanList('100-999'),
    resyncMs: 10 * 60_000,
  });
  ctx.cleanup.defer('stop the controllers', () => controllers.stop());
  const options = { loginLatencyMs: String(LOGIN_MS), commandLatencyMs: String(COMMAND_MS), saveLatencyMs: String(SAVE_MS) };
  await call(url, 'POST', `${G}/projects`, obj('Project', 'bench', {}));
  for (let s = 0; s < switches; s++) await call(url, 'POST', `${G}/switches`, obj('Switch', `sw${s}`, { type: 'mock', address: `bench-sw${s}`, options }));
  await pool(0, switches * ports, 16, async (i) => {
    const s = Math.floor(i / ports);
    const p = i % ports;
    await call(url, 'POST', `${G}/ports`, obj('Port', `sw${s}-p${p}`, { switch: `sw${s}`, interface: `gi1/0/${p + 1}` }));
    await call(url, 'POST', `${G}/nodes`, obj('Node', `n-${s}-${p}`, { project: 'bench', obm: { type: 'mock', host: `bmc-${s}-${p}` }, nics: [{ name: 'eth0', port: `sw${s}-p${p}` }] }));
  });
  for (let n = 0; n < NETWORKS; n++) await call(url, 'POST', `${G}/networks`, obj('Network', `net${n}`, { owner: 'bench' }));
  await waitFor('VLANs for every network', 60_000, async () => {
    const list = await call(url, 'GET', `${G}/networks`);
    return list.items.every((n: any) => typeof n.status?.vlan === 'number');
  });
  // Let the controllers settle (ports parked, statuses written) before the clock starts.
  await sleep(1500);
  log(`  ${switches}×${ports}: ${switches * ports} nodes ready; applying ${switches * ports} attachments`);
  const t0 = performance.now();
  await pool(0, switches * ports, 16, async (i) => {
    const s = Math.floor(i / ports);
    const p = i % ports;
    await call(url, 'POST', `${G}/networkattachments`, obj('NetworkAttachment', `a-${s}-${p}`, { node: `n-${s}-${p}`, nic: 'eth0', network: `net${i % NETWORKS}` }));
  });
  const posted = performance.now() - t0;
  await waitFor('every attachment Attached', 300_000, async () => {
    const list = await call(url, 'GET', `${G}/networkattachments`);
    return list.items.length === switches * ports && list.items.every((a: any) => a.status?.phase === 'Attached');
  });
  const total = performance.now() - t0;
  const counters = Array.from({ length: switches }, (_, s) => mock.fabric.switch(`bench-sw${s}`).counters);
  log(
    `  ${switches}×${ports}: POSTs done in ${posted.toFixed(0)} ms, all Attached after ${total.toFixed(0)} ms; ` +
      `sessions per switch ${counters.map((c) => c.sessionsOpened).join(',')}, saves ${counters.map((c) => c.saves).join(',')}`,
  );
  await controllers.stop();
  return total;
}

/** HIL's daemon: every change on its own, one after the other, each in its own session with its own save. */
async function baseline(switches: number, ports: number): Promise<number> {
  const mock = new MockSwitchDriver({ knobs: { loginLatencyMs: LOGIN_MS, commandLatencyMs: COMMAND_MS, saveLatencyMs: SAVE_MS } });
  const t0 = performance.now();
  for (let i = 0; i < switches * ports; i++) {
    const s = Math.floor(i / ports);
    const p = i % ports;
    const session = await mock.open({ address: `base-sw${s}`, options: { loginLatencyMs: String(LOGIN_MS), commandLatencyMs: String(COMMAND_MS), saveLatencyMs: String(SAVE_MS) } });
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
      const took = await converge(ctx, switches, ports);
      ctx.report.record(`switch-converge-${name}`, took, 'ms', { aim: { op: '<=', value: Math.round(bound * 1.2) }, switches, ports, boundMs: bound });
      ctx.report.record(`switch-bound-${name}`, bound, 'ms', { switches, ports, loginMs: LOGIN_MS, commandMs: COMMAND_MS, saveMs: SAVE_MS });
      if (switches === 4) {
        const base = await baseline(switches, ports);
        ctx.report.record(`switch-baseline-${name}`, base, 'ms', { switches, ports, speedup: base / took, aimSpeedup: 20 });
      }
    }
  },
};
