// A long-running CLI process in a test (`kubectl get -w`, `hilctl wait`, …): its output accumulates, and a test
// waits until stdout says what it expects — or fails with the output so far on a timeout or an early exit.
import type { ChildProcess } from 'node:child_process';

export class ProcessStream {
  stdout = '';
  stderr = '';
  /** The exit code (-1 when killed by a signal). */
  readonly exited: Promise<number>;
  private waiters: (() => void)[] = [];

  /** `name` goes into failure messages; `defaultTimeoutMs` is waitFor's default. */
  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
    private readonly defaultTimeoutMs: number,
  ) {
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
  async waitFor(
    predicate: (stdout: string) => boolean,
    what: string,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.stdout)) return;
      if (!this.running)
        throw new Error(
          `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
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
