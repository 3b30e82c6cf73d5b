// npm run bench [-- --json] [--store sqlite|postgres|all] [--quick] [--server-log-level LEVEL] [--only MODULE,…]
// Runs every benchmark module against each store and prints a table per store, or with --json one JSON object per
// figure per line (and nothing else) on stdout. Exits non-zero only if something broke, never for a missed aim.
// A new benchmark is a BenchModule (see env.ts) in its own file here, added to MODULES below.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { apiServerBench } from './apiserver.js';
import { switchBench } from './switches.js';
import { nodeBench } from './nodes.js';
import { vendorBench } from './vendor.js';
import { curveBench } from './curve.js';
import { fleetBench } from './fleet.js';
import { Cleanup, startServer, waitQuiet, type BenchModule, type BenchServer } from './env.js';
import { log, Reporter, type Store } from './report.js';

const MODULES: BenchModule[] = [apiServerBench, curveBench, switchBench, fleetBench, nodeBench, vendorBench];

const USAGE = `usage: npm run bench -- [options]
  --json                   one JSON object per figure per line on stdout (progress goes to stderr)
  --store sqlite|postgres|all   which store(s) to measure (default all)
  --quick                  smaller counts, for a smoke run
  --server-log-level LVL   the server's --log-level (default info: one log line per request, as deployed)
  --wait-quiet[=SECONDS]   before each module and store, wait (at most SECONDS, default 300) for the machine to be idle
  --server-root DIR        run the server from this checkout (default: this one), e.g. to compare commits
  --built                  run the server as built by npm run build (DIR/dist, plain node) instead of with tsx
  --only NAME[,NAME]       only these modules (${MODULES.map((m) => m.name).join(', ')})`;

interface Options {
  json: boolean;
  stores: Store[];
  quick: boolean;
  logLevel: string;
  serverRoot?: string;
  built: boolean;
  /** ms to wait at most for an idle machine before each store; 0: don't wait. */
  waitQuietMs: number;
  modules: BenchModule[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    json: false,
    stores: ['sqlite', 'postgres'],
    quick: false,
    logLevel: 'info',
    waitQuietMs: 0,
    modules: MODULES,
    built: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--json':
        o.json = true;
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--store': {
        const v = value();
        if (v === 'all') o.stores = ['sqlite', 'postgres'];
        else if (v === 'sqlite' || v === 'postgres') o.stores = [v];
        else throw new UsageError(`--store must be sqlite, postgres or all, not "${v}"`);
        break;
      }
      case '--server-log-level':
        o.logLevel = value();
        break;
      case '--wait-quiet': {
        const seconds = inline === undefined ? 300 : Number(inline);
        if (!Number.isFinite(seconds) || seconds <= 0)
          throw new UsageError(`--wait-quiet=SECONDS needs a positive number, not "${inline}"`);
        o.waitQuietMs = seconds * 1000;
        break;
      }
      case '--server-root': {
        const dir = resolve(value());
        if (!existsSync(join(dir, 'cmd', 'hil-admin.ts')))
          throw new UsageError(`--server-root: no cmd/hil-admin.ts in ${dir}`);
        o.serverRoot = dir;
        break;
      }
      case '--built':
        o.built = true;
        break;
      case '--only': {
        const names = value().split(',');
        o.modules = names.map((n) => {
          const m = MODULES.find((x) => x.name === n);
          if (!m) throw new UsageError(`unknown module "${n}"`);
          return m;
        });
        break;
      }
      case '-h':
      case '--help':
        process.stderr.write(USAGE + '\n');
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new UsageError(`unknown option "${argv[i]}"`);
    }
  }
  return o;
}

class UsageError extends Error {}

/** Set once a signal or an uncaught error has started the final cleanup: its completion. */
let stopping: Promise<boolean> | undefined;

/** "commit abc1234" plus ", with uncommitted changes" when the tree is dirty; "not a git checkout" otherwise. */
function describeCheckout(dir: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty =
      git('status', '--porcelain', '--untracked-files=no', '--', 'apiserver', 'cmd', 'common', 'crds').length > 0;
    return `commit ${commit}${dirty ? ', with uncommitted changes' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  // In --json mode stdout carries figures only: anything a library might print goes to stderr instead.
  if (opts.json) console.log = console.info = console.error;
  const report = new Reporter(opts.json);
  const cleanup = new Cleanup();
  const abort = (why: string, code: number) => {
    if (stopping) return;
    stopping = cleanup.run();
    log(`bench: ${why}, cleaning up`);
    void stopping.finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort(signal, 130));
  process.on('uncaughtException', (err) => abort(`uncaught exception: ${err?.stack ?? err}`, 1));
  process.on('unhandledRejection', (err) => abort(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`, 1));
  const cpu = cpus();
  log(
    `bench: ${opts.quick ? 'quick' : 'full'} run; ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}; node ${process.version}; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );

  const root = opts.serverRoot ?? packageRoot();
  log(
    `bench: server from ${root}${opts.built ? '/dist' : ''} (${describeCheckout(root)}), --log-level ${opts.logLevel}`,
  );

  let failures = 0;
  const started = Date.now();
  for (const store of opts.stores) {
    report.setStore(store);
    for (const mod of opts.modules) {
      if (opts.waitQuietMs) {
        log(`bench: waiting (at most ${opts.waitQuietMs / 1000} s) for the machine to be idle…`);
        const busy = await waitQuiet(opts.waitQuietMs);
        log(`bench: machine ${busy < 15 ? 'idle' : 'still busy'}: ${busy.toFixed(0)}% of the CPU in use`);
        if (stopping) return 130;
      }
      log(`\n== ${store}: ${mod.name} (${mod.description})`);
      const modCleanup = new Cleanup();
      cleanup.defer(`${store}/${mod.name}`, () => modCleanup.run().then(() => {}));
      const servers: BenchServer[] = [];
      try {
        await mod.run({
          store,
          quick: opts.quick,
          report,
          cleanup: modCleanup,
          startServer: async () => {
            const s = await startServer(store, modCleanup, {
              logLevel: opts.logLevel,
              serverRoot: opts.serverRoot,
              built: opts.built,
            });
            servers.push(s);
            return s;
          },
        });
      } catch (err) {
        if (stopping) return 130; // interrupted: the servers got the signal too, their errors are no news
        failures++;
        log(`bench: ${store}/${mod.name} FAILED: ${(err as Error)?.stack ?? String(err)}`);
        for (const s of servers) {
          const lines = s.output().trimEnd().split('\n').slice(-15);
          log(`-- the last lines of the log of server pid ${s.pid}:\n${lines.join('\n')}`);
        }
      } finally {
        if (!(await modCleanup.run())) failures++;
      }
      if (stopping) return 130;
    }
  }
  report.setStore(undefined);
  if (!(await cleanup.run())) failures++;
  report.printTables();
  log(`\nbench: done in ${((Date.now() - started) / 1000).toFixed(1)} s${failures ? `, ${failures} failure(s)` : ''}`);
  return failures ? 1 : 0;
}

main().then(
  // After a signal, exit only once the cleanup it started has finished (abort() exits then too).
  (code) => void (stopping ?? Promise.resolve()).finally(() => process.exit(code)),
  (err) => {
    log(`bench: ${(err as Error)?.stack ?? err}`);
    process.exit(1);
  },
);
