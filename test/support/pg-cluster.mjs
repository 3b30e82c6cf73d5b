// A PostgreSQL server for the tests: the one named by HIL_TEST_PG_URI, else the machine's own on 127.0.0.1:5432
// (trust auth), else a throwaway cluster started here (as the postgres user when running as root).
// Plain JavaScript: the test runner (hack/run-tests.mjs) uses it before any TypeScript loader is present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

async function canConnect(uri) {
  const c = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** Starts a throwaway cluster; returns { uri, stop }. */
export function startThrowawayCluster() {
  const bin = pgBinDir();
  if (!bin)
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'hil-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'pg.log');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const asRoot = process.getuid?.() === 0;
  writeFileSync(log, '');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(log, uid, gid);
  }
  const run = (cmd, args) => {
    const full = asRoot
      ? ['su', ['postgres', '-s', '/bin/sh', '-c', [cmd, ...args].map((a) => `'${a}'`).join(' ')]]
      : [cmd, args];
    const r = spawnSync(full[0], full[1], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    log,
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ]);
  const stop = () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { uri: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
}

/** The admin URI of a usable server, and a stop function if we started it. */
export async function ensurePostgres() {
  if (process.env.HIL_TEST_PG_URI) return { uri: process.env.HIL_TEST_PG_URI, stop: () => {} };
  const machine = 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (await canConnect(machine)) return { uri: machine, stop: () => {} };
  return startThrowawayCluster();
}
