// Helpers for end-to-end tests that drive the API server from outside: kubectl as a child process (one-shot
// commands and long-running `get -w`), and `hil-admin serve` children whose data folder is removed afterwards.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startChildServer, type ChildServer } from './server.js';
import { ProcessStream } from './process-stream.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether an executable `kubectl` is on PATH. */
export function kubectlOnPath(): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/**
 * kubectl pointed at one server, with no kubeconfig and its own discovery cache (a fresh temp folder), so
 * nothing from the machine or from an earlier server on the same port leaks in. Call cleanup() when done.
 */
export class Kubectl {
  readonly cacheDir = mkdtempSync(join(tmpdir(), 'hil-kubectl-cache-'));
  private readonly watchers = new Set<KubectlStream>();

  constructor(readonly server: string) {}

  private argv(args: string[]): string[] {
    return [`--server=${this.server}`, `--cache-dir=${this.cacheDir}`, ...args];
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: '/dev/null' };
  }

  /** Runs kubectl to completion (killed after timeoutMs). A non-zero exit is a result, not an exception. */
  run(args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'kubectl',
        this.argv(args),
        { env: this.env(), timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err && typeof (err as any).code !== 'number' && !(err as any).killed) {
            reject(err); // could not start kubectl at all
            return;
          }
          const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin!.end(options.input);
    });
  }

  /** Starts a long-running kubectl (e.g. `get -w`); its output accumulates until stop(). */
  stream(args: string[]): KubectlStream {
    const child = spawn('kubectl', this.argv(args), { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new KubectlStream(child);
    this.watchers.add(s);
    return s;
  }

  async cleanup(): Promise<void> {
    for (const w of this.watchers) await w.stop();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

/** A long-running kubectl: see ProcessStream. */
export class KubectlStream extends ProcessStream {
  constructor(child: ChildProcess) {
    super(child, 'kubectl', 10_000);
  }
}

/** A temp data folder for `hil-admin serve` (the caller removes it). */
export function makeServeDataDir(prefix = 'hil-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface ServeChild extends ChildServer {
  /** Stops the server (SIGTERM) and removes its data folder unless it was passed in. */
  close(): Promise<void>;
}

/** HIL_* settings in the test's own environment must not reach the child: its flags alone decide. */
const CLEAR_HIL_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('HIL_'))
    .map((k) => [k, undefined]),
);

/**
 * startChildServer with auth "null" (everyone is an admin), a data folder that close() removes, and logging at
 * warn unless logLevel says otherwise.
 */
export async function startServe(
  options: { dataDir?: string; databaseUri?: string; extraArgs?: string[]; logLevel?: string } = {},
): Promise<ServeChild> {
  const own = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeServeDataDir();
  try {
    const srv = await startChildServer({
      dataDir,
      databaseUri: options.databaseUri,
      extraArgs: ['--auth', 'null', '--log-level', options.logLevel ?? 'warn', ...(options.extraArgs ?? [])],
      env: CLEAR_HIL_ENV,
    });
    return Object.assign(srv, {
      async close() {
        await srv.stop();
        if (own) rmSync(dataDir, { recursive: true, force: true });
      },
    });
  } catch (err) {
    if (own) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
