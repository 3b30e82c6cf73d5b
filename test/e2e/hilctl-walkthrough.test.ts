// The walk-through in docs/hilctl.md, run as a new user would run it (bash, `hilctl` on the PATH as the compiled
// bin/hilctl.js, from the repository folder) against a fresh `hil-admin serve`. The block is read from the docs, so
// the docs cannot drift from what works.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { startServe, type ServeChild } from '../support/kubectl.js';
import { buildHilctl, isolatedEnv, type HilctlBuild } from './hilctl-support.js';

const DOC = join(packageRoot(), 'docs', 'hilctl.md');

/** The bash block between the walkthrough markers. */
function walkthroughScript(markdown: string): string {
  const m = markdown.match(/<!-- walkthrough:begin[^>]*-->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/);
  assert.ok(m, 'docs/hilctl.md has a walkthrough block');
  return m[1];
}

let build: HilctlBuild;
let srv: ServeChild;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'hilctl-walk-'));
  [build, srv] = await Promise.all([buildHilctl(), startServe()]);
});

after(async () => {
  await srv?.close();
  build?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the docs/hilctl.md walk-through works against a fresh server', async () => {
  const script = walkthroughScript(readFileSync(DOC, 'utf8'));
  assert.match(script, /export HIL_ENDPOINT=http:\/\/127\.0\.0\.1:6443/);
  // The only change: the address of this test's server instead of ./hack/up.sh's.
  const run = script.replace('http://127.0.0.1:6443', srv.url);
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'hilctl'), `#!/bin/sh\nexec "${process.execPath}" "${build.bin}" "$@"\n`);
  chmodSync(join(bin, 'hilctl'), 0o755);
  mkdirSync(join(work, 'home'));
  const env = isolatedEnv(join(work, 'home'), { PATH: `${bin}:${process.env.PATH}` });
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-x', '-c', run], { cwd: packageRoot(), env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  const shown = `exit ${out.code}\nstdout:\n${out.stdout}\nstderr (bash -x):\n${out.stderr}`;
  assert.equal(out.code, 0, shown);
  // apply, the first time: every example created, in dependency order.
  assert.match(out.stdout, /^secret\/switch-01-credentials created\nproject\.hil\.io\/runway created\n/m, shown);
  assert.match(out.stdout, /^headnode\.hil\.io\/runway-headnode created$/m);
  // get hil: one table per kind, names prefixed with their kind.
  assert.match(out.stdout, /^NAME +PROJECT +POWER +READY +AGE\nnode\.hil\.io\/node-01 +runway /m);
  // get hn -o wide.
  assert.match(out.stdout, /^NAME +PROJECT +POWER +READY +DESIRED POWER +OBM +AGE$/m);
  // describe hn node-01.
  assert.match(out.stdout, /^Name: +node-01$/m);
  assert.match(out.stdout, /^NICs:\n +NAME .*\n +eth0 +52:54:00:00:01:01 +switch-01-gi1-0-1 +switch-01 +gi1\/0\/1 /m);
  // attach, describe the network, detach.
  assert.match(out.stdout, /^networkattachment\.hil\.io\/node-01-eth0-runway-provider created$/m);
  assert.match(out.stdout, /^Attached NICs:\n( {2}.*\n)* {2}node-01 +eth0 +tagged /m);
  assert.match(out.stdout, /^networkattachments\.hil\.io "node-01-eth0-runway-provider" deleted$/m);
  // apply again: unchanged.
  const last = out.stdout.slice(out.stdout.lastIndexOf('secret/switch-01-credentials'));
  assert.ok(
    last
      .trim()
      .split('\n')
      .every((l) => l.endsWith(' unchanged')),
    last,
  );
});
