// Power reconcile of 100 simulated BMCs: the node controller (its real reconciler and work queue) against the mock
// OBM driver at 30 ms per BMC call, every node wanted On and found Off (read, set, read back: 3 calls, ~90 ms per
// node). With the daemon's default parallelism (32 BMCs at once) beside one BMC at a time (HIL's way: one call after
// the other), in the same run. In-process, with an in-memory cache and client: what is measured is the controller's
// BMC parallelism, not the API (the switch and API server modules measure those). Store-independent: run once.
import type { Node } from '../../api/v1alpha1/types.js';
import type { ObjectCache } from '../../controllers/cache.js';
import type { HilClient } from '../../controllers/client.js';
import { NodeReconciler } from '../../controllers/node/node-reconciler.js';
import { Controller } from '../../controllers/runtime/controller.js';
import { createObmRegistry, MockObmDriver } from '../../drivers/obm/index.js';
import type { BenchContext, BenchModule } from './env.js';
import { log } from './report.js';

const NODES = 100;
const LATENCY_MS = 30;
const WORKERS = 32;

async function reconcileAll(workers: number): Promise<{ ms: number; calls: number }> {
  const mock = new MockObmDriver({ latencyMs: LATENCY_MS });
  const nodes = new Map<string, Node>();
  for (let i = 0; i < NODES; i++) {
    const name = `n${i}`;
    nodes.set(name, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Node',
      metadata: { name, generation: 1, resourceVersion: '1' },
      spec: { project: 'p', power: 'On', obm: { type: 'mock', host: `bmc-${i}` } },
      status: { project: 'p' },
    });
  }
  const cache = {
    get: (_p: string, name: string) => nodes.get(name),
    list: () => [...nodes.values()],
  } as unknown as ObjectCache;
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  const client = {
    async patchStatus(_p: string, name: string, status: { power?: string }) {
      const n = nodes.get(name)!;
      n.status = { ...n.status, ...status } as Node['status'];
      if (status.power === 'On' && ++done === NODES) finished();
      return n;
    },
    async patch() {
      throw new Error('not expected');
    },
  } as unknown as HilClient;
  const reconciler = new NodeReconciler({
    client,
    cache,
    obmRegistry: createObmRegistry({ mock }),
    resyncMs: 3_600_000,
  });
  const ctl = new Controller({ name: 'node', reconciler, workers });
  ctl.start();
  const t0 = performance.now();
  for (const name of nodes.keys()) ctl.enqueue(name);
  await all;
  const ms = performance.now() - t0;
  await ctl.stop();
  const calls = mock.all().reduce((s, b) => s + b.counters.calls, 0);
  if (mock.all().some((b) => b.power !== 'On')) throw new Error('not every BMC is On');
  return { ms, calls };
}

let ran = false;

export const nodeBench: BenchModule = {
  name: 'nodes',
  description: 'power reconcile of 100 mock BMCs (30 ms per call): parallel node controller vs one at a time',
  async run(ctx: BenchContext) {
    if (ran) return; // no store involved: once per run
    ran = true;
    log(`nodes: ${NODES} BMCs, ${LATENCY_MS} ms per call, each wanted On and found Off`);
    const parallel = await reconcileAll(WORKERS);
    const serial = await reconcileAll(1);
    const lowerBound = Math.ceil(NODES / WORKERS) * 3 * LATENCY_MS;
    // Recorded under the first store measured (the figures do not depend on it).
    ctx.report.record('obm-reconcile-100', parallel.ms, 'ms', {
      workers: WORKERS,
      bmcCalls: parallel.calls,
      lowerBoundMs: lowerBound,
      speedup: Math.round((serial.ms / parallel.ms) * 10) / 10,
      aim: { op: '<', value: 1_000 },
    });
    ctx.report.record('obm-serial-100', serial.ms, 'ms', {
      workers: 1,
      bmcCalls: serial.calls,
      lowerBoundMs: NODES * 3 * LATENCY_MS,
    });
    log(
      `nodes: ${parallel.ms.toFixed(0)} ms with ${WORKERS} BMCs at once vs ${serial.ms.toFixed(0)} ms one at a time (${(serial.ms / parallel.ms).toFixed(1)}× faster; lower bound ${lowerBound} ms)`,
    );
  },
};
