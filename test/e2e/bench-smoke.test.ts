// `npm run bench` keeps working: a quick run on SQLite prints every figure as a well-formed JSON line. (The values
// are the benchmark's business, not a test's: nothing here asserts an aim.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../common/paths.js';
import { TSX_LOADER } from '../support/server.js';

const run = promisify(execFile);

test('npm run bench -- --quick --json prints every figure', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', TSX_LOADER, join(packageRoot(), 'hack', 'bench', 'main.ts'), '--quick', '--json', '--store', 'sqlite'],
    {
      cwd: packageRoot(),
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const figures = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  for (const f of figures) {
    assert.equal(typeof f.bench, 'string');
    assert.ok(Number.isFinite(f.value), `${f.bench} = ${f.value}`);
    assert.equal(typeof f.unit, 'string');
    assert.equal(f.store, 'sqlite');
  }
  const names = new Set(figures.map((f) => f.bench));
  for (const want of [
    'api-create-rate',
    'api-list-latency',
    'watch-latency-p99',
    'server-rss-10k',
    'switch-converge-4x12',
    'switch-bound-4x12',
    'switch-baseline-4x12',
    'switch-converge-16x12',
    'create-rate-100',
    'list-latency-400',
    'fleet-converge',
    'fleet-bound',
    'obm-reconcile-100',
    'obm-serial-100',
    'vendor-converge-4x12',
    'vendor-bound-4x12',
    'vendor-baseline-4x12',
  ]) {
    assert.ok(names.has(want), `${want} missing from ${[...names].join(', ')}`);
  }
});
