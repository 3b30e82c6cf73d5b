// What every benchmark module needs: a real `hil-admin serve` child process on a fresh store (SQLite in a temp
// folder, or a fresh PostgreSQL database), a cleanup stack that runs even on failure or Ctrl-C, and small helpers
// (statistics, a concurrency pool, reading the server's memory).
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { packageRoot } from '../../common/paths.js';
import { freePort } from '../../test/support/server.js';
import { createTestDatabase } from '../../test/support/postgres.js';
import { log, type Reporter, type Store } from './report.js';

// ---- cleanup -----------------------------------------------------------------------------------------------

type Step = { what: string; fn: () => Promise<void> | void };

/**
 * LIFO cleanup steps; each runs once, failures are logged and do not stop the others. Concurrent run() calls (a
 * module's own `finally` and a Ctrl-C) share one pass and all resolve when it is complete.
 */
export class Cleanup {
  private steps: Step[] = [];
  private running?: Promise<boolean>;

  defer(what: string, fn: () => Promise<void> | void): void {
    this.steps.push({ what, fn });
  }

  run(): Promise<boolean> {
    this.running ??= this.runSteps().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runSteps(): Promise<boolean> {
    let ok = true;
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
      } catch (err) {
        ok = false;
        log(`cleanup: ${step.what} failed: ${(err as Error)?.message ?? err}`);
      }
    }
    return ok;
  }
}

// ---- servers -----------------------------------------------------------------------------------------------

export interface BenchServer {
  url: string;
  pid: number;
  store: Store;
  /** The tail of the server's log (JSON lines), for diagnostics. */
  output(): string;
  /** PostgreSQL only: the pids of the database's backends serving this server (to account for their CPU). */
  dbBackendPids?(): Promise<number[]>;
  /** Running from dist/ (npm run build) rather than from source with tsx. */
  built: boolean;
}

export interface ServerOptions {
  /** --log-level for the server; the default (info) logs one line per request, as a real installation does. */
  logLevel: string;
  /** The checkout whose cmd/hil-admin.ts runs (default: this one), e.g. another commit's, to compare. */
  serverRoot?: string;
  /** Run the server as built by `npm run build` (dist/cmd/hil-admin.js, plain node), as it is deployed. */
  built?: boolean;
}

const OUTPUT_TAIL = 64 * 1024;

/**
 * Runs `hil-admin serve` from source as a child process (as test/support/server.ts's startChildServer does, but
 * with tsx's loader given as an absolute URL: the child's working directory is the temp data dir, so that no
 * ./hil.cfg is picked up, and a bare `--import tsx` cannot be resolved from there).
 */
async function spawnServer(
  dataDir: string,
  databaseUri: string | undefined,
  logLevel: string,
  root = packageRoot(),
  built = false,
) {
  const port = await freePort();
  const entry = built ? join(root, 'dist', 'cmd', 'hil-admin.js') : join(root, 'cmd', 'hil-admin.ts');
  if (built && !existsSync(entry)) throw new Error(`no ${entry}: run npm run build first`);
  const argv = [
    ...(built ? [] : ['--import', import.meta.resolve('tsx')]),
    entry,
    'serve',
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    '--log-level',
    logLevel,
    ...(databaseUri ? ['--database-uri', databaseUri] : []),
  ];
  // The server's log goes to a file in its data dir, not through a pipe: reading it would cost this process CPU
  // that the measurements need (at the default level the server logs a line per request).
  const logFile = join(dataDir, 'server.log');
  const fd = openSync(logFile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, argv, { cwd: dataDir, env: process.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const out = () => {
    try {
      const text = readFileSync(logFile, 'utf8');
      return text.slice(-OUTPUT_TAIL);
    } catch {
      return '';
    }
  };
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnError = err; // e.g. the executable could not be started: there will be no 'exit'
      resolve();
    });
  });
  const alive = () => !spawnError && child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 10_000) => {
    if (!alive()) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut && alive()) {
      log(`server pid ${child.pid} did not stop on SIGTERM within ${graceMs} ms; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (!alive())
        throw new Error(
          `hil-admin serve exited (${spawnError?.message ?? child.exitCode ?? child.signalCode}):\n${out().slice(-4000)}`,
        );
      try {
        const r = await fetch(`${url}/readyz`);
        await r.text();
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline)
        throw new Error(`hil-admin serve did not become ready in 30 s:\n${out().slice(-4000)}`);
      await sleep(100);
    }
  } catch (err) {
    await stop(2_000);
    throw err;
  }
  return { url, pid: child.pid!, output: out, stop };
}

/** Starts `hil-admin serve` on a fresh store; everything it creates is undone by `cleanup`. */
export async function startServer(store: Store, cleanup: Cleanup, options: ServerOptions): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hil-bench-'));
  cleanup.defer(`remove ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUri: string | undefined;
  let dbBackendPids: BenchServer['dbBackendPids'];
  if (store === 'postgres') {
    const db = await createTestDatabase();
    cleanup.defer('drop the benchmark database', () => db.drop());
    databaseUri = db.uri;
    const admin = new pg.Client({ connectionString: db.uri });
    admin.on('error', (err) => log(`monitoring connection to PostgreSQL: ${err.message}`));
    await admin.connect();
    cleanup.defer('close the monitoring connection', () => admin.end());
    dbBackendPids = async () =>
      (
        await admin.query<{ pid: number }>(
          'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        )
      ).rows.map((r) => r.pid);
  }
  const child = await spawnServer(dataDir, databaseUri, options.logLevel, options.serverRoot, options.built);
  cleanup.defer(`stop server pid ${child.pid}`, () => child.stop());
  log(`${store}: hil-admin serve pid ${child.pid} at ${child.url}${databaseUri ? '' : ` (data dir ${dataDir})`}`);
  return { url: child.url, pid: child.pid, store, output: child.output, dbBackendPids, built: options.built === true };
}

// ---- what a module gets ------------------------------------------------------------------------------------

export interface BenchContext {
  store: Store;
  quick: boolean;
  report: Reporter;
  cleanup: Cleanup;
  /** A fresh server on a fresh store (each call: a new one), stopped and removed by cleanup. */
  startServer(): Promise<BenchServer>;
}

export interface BenchModule {
  name: string;
  /** One line, for --help. */
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

// ---- helpers -----------------------------------------------------------------------------------------------

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(samples: number[]): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs task(i) for i in [from, to) on `concurrency` workers; rejects on the first failure (after the others stop). */
export async function pool(
  from: number,
  to: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = from;
  let failed: unknown;
  const worker = async () => {
    while (next < to && failed === undefined) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(String(failed));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process from /proc (bytes), with its peak (VmHWM). */
export function procMemory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

/** CPU time (user + system, all threads) a process has used so far, in ms; NaN where /proc is missing. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3); utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU used by this process (the benchmark client) so far, in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Busy and total CPU time of the whole machine so far (ms, summed over cores), from /proc/stat. */
function machineCpuMs(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = v.reduce((a, b) => a + b, 0);
    return {
      busy: ((total - v[3] - v[4]) * 1000) / CLOCK_TICKS_PER_SECOND,
      total: (total * 1000) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/**
 * CPU accounting over a phase: how much the server, its database backends (PostgreSQL) and this client used per
 * operation, and how busy the machine was with anything else (someone else's tests, PostgreSQL's background
 * writers…), to judge how much a figure was disturbed. Call it at the start; await the result at the end.
 */
export async function cpuMeter(server: BenchServer) {
  const backends0 = new Map((await server.dbBackendPids?.())?.map((pid) => [pid, procCpuMs(pid)]) ?? []);
  const s0 = procCpuMs(server.pid);
  const c0 = selfCpuMs();
  const m0 = machineCpuMs();
  return async (ops: number) => {
    const server_ = procCpuMs(server.pid) - s0;
    const client = selfCpuMs() - c0;
    const m1 = machineCpuMs();
    let db = 0;
    // Backends that started during the phase count from zero; any that ended are lost (counted as "other").
    for (const pid of (await server.dbBackendPids?.()) ?? []) {
      const now = procCpuMs(pid);
      if (Number.isFinite(now)) db += now - (backends0.get(pid) ?? 0);
    }
    const total = m1.total - m0.total;
    const busy = m1.busy - m0.busy;
    return {
      serverCpuMsPerOp: server_ / ops,
      ...(server.dbBackendPids ? { dbCpuMsPerOp: db / ops } : {}),
      clientCpuMsPerOp: client / ops,
      /** Share of all cores' time used by neither the server, its database backends nor the benchmark. */
      otherCpuPct: Math.max(0, ((busy - server_ - db - client) / total) * 100),
    };
  };
}

/**
 * Waits until the machine is quiet (a 3 s window with less than `maxBusyPct` of all cores busy), for at most
 * `timeoutMs`. Returns the busy share of the last window. For shared machines, where other work disturbs figures.
 */
export async function waitQuiet(timeoutMs: number, maxBusyPct = 15): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m0 = machineCpuMs();
    await sleep(3_000);
    const m1 = machineCpuMs();
    const busyPct = ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100;
    if (!(busyPct >= maxBusyPct) || Date.now() >= deadline) return busyPct;
  }
}

/** One sample of a metric: its labels and value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Scrapes the server's /metrics once: `value(name)` is one unlabelled sample (undefined if absent), `samples(name)`
 * every sample of a labelled metric.
 */
export async function scrapeMetrics(
  url: string,
): Promise<{ value(name: string): number | undefined; samples(name: string): MetricSample[] }> {
  const r = await fetch(`${url}/metrics`);
  const text = await r.text();
  if (!r.ok) throw new Error(`GET /metrics: HTTP ${r.status}`);
  return {
    value(name) {
      const m = new RegExp(`^${name}(?:\\{\\})? ([0-9.eE+-]+)`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    },
    samples(name) {
      return [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} ([0-9.eE+-]+)`, 'gm'))].map((m) => ({
        labels: Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])),
        value: Number(m[2]),
      }));
    },
  };
}
