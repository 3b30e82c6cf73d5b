// For the hilctl end-to-end tests: hilctl built as users get it (tsc to JavaScript, run through bin/hilctl.js),
// in a private temp folder so tests never race with each other or with `npm run build` over dist/; and a way
// to run it (one-shot or long-running) with an environment that holds nothing of the machine's (no
// ~/.kube/config, no HIL_* variables).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../common/paths.js';

export interface HilctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HilctlBuild {
  /** bin/hilctl.js inside the build folder (it imports ../dist/cmd/hilctl.js, as in the package). */
  bin: string;
  dir: string;
  cleanup(): void;
}

/**
 * Compiles cmd/hilctl.ts and everything it imports with the package's tsconfig into a temp folder laid out like
 * the package (bin/, dist/, package.json, node_modules → the package's).
 */
export async function buildHilctl(): Promise<HilctlBuild> {
  const root = packageRoot();
  const dir = mkdtempSync(join(tmpdir(), 'hilctl-build-'));
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { outDir: join(dir, 'dist'), rootDir: root, sourceMap: false, typeRoots: [join(root, 'node_modules', '@types')] },
        include: [],
        files: [join(root, 'cmd', 'hilctl.ts')],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      // Types are checked by `npm test`'s typecheck; here only the JavaScript is wanted.
      execFile(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--noCheck'], { encoding: 'utf8' }, (err, stdout, stderr) =>
        err ? reject(new Error(`building hilctl failed:\n${stdout}${stderr}`)) : resolve(),
      );
    });
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(root, 'bin', 'hilctl.js'), join(dir, 'bin', 'hilctl.js'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { bin: join(dir, 'bin', 'hilctl.js'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The machine's environment minus everything that would point hilctl somewhere: HOME is a fresh folder. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('HIL_') || k.startsWith('KUBE') || k === 'EDITOR' || k === 'VISUAL') continue;
    env[k] = v;
  }
  return { ...env, HOME: home, ...extra };
}

export class Hilctl {
  private readonly streams = new Set<HilctlStream>();

  constructor(
    readonly bin: string,
    public env: NodeJS.ProcessEnv,
  ) {}

  /** Runs hilctl to completion; a non-zero exit is a result, not an exception. */
  run(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<HilctlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [this.bin, ...args],
        { env: { ...this.env, ...opts.env }, cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err && typeof (err as any).code !== 'number' && !(err as any).killed) {
            reject(err);
            return;
          }
          resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0, stdout, stderr });
        },
      );
      child.stdin!.end(opts.input ?? '');
    });
  }

  /** Starts a long-running hilctl (get -w, wait, delete --wait); its output accumulates. */
  stream(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): HilctlStream {
    const child = spawn(process.execPath, [this.bin, ...args], { env: { ...this.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new HilctlStream(child);
    this.streams.add(s);
    return s;
  }

  async cleanup(): Promise<void> {
    for (const s of this.streams) await s.stop();
  }
}

export class HilctlStream {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      this.stdout += d;
      this.wake();
    });
    child.stderr!.on('data', (d: string) => {
      this.stderr += d;
      this.wake();
    });
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code ?? -1)));
    void this.exited.then(() => this.wake());
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until stdout satisfies the predicate; throws with the output so far on timeout or early exit. */
  async waitFor(predicate: (stdout: string) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.stdout)) return;
      if (!this.running) throw new Error(`hilctl exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export function show(r: HilctlResult): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}
