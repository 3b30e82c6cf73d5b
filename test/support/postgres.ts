// Per-test PostgreSQL databases: each call makes a fresh, uniquely named database on the test server and
// returns its URI; drop() removes it. The server comes from pg-cluster.mjs (started once per test run).
import pg from 'pg';
// @ts-expect-error -- plain JS helper shared with the test runner (no types)
import { ensurePostgres } from './pg-cluster.mjs';

let server: Promise<{ uri: string; stop: () => void }> | undefined;
let counter = 0;

export interface TestDatabase {
  uri: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const started = (server ??= ensurePostgres().then((s: { uri: string; stop: () => void }) => {
    process.once('exit', () => s.stop());
    return s;
  }));
  const admin = (await started).uri;
  const name = `hil_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    uri: u.toString(),
    async drop() {
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      try {
        await c2.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c2.end();
      }
    },
  };
}
