// HIL's own Python client library (hil/client from a HIL checkout) drives the v0 API of `hil-admin serve
// --controllers` (database auth; the embedded switch controller carries attachments on the mock switch, so
// networking actions really go PENDING → DONE): test/e2e/hil-python-client/scenario.py, an admin and a project-user
// scenario with HIL's error types and codes. HIL's code is not in this repository: the test runs only when
// HIL_SOURCE points at a HIL checkout (`git archive` of CCI-MOC/hil) and python3 with requests (Debian:
// python3-requests) is installed; otherwise it is skipped, saying why. The shims beside the scenario are ours.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { startChildServer, TSX_LOADER } from '../support/server.js';

const HERE = join(packageRoot(), 'test', 'e2e', 'hil-python-client');

function whySkip(): string | undefined {
  const src = process.env.HIL_SOURCE;
  if (!src) return 'HIL_SOURCE is not set (point it at a HIL checkout to run HIL’s Python client against v0)';
  if (!existsSync(join(src, 'hil', 'client', 'client.py'))) return `HIL_SOURCE=${src} has no hil/client/client.py`;
  const py = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' });
  if (py.error || py.status !== 0)
    return 'python3 with the requests module (Debian: python3-requests) is not installed';
  return undefined;
}

describe("HIL's Python client library against the v0 API", () => {
  const skip = whySkip();
  test('admin and project-user scenario', { skip: skip ?? false, timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hil-pyclient-'));
    try {
      execFileSync(
        process.execPath,
        [
          '--import',
          TSX_LOADER,
          join(packageRoot(), 'cmd', 'hil-admin.ts'),
          'create-admin-user',
          'root',
          'root-password-1',
          '--data-dir',
          dataDir,
        ],
        { cwd: dataDir, stdio: 'ignore' },
      );
      const srv = await startChildServer({
        dataDir,
        extraArgs: ['--auth', 'database', '--controllers', '--log-level', 'warn'],
      });
      try {
        const r = await new Promise<{ code: number; out: string }>((resolve) => {
          execFile(
            'python3',
            ['-B', join(HERE, 'scenario.py'), srv.url, 'root', 'root-password-1'],
            {
              env: {
                PATH: process.env.PATH,
                HIL_SOURCE: process.env.HIL_SOURCE,
                PYTHONPATH: join(HERE, 'shims'),
                PYTHONDONTWRITEBYTECODE: '1',
              },
              timeout: 200_000,
            },
            (err, stdout, stderr) =>
              resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
          );
        });
        assert.equal(r.code, 0, `${r.out}\n--- server output ---\n${srv.output().slice(-3000)}`);
        assert.match(r.out, /scenario complete/);
      } finally {
        await srv.stop('SIGTERM');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
