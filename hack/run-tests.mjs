#!/usr/bin/env node
// `npm test`: typecheck, make sure a PostgreSQL server is there for the tests (the one in HIL_TEST_PG_URI, the
// machine's on 127.0.0.1:5432, or a throwaway cluster started here and stopped afterwards), then run every
// test file with node's test runner. Arguments narrow the run: `npm test -- test/unit` or a file.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres } from '../test/support/pg-cluster.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? findTests(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
    )
    .sort();
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (targets.length ? targets : ['test/unit', 'test/integration', 'test/e2e'])
  .flatMap(findTests)
  .map((f) => relative(root, f));
if (!files.length) {
  console.error('run-tests: no test files found');
  process.exit(1);
}

console.error('run-tests: typechecking');
// The server, the tests and (its own tsconfig: DOM, Preact's JSX) the web console.
const tscOf = (project) =>
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit'], {
    stdio: 'inherit',
  }).status;
if (tscOf('tsconfig.test.json') !== 0 || tscOf('ui/tsconfig.json') !== 0) {
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

// Fast password hashing for the suite (apiserver/auth/secrets.ts); production hashes use N=2^17.
process.env.HIL_TEST_SCRYPT_N ??= '16384';

// Every child API server's log lands here; after the suite it must hold no token, hash or password.
const logDir = mkdtempSync(join(tmpdir(), 'hil-test-logs-'));
process.env.HIL_TEST_LOG_DIR = logDir;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: process.env },
);
const stop = () => pg?.stop();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
const SECRET_PATTERNS = [
  [/hil_[A-Za-z0-9_-]{30,}/, 'an API token'],
  [/scrypt\$\d+\$/, 'a password hash'],
  [/"(password|token|stringData)"\s*:/, 'a password or token field'],
];

function scanLogs() {
  const files = readdirSync(logDir);
  const leaks = [];
  for (const f of files) {
    const text = readFileSync(join(logDir, f), 'utf8');
    for (const [re, what] of SECRET_PATTERNS) {
      const m = re.exec(text);
      if (m) leaks.push(`${f}: ${what} (${m[0].slice(0, 12)}…)`);
    }
  }
  return { files: files.length, leaks };
}

child.on('exit', (code, signal) => {
  stop();
  const { files, leaks } = scanLogs();
  rmSync(logDir, { recursive: true, force: true });
  if (leaks.length) {
    console.error(`run-tests: secrets found in the API servers' logs:\n  ${leaks.join('\n  ')}`);
    process.exit(1);
  }
  console.error(`run-tests: checked ${files} API server logs: no password, hash or token`);
  process.exit(code ?? (signal ? 1 : 0));
});
