// API server benchmarks, over HTTP on loopback against a real `hil-admin serve`: create rate, list latency with
// 10,000 objects, watch fan-out latency to 500 watchers, and resident memory with 10,000 objects. The objects are
// hil.io Projects (cluster-scoped, a small spec), named bench-000000, bench-000001, …
import { performance } from 'node:perf_hooks';
import {
  cpuMeter,
  median,
  percentile,
  pool,
  procMemory,
  scrapeMetrics,
  sleep,
  type BenchContext,
  type BenchModule,
  type BenchServer,
} from './env.js';
import { HttpClient, type HttpResult } from './http.js';
import { log } from './report.js';

const COLLECTION = '/apis/hil.io/v1alpha1/projects';

interface Sizes {
  /**
   * Creates before the timed ones. The server's JIT takes about 2,000 requests to settle (the first 500 creates
   * cost it about three times the CPU of later ones), and api-create-rate is meant to be the steady-state rate.
   */
  warmup: number;
  /** Objects created for api-create-rate. */
  createCount: number;
  /** Total objects stored for the list, watch and memory figures (the warm-up and timed creates count). */
  total: number;
  concurrency: number;
  listRuns: number;
  listWarmup: number;
  watchers: number;
  writes: number;
  writeIntervalMs: number;
}

const FULL: Sizes = {
  warmup: 2_000,
  createCount: 1_000,
  total: 10_000,
  concurrency: 16,
  listRuns: 20,
  listWarmup: 2,
  watchers: 500,
  writes: 200,
  writeIntervalMs: 20,
};
const QUICK: Sizes = {
  warmup: 50,
  createCount: 50,
  total: 200,
  concurrency: 16,
  listRuns: 3,
  listWarmup: 1,
  watchers: 5,
  writes: 10,
  writeIntervalMs: 20,
};

function project(i: number) {
  return {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Project',
    metadata: { name: `bench-${String(i).padStart(6, '0')}`, labels: { 'bench.hil.io/run': 'api' } },
    spec: { description: `Benchmark project number ${i}, created by npm run bench.` },
  };
}

function expectStatus(r: HttpResult, ok: number[], what: string): HttpResult {
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status}: ${r.text.slice(0, 500)}`);
  return r;
}

/** Creates objects [from, to) with `concurrency` clients; returns the rate, request latencies and CPU use. */
async function createObjects(client: HttpClient, server: BenchServer, from: number, to: number, concurrency: number) {
  const latencies: number[] = [];
  const cpu = await cpuMeter(server);
  const started = performance.now();
  await pool(from, to, concurrency, async (i) => {
    const r = await client.request('POST', COLLECTION, project(i));
    expectStatus(r, [201], `create ${project(i).metadata.name}`);
    latencies.push(r.ms);
  });
  const seconds = (performance.now() - started) / 1000;
  const n = to - from;
  return { rate: n / seconds, seconds, latencies, ...(await cpu(n)) };
}

async function listOnce(client: HttpClient, expected?: number) {
  const r = expectStatus(await client.request('GET', COLLECTION), [200], 'list');
  const body = JSON.parse(r.text) as { items: unknown[]; metadata: { resourceVersion: string } };
  if (expected !== undefined && body.items.length !== expected)
    throw new Error(`list returned ${body.items.length} items, expected ${expected}`);
  return { ms: r.ms, bytes: Buffer.byteLength(r.text), items: body.items.length, rv: body.metadata.resourceVersion };
}

/** The server's resident memory: its own process_resident_memory_bytes, else /proc/PID/status. */
async function serverMemory(server: BenchServer) {
  const metrics = await scrapeMetrics(server.url);
  const metricsRss = metrics.value('process_resident_memory_bytes');
  const heapUsed = metrics.value('nodejs_heap_size_used_bytes');
  const proc = procMemory(server.pid);
  const rss = metricsRss ?? proc?.rss;
  if (rss === undefined || !Number.isFinite(rss)) throw new Error("could not read the server's resident memory");
  return {
    rssMiB: rss / 2 ** 20,
    source: metricsRss !== undefined ? 'process_resident_memory_bytes' : '/proc/PID/status VmRSS',
    peakMiB: proc ? proc.peak / 2 ** 20 : undefined,
    heapUsedMiB: heapUsed !== undefined ? heapUsed / 2 ** 20 : undefined,
  };
}

async function measureWatch(ctx: BenchContext, server: BenchServer, client: HttpClient, sizes: Sizes): Promise<void> {
  const name = 'bench-watch-target';
  const target = { ...project(-1), metadata: { name, labels: { 'bench.hil.io/run': 'watch' } } };
  expectStatus(await client.request('POST', COLLECTION, target), [201], 'create the watch target');
  const { rv } = await listOnce(client);

  const { watchers: W, writes: N } = sizes;
  // arrival[w][seq]: when watcher w saw write seq (performance.now() ms); NaN until then.
  const arrival = Array.from({ length: W }, () => new Float64Array(N).fill(NaN));
  const sentAt = new Float64Array(N).fill(NaN);
  let received = 0;
  let unexpected = 0;
  let duplicates = 0;
  const streams = await Promise.all(
    Array.from({ length: W }, async (_, w) => {
      const s = await client.stream(`${COLLECTION}?watch=true&resourceVersion=${rv}`, (line, at) => {
        const ev = JSON.parse(line) as { type: string; object: any };
        const m = /^watch-seq-(\d+)$/.exec(ev.object?.spec?.description ?? '');
        if (ev.type !== 'MODIFIED' || ev.object?.metadata?.name !== name || !m || Number(m[1]) >= N) {
          unexpected++;
          return;
        }
        const seq = Number(m[1]);
        if (!Number.isNaN(arrival[w][seq])) duplicates++;
        else received++;
        arrival[w][seq] = at;
      });
      if (s.status !== 200) {
        s.close();
        throw new Error(`watch: HTTP ${s.status}`);
      }
      return s;
    }),
  );
  log(`  ${W} watchers open at resourceVersion ${rv}; ${N} writes, one every ${sizes.writeIntervalMs} ms`);

  const writeLatencies: number[] = [];
  const cpu = await cpuMeter(server);
  const start = performance.now();
  for (let seq = 0; seq < N; seq++) {
    const wait = start + seq * sizes.writeIntervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[seq] = performance.now();
    const r = await client.request(
      'PATCH',
      `${COLLECTION}/${name}`,
      { spec: { description: `watch-seq-${seq}` } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expectStatus(r, [200], `update ${name}`);
    writeLatencies.push(r.ms);
  }
  // Everything should arrive within moments of the last write; give stragglers 5 s.
  const deadline = performance.now() + 5_000;
  while (received < W * N && performance.now() < deadline) await sleep(10);
  const used = await cpu(N);
  for (const s of streams) s.close();
  await Promise.allSettled(streams.map((s) => s.done));

  const latencies: number[] = [];
  for (let w = 0; w < W; w++)
    for (let seq = 0; seq < N; seq++) if (!Number.isNaN(arrival[w][seq])) latencies.push(arrival[w][seq] - sentAt[seq]);
  const missed = W * N - received;
  const common = {
    watchers: W,
    writes: N,
    intervalMs: sizes.writeIntervalMs,
    samples: latencies.length,
    objects: sizes.total + 1,
    ...used,
  };
  ctx.report.record('watch-latency-p50', percentile(latencies, 50), 'ms', {
    ...common,
    writeP50: percentile(writeLatencies, 50),
  });
  ctx.report.record('watch-latency-p99', percentile(latencies, 99), 'ms', {
    ...common,
    max: Math.max(...latencies),
    writeP99: percentile(writeLatencies, 99),
    aim: { op: '<', value: 100 },
  });
  if (missed || duplicates || unexpected) {
    throw new Error(
      `watch: ${missed} of ${W * N} events never arrived, ${duplicates} arrived twice, ${unexpected} were unexpected`,
    );
  }
}

export const apiServerBench: BenchModule = {
  name: 'apiserver',
  description: 'create rate, list latency and memory with 10,000 objects, watch latency to 500 watchers',
  async run(ctx) {
    const sizes = ctx.quick ? QUICK : FULL;
    const server = await ctx.startServer();
    const client = new HttpClient(server.url, sizes.concurrency);
    ctx.cleanup.defer('close the HTTP client', () => client.close());

    // 0. Memory of the idle server, for comparison with server-rss-10k.
    const idle = await serverMemory(server);
    ctx.report.record('server-rss-idle', idle.rssMiB, 'MiB', {
      objects: 0,
      source: idle.source,
      heapUsedMiB: idle.heapUsedMiB,
    });

    // 1. Fill the store with `total` objects, 16 clients at a time, from a freshly started server. The whole fill
    //    gives api-create-rate-10k; a stretch of it after the warm-up gives api-create-rate (steady state).
    const createInfo = (c: Awaited<ReturnType<typeof createObjects>>) => ({
      concurrency: sizes.concurrency,
      latencyP50: percentile(c.latencies, 50),
      latencyP99: percentile(c.latencies, 99),
      serverCpuMsPerOp: c.serverCpuMsPerOp,
      dbCpuMsPerOp: c.dbCpuMsPerOp,
      clientCpuMsPerOp: c.clientCpuMsPerOp,
      otherCpuPct: c.otherCpuPct,
    });
    const timedEnd = sizes.warmup + sizes.createCount;
    const fillStarted = performance.now();
    const cold = await createObjects(client, server, 0, sizes.warmup, sizes.concurrency);
    const timed = await createObjects(client, server, sizes.warmup, timedEnd, sizes.concurrency);
    ctx.report.record('api-create-rate', timed.rate, 'ops/s', {
      objects: sizes.createCount,
      after: sizes.warmup,
      ...createInfo(timed),
      aim: { op: '>=', value: ctx.store === 'sqlite' ? 2_500 : 1_000 },
    });
    const tail = await createObjects(client, server, timedEnd, sizes.total, sizes.concurrency);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    ctx.report.record('api-create-rate-10k', sizes.total / fillSeconds, 'ops/s', {
      objects: sizes.total,
      concurrency: sizes.concurrency,
      coldRate: cold.rate,
      coldServerCpuMsPerOp: cold.serverCpuMsPerOp,
      tailRate: tail.rate,
      tailServerCpuMsPerOp: tail.serverCpuMsPerOp,
      otherCpuPct:
        (cold.otherCpuPct * cold.seconds + timed.otherCpuPct * timed.seconds + tail.otherCpuPct * tail.seconds) /
        fillSeconds,
    });

    // 3. Full JSON lists of all of them, one at a time.
    const times: number[] = [];
    let bytes = 0;
    const cpu = await cpuMeter(server);
    for (let i = 0; i < sizes.listWarmup + sizes.listRuns; i++) {
      const l = await listOnce(client, sizes.total);
      bytes = l.bytes;
      if (i >= sizes.listWarmup) times.push(l.ms);
    }
    const listInfo = {
      objects: sizes.total,
      runs: sizes.listRuns,
      bytes,
      ...(await cpu(sizes.listWarmup + sizes.listRuns)),
    };
    ctx.report.record('api-list-latency', median(times), 'ms', {
      ...listInfo,
      stat: 'median',
      aim: { op: '<', value: 300 },
    });
    ctx.report.record('api-list-latency-p99', percentile(times, 99), 'ms', {
      ...listInfo,
      stat: 'p99 (nearest rank)',
      max: Math.max(...times),
      aim: { op: '<', value: 200 },
    });

    // 4. Memory, right after the lists.
    const mem = await serverMemory(server);
    ctx.report.record('server-rss-10k', mem.rssMiB, 'MiB', {
      objects: sizes.total,
      // Built (dist/, plain node) or from source (tsx's loader adds about 45 MiB).
      server: server.built ? 'dist' : 'tsx',
      aim: server.built ? { op: '<', value: 250 } : undefined,
      source: mem.source,
      peakMiB: mem.peakMiB,
      heapUsedMiB: mem.heapUsedMiB,
    });

    // 5. Watch fan-out.
    await measureWatch(ctx, server, client, sizes);
  },
};
