// For the hilctl end-to-end tests: hilctl built as users get it (tsc to JavaScript, run through bin/hilctl.js),
// in a private temp folder so tests never race with each other or with `npm run build` over dist/; and a way
// to run it (one-shot or long-running) with an environment that holds nothing of the machine's (no
// ~/.kube/config, no HIL_* variables).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { ProcessStream } from '../support/process-stream.js';

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
        compilerOptions: {
          outDir: join(dir, 'dist'),
          rootDir: root,
          sourceMap: false,
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        include: [],
        files: [join(root, 'cmd', 'hilctl.ts')],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      // Types are checked by `npm test`'s typecheck; here only the JavaScript is wanted.
      execFile(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--noCheck'],
        { encoding: 'utf8' },
        (err, stdout, stderr) => (err ? reject(new Error(`building hilctl failed:\n${stdout}${stderr}`)) : resolve()),
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
  run(
    args: string[],
    opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
  ): Promise<HilctlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [this.bin, ...args],
        {
          env: { ...this.env, ...opts.env },
          cwd: opts.cwd,
          timeout: opts.timeoutMs ?? 30_000,
          maxBuffer: 16 * 1024 * 1024,
          encoding: 'utf8',
        },
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
    const child = spawn(process.execPath, [this.bin, ...args], {
      env: { ...this.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const s = new HilctlStream(child);
    this.streams.add(s);
    return s;
  }

  async cleanup(): Promise<void> {
    for (const s of this.streams) await s.stop();
  }
}

/** A long-running hilctl: see ProcessStream. */
export class HilctlStream extends ProcessStream {
  constructor(child: ChildProcess) {
    super(child, 'hilctl', 15_000);
  }
}

export function show(r: HilctlResult): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}
