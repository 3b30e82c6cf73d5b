// The HIL database to import from: a PostgreSQL URI or a SQLite file, opened read-only. HIL reaches both through
// SQLAlchemy; all we need is "which tables and columns are there" and "every row of a table".
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface HilSource {
  /** The source without any password, for messages. */
  readonly description: string;
  /** table → its columns. */
  tables(): Promise<Map<string, Set<string>>>;
  rows(table: string): Promise<Row[]>;
  close(): Promise<void>;
}

export class SourceError extends Error {}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function redact(uri: string): string {
  return uri.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

async function openPostgres(uri: string): Promise<HilSource> {
  const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 10_000 });
  const description = redact(uri);
  try {
    await client.connect();
    // Nothing is ever written to HIL's database; say so to the server too.
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  } catch (err) {
    await client.end().catch(() => {});
    throw new SourceError(`cannot connect to ${description}: ${(err as Error).message}`);
  }
  return {
    description,
    async tables() {
      const r = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
      );
      const out = new Map<string, Set<string>>();
      for (const { table_name, column_name } of r.rows)
        out.set(table_name, (out.get(table_name) ?? new Set()).add(column_name));
      return out;
    },
    async rows(table) {
      return (await client.query(`SELECT * FROM ${quoteIdent(table)}`)).rows;
    },
    async close() {
      await client.end();
    },
  };
}

function openSqlite(file: string): HilSource {
  if (!existsSync(file)) throw new SourceError(`${file}: no such file (give a SQLite file or a postgresql:// URI)`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw new SourceError(`${file} is not a SQLite database: ${(err as Error).message}`);
  }
  return {
    description: file,
    async tables() {
      const out = new Map<string, Set<string>>();
      const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
      for (const { name } of names) {
        const cols = db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as { name: string }[];
        out.set(name, new Set(cols.map((c) => c.name)));
      }
      return out;
    },
    async rows(table) {
      return db.prepare(`SELECT * FROM ${quoteIdent(table)}`).all() as Row[];
    },
    async close() {
      db.close();
    },
  };
}

/** `postgresql://…` (or `postgres://…`), `sqlite:///FILE`, or a path to a SQLite file (HIL's own URI forms). */
export async function openHilSource(spec: string): Promise<HilSource> {
  if (/^postgres(ql)?(\+\w+)?:\/\//.test(spec))
    return openPostgres(spec.replace(/^postgres(ql)?\+\w+:/, 'postgresql:'));
  const m = /^sqlite:\/\/\/(.*)$/.exec(spec);
  if (m) return openSqlite(m[1]);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new SourceError(`${redact(spec)}: only postgresql:// URIs and SQLite files can be imported`);
  return openSqlite(spec);
}
