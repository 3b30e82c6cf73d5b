// How the write and list paths scale with the size of the store: the create rate and the full-list latency with
// 1,000, 10,000 and 100,000 Projects stored, on one server filled step by step. The aim is a flat create rate
// (at 100,000 objects at least 80 % of the rate at 1,000); the list grows with the objects it returns.
import { performance } from 'node:perf_hooks';
import { cpuMeter, median, percentile, pool, type BenchModule, type BenchServer } from './env.js';
import { HttpClient } from './http.js';
import { log } from './report.js';

const COLLECTION = '/apis/hil.io/v1alpha1/projects';
const EVENTS = '/api/v1/namespaces/default/events';

interface Step {
  /** Objects stored once the step's timed creates are done. */
  objects: number;
  label: string;
  listRuns: number;
}

const FULL = {
  /** Creates before the first step (Events, so the Projects list starts empty): the server's JIT settles. */
  warmup: 2_000,
  /** Timed creates per step: the last `timed` objects of the step. */
  timed: 1_000,
  steps: [
    { objects: 1_000, label: '1k', listRuns: 10 },
    { objects: 10_000, label: '10k', listRuns: 10 },
    { objects: 100_000, label: '100k', listRuns: 3 },
  ] as Step[],
  /** The untimed fill between steps: more clients, it is only the way to the next step. */
  fillConcurrency: 32,
  concurrency: 16,
};
const QUICK = {
  warmup: 50,
  timed: 50,
  steps: [
    { objects: 100, label: '100', listRuns: 2 },
    { objects: 400, label: '400', listRuns: 2 },
  ] as Step[],
  fillConcurrency: 16,
  concurrency: 16,
};

const project = (i: number) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Project',
  metadata: { name: `curve-${String(i).padStart(6, '0')}`, labels: { 'bench.hil.io/run': 'curve' } },
  spec: { description: `Benchmark project number ${i}, created by npm run bench.` },
});

const event = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `curve-warmup-${i}`, namespace: 'default' },
  involvedObject: { kind: 'Project', name: 'curve', apiVersion: 'hil.io/v1alpha1' },
  reason: 'Warmup',
  message: 'warming up the server before the timed creates',
  type: 'Normal',
});

async function post(client: HttpClient, path: string, body: unknown): Promise<number> {
  const r = await client.request('POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return r.ms;
}

async function fill(client: HttpClient, from: number, to: number, concurrency: number): Promise<void> {
  const started = performance.now();
  let done = 0;
  let next = from + 10_000;
  await pool(from, to, concurrency, async (i) => {
    await post(client, COLLECTION, project(i));
    done++;
    if (from + done >= next) {
      log(`  curve: ${from + done} objects stored (${(done / ((performance.now() - started) / 1000)).toFixed(0)}/s)`);
      next += 10_000;
    }
  });
}

async function timedCreates(client: HttpClient, server: BenchServer, from: number, to: number, concurrency: number) {
  const latencies: number[] = [];
  const cpu = await cpuMeter(server);
  const started = performance.now();
  await pool(from, to, concurrency, async (i) => {
    latencies.push(await post(client, COLLECTION, project(i)));
  });
  const rate = (to - from) / ((performance.now() - started) / 1000);
  return { rate, latencies, ...(await cpu(to - from)) };
}

async function lists(client: HttpClient, server: BenchServer, objects: number, runs: number) {
  const times: number[] = [];
  let bytes = 0;
  const cpu = await cpuMeter(server);
  for (let i = 0; i < runs + 1; i++) {
    const r = await client.request('GET', COLLECTION);
    if (r.status !== 200) throw new Error(`list: HTTP ${r.status}`);
    const n = (JSON.parse(r.text) as { items: unknown[] }).items.length;
    if (n !== objects) throw new Error(`list returned ${n} items, expected ${objects}`);
    bytes = Buffer.byteLength(r.text);
    if (i > 0) times.push(r.ms); // the first is untimed
  }
  return { times, bytes, ...(await cpu(runs + 1)) };
}

export const curveBench: BenchModule = {
  name: 'curve',
  description: 'create rate and list latency with 1k, 10k and 100k objects stored (the curve)',
  async run(ctx) {
    const sizes = ctx.quick ? QUICK : FULL;
    const server = await ctx.startServer();
    const client = new HttpClient(server.url, sizes.fillConcurrency);
    ctx.cleanup.defer('close the HTTP client', () => client.close());

    await pool(0, sizes.warmup, sizes.concurrency, (i) => post(client, EVENTS, event(i)).then(() => {}));
    log(`  curve: warmed up with ${sizes.warmup} Event creates`);
    let stored = 0;
    let firstRate: number | undefined;
    for (const step of sizes.steps) {
      const timedFrom = step.objects - sizes.timed;
      if (timedFrom > stored) await fill(client, stored, timedFrom, sizes.fillConcurrency);
      const c = await timedCreates(client, server, timedFrom, step.objects, sizes.concurrency);
      stored = step.objects;
      firstRate ??= c.rate;
      ctx.report.record(`create-rate-${step.label}`, c.rate, 'ops/s', {
        objects: step.objects,
        timed: sizes.timed,
        concurrency: sizes.concurrency,
        ofFirst: c.rate / firstRate,
        latencyP50: percentile(c.latencies, 50),
        latencyP99: percentile(c.latencies, 99),
        serverCpuMsPerOp: c.serverCpuMsPerOp,
        dbCpuMsPerOp: c.dbCpuMsPerOp,
        clientCpuMsPerOp: c.clientCpuMsPerOp,
        otherCpuPct: c.otherCpuPct,
        // The rate at the largest store is to be at least 80 % of the rate at the smallest.
        aim: step === sizes.steps[sizes.steps.length - 1] ? { op: '>=', value: 0.8 * firstRate } : undefined,
      });
      const l = await lists(client, server, step.objects, step.listRuns);
      ctx.report.record(`list-latency-${step.label}`, median(l.times), 'ms', {
        objects: step.objects,
        runs: step.listRuns,
        stat: 'median',
        p99: percentile(l.times, 99),
        bytes: l.bytes,
        serverCpuMsPerOp: l.serverCpuMsPerOp,
        dbCpuMsPerOp: l.dbCpuMsPerOp,
        otherCpuPct: l.otherCpuPct,
      });
    }
  },
};
