#!/usr/bin/env node
// `npm test`: typecheck, make sure a PostgreSQL server is there for the tests (the one in HIL_TEST_PG_URI, the
// machine's on 127.0.0.1:5432, or a throwaway cluster started here and stopped afterwards), then run every
// test file with node's test runner. Arguments narrow the run: `npm test -- test/unit` or a file.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres } from '../test/support/pg-cluster.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []))
    .sort();
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (targets.length ? targets : ['test/unit', 'test/integration', 'test/e2e']).flatMap(findTests).map((f) => relative(root, f));
if (!files.length) {
  console.error('run-tests: no test files found');
  process.exit(1);
}

console.error('run-tests: typechecking');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json', '--noEmit'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('run-tests: typecheck failed');
  process.exit(1);
}

let pg;
try {
  pg = await ensurePostgres();
  process.env.HIL_TEST_PG_URI = pg.uri;
  console.error(`run-tests: PostgreSQL for tests at ${pg.uri}`);
} catch (err) {
  if (process.env.CI) {
    console.error(`run-tests: no PostgreSQL available, and CI needs one: ${err.message}`);
    process.exit(1);
  }
  console.error(`run-tests: no PostgreSQL available (${err.message}); PostgreSQL tests will fail`);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: process.env },
);
const stop = () => pg?.stop();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
