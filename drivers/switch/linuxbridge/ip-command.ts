// Runs iproute2's `ip` inside a network namespace, without a shell: arguments go straight to execve, batch files
// through stdin. Children are tracked so that a session that dies (timeout, close) kills what it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SwitchError } from '../errors.js';

let ipPath: string | undefined;

/** The `ip` binary (root's PATH has /usr/sbin; a test runner's may not). */
export function ipBinary(): string {
  ipPath ??= ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';
  return ipPath;
}

export class IpRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(readonly netns: string) {}

  /** `ip -n NETNS ARGS…`; resolves with stdout, rejects with `failed` (stderr in the message). */
  run(args: readonly string[], stdin?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(ipBinary(), ['-n', this.netns, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.children.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        this.children.delete(child);
        reject(new SwitchError('failed', `cannot run ip: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, signal) => {
        this.children.delete(child);
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else
          reject(
            new SwitchError(
              'failed',
              `ip ${args[0] === '-batch' ? '-batch' : args.join(' ')} in ${this.netns} failed (${signal ?? `exit ${code}`}): ${stderr || 'no message'}`,
            ),
          );
      });
      child.stdin.on('error', () => undefined); // a child that died early; its exit status says why
      child.stdin.end(stdin ?? '');
    });
  }

  /** Kills every `ip` still running. */
  killAll(): void {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
  }
}
