// Helpers for controller tests: the controller daemon (`hil-admin serve-networks`) as a child process that a test can
// SIGKILL, YAML applied through the API (server-side apply, which creates what is missing), and polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { api, freePort, TSX_LOADER } from './server.js';

export const H = '/apis/hil.io/v1alpha1';

const PLURALS: Record<string, string> = {
  Project: 'projects',
  Switch: 'switches',
  Port: 'ports',
  Node: 'nodes',
  Network: 'networks',
  NetworkAttachment: 'networkattachments',
  Headnode: 'headnodes',
  User: 'users',
};

/** Path of an object: hil.io kinds, v1 Secret (namespaced), coordination Lease. */
export function pathOf(o: {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  if (o.kind === 'Secret')
    return `/api/v1/namespaces/${o.metadata.namespace ?? 'hil-system'}/secrets/${o.metadata.name}`;
  const plural = PLURALS[o.kind];
  if (!plural) throw new Error(`pathOf: unknown kind ${o.kind}`);
  return `${H}/${plural}/${o.metadata.name}`;
}

/** Applies every document of a YAML text (server-side apply: created when missing), with these request headers. */
export async function applyYaml(url: string, text: string, headers: Record<string, string> = {}): Promise<void> {
  for (const doc of yaml.loadAll(text)) {
    if (!doc) continue;
    const o = doc as { kind: string; metadata: { name: string } };
    const r = await api(
      url,
      'PATCH',
      `${pathOf(o)}?fieldManager=test&force=true`,
      yaml.dump(o),
      'application/apply-patch+yaml',
      headers,
    );
    if (r.status >= 300) throw new Error(`apply ${o.kind}/${o.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn() resolves truthy; fails with `what` and the detail after timeoutMs. Resolves fn's value. */
export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
  detail: () => Promise<string> | string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await detail()}`);
    await sleep(100);
  }
}

/** A hil.cfg (mode 600) with the VLAN pool; returns its path and a cleanup. */
export function writeHilCfg(vlans: string): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hil-ctl-cfg-'));
  const path = join(dir, 'hil.cfg');
  writeFileSync(
    path,
    `[extensions]\nhil.ext.network_allocators.vlan_pool =\n\n[hil.ext.network_allocators.vlan_pool]\nvlans = ${vlans}\n`,
  );
  chmodSync(path, 0o600);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Daemon {
  process: ChildProcess;
  metricsPort: number;
  output(): string;
  /** SIGTERM (graceful) or SIGKILL, and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `hil-admin serve-networks --server URL ...` and waits until /healthz answers. */
export async function startDaemon(url: string, args: string[], opts: { waitReady?: boolean } = {}): Promise<Daemon> {
  const metricsPort = await freePort();
  const argv = [
    '--import',
    TSX_LOADER,
    join(packageRoot(), 'cmd', 'hil-admin.ts'),
    'serve-networks',
    '--server',
    url,
    '--metrics-listen',
    `127.0.0.1:${metricsPort}`,
    ...args,
  ];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, HIL_LOG_LEVEL: process.env.HIL_TEST_CONTROLLER_LOG ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve-networks exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${metricsPort}/${opts.waitReady === false ? 'healthz' : 'readyz'}`);
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve-networks did not come up in 30 s:\n${out}`);
    }
    await sleep(100);
  }
  return {
    process: child,
    metricsPort,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The metrics text of a daemon. */
export async function metricsOf(d: Daemon): Promise<string> {
  return (await fetch(`http://127.0.0.1:${d.metricsPort}/metrics`)).text();
}
