// The scenario through `hil` in bash (test/e2e/hil-cli-scenario.sh) against `hil-admin serve --controllers` with
// database auth: the embedded switch controller carries the attachments on the mock switch, so the networking
// actions the script polls really reach DONE.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { startChildServer, TSX_LOADER } from '../support/server.js';

describe('hil CLI scenario in bash', () => {
  test('admin and project user, networking actions polled to DONE', { timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hil-cli-bash-'));
    const hilAdmin = join(packageRoot(), 'cmd', 'hil-admin.ts');
    try {
      execFileSync(
        process.execPath,
        ['--import', TSX_LOADER, hilAdmin, 'create-admin-user', 'root', 'root-password-1', '--data-dir', dataDir],
        { cwd: dataDir, stdio: 'ignore' },
      );
      const srv = await startChildServer({
        dataDir,
        extraArgs: ['--auth', 'database', '--controllers', '--log-level', 'warn'],
      });
      try {
        const r = await new Promise<{ code: number; out: string }>((resolve) => {
          execFile(
            'bash',
            [join(packageRoot(), 'test', 'e2e', 'hil-cli-scenario.sh')],
            {
              env: {
                PATH: process.env.PATH,
                HOME: process.env.HOME,
                HIL_ENDPOINT: srv.url,
                HIL_USERNAME: 'root',
                HIL_PASSWORD: 'root-password-1',
                ADMIN_USERNAME: 'root',
                ADMIN_PASSWORD: 'root-password-1',
                HIL_NODE: process.execPath,
                HIL_TSX: TSX_LOADER,
                HIL_TS: join(packageRoot(), 'cmd', 'hil.ts'),
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
