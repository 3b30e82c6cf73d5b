// The two dialects' differences: how to open, how writes are serialized, how other processes hear of writes.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DialectAdapter, Tables } from './sql-store.js';

/** Arbitrary, fixed: the advisory lock id that serializes writers across PostgreSQL replicas. */
const WRITE_LOCK_ID = 7_351_001;
const CHANNEL = 'hil_changes';

export interface SqliteOptions {
  file: string;
  /** The file's folder is the server's own (--data-dir): make it 0700 even if it already exists. */
  privateDir?: boolean;
  /** How often to look for writes made by another process on the same file. */
  pollMs?: number;
}

export function sqliteAdapter(options: SqliteOptions): DialectAdapter {
  const file = options.file === ':memory:' ? ':memory:' : resolve(options.file);
  if (file !== ':memory:') restrictFileModes(file, options.privateDir === true);
  const database = new Database(file);
  // WAL + synchronous=NORMAL: a committed write survives the process being killed (it is in the WAL);
  // only an operating-system crash can lose the last transactions. busy_timeout covers a second process.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  cachePreparedStatements(database);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return {
    name: 'sqlite',
    db,
    // kysely runs SQLite on one connection, one transaction at a time: writes are already serialized here.
    // `begin immediate` would be needed against writers in other processes; SQLite's busy_timeout covers them.
    lockForWrite: async () => {},
    notifyInTx: async () => {},
    listen: async (onHint) => {
      const timer = setInterval(onHint, options.pollMs ?? 1000);
      timer.unref();
      return async () => clearInterval(timer);
    },
    snapshot: (fn) => db.transaction().execute(fn),
    // Rows as arrays: better-sqlite3 builds a keyed object per row in C++, several times slower for a large list.
    // Safe inside a kysely transaction: it is the same (single) connection, and the statement runs synchronously.
    rawRows: (query, parameters) => {
      // The statement is the cached one kysely uses too (cachePreparedStatements): back to keyed rows afterwards.
      const stmt = database.prepare(query);
      try {
        return stmt.raw(true).all(...(parameters as unknown[])) as unknown[][];
      } finally {
        stmt.raw(false);
      }
    },
    // The write path's few statements, prepared once and run without kysely building and compiling them (about an
    // eighth of a create's CPU). Only inside a write transaction, which holds kysely's single connection.
    direct: {
      get: (query, parameters) => database.prepare(query).get(...parameters),
      run: (query, parameters) => void database.prepare(query).run(...parameters),
    },
    destroy: () => db.destroy(),
  };
}

/**
 * The database holds password hashes and BMC passwords: only the server's own user may read it. The folder is made
 * 0700 when it is created (or is the server's own data folder), the database 0600 before SQLite first opens it, and
 * an existing database, WAL or shared-memory file that others could read loses those bits. (SQLite gives the -wal
 * and -shm files it creates the database file's mode.)
 */
export function restrictFileModes(file: string, privateDir: boolean): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  else if (privateDir) tighten(dir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, 0o600);
}

function tighten(path: string, mode: number): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return; // not there
  }
  if ((current & ~mode) !== 0) chmodSync(path, current & mode);
}

/**
 * kysely prepares every query anew; preparing is a large share of a write's cost on SQLite. The server's queries
 * are a small fixed set of parameterized statements, so each is prepared once. (kysely runs one query at a time on
 * the single connection, so a statement is never used by two queries at once.)
 */
function cachePreparedStatements(database: Database.Database, max = 256): void {
  const cache = new Map<string, Database.Statement>();
  const prepare = database.prepare.bind(database);
  (database as { prepare: (sql: string) => Database.Statement }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}

export interface PostgresOptions {
  uri: string;
  poolSize?: number;
  /** Fallback poll in case a notification is lost while the LISTEN connection reconnects. */
  pollMs?: number;
}

export function postgresAdapter(options: PostgresOptions): DialectAdapter {
  const pool = new pg.Pool({ connectionString: options.uri, max: options.poolSize ?? 10 });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: 'postgres',
    db,
    // The hint to other replicas goes with the lock, in the same round trip: NOTIFY is delivered only at COMMIT
    // (never for a rolled-back transaction), so sending it before the writes is the same as after them. A group
    // whose writes all failed sends a hint that finds nothing new, which costs the listeners one empty read.
    lockForWrite: async (tx) => {
      await sql`select pg_advisory_xact_lock(${WRITE_LOCK_ID}), pg_notify(${CHANNEL}, '')`.execute(tx);
    },
    notifyInTx: async () => {},
    listen: async (onHint) => {
      let stopped = false;
      let client: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: options.uri });
        c.on('notification', () => onHint());
        c.on('error', () => {
          if (stopped) return;
          c.end().catch(() => {});
          retry = setTimeout(() => void connect().catch(() => {}), 1000);
          onHint();
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${CHANNEL}`);
          client = c;
        } catch (err) {
          c.end().catch(() => {});
          if (stopped) return;
          retry = setTimeout(() => void connect().catch(() => {}), 1000);
          throw err;
        }
      };
      await connect();
      const timer = setInterval(onHint, options.pollMs ?? 5000);
      timer.unref();
      return async () => {
        stopped = true;
        clearInterval(timer);
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    },
    snapshot: (fn) => db.transaction().setIsolationLevel('repeatable read').execute(fn),
    destroy: () => db.destroy(),
  };
}
