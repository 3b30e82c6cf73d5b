// Choosing the store from configuration: a database URI (HIL's `[database] uri`) or the embedded default.
import { join, resolve } from 'node:path';
import { postgresAdapter, sqliteAdapter } from './dialects.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** postgresql://…, postgres://…, sqlite:///relative.db, sqlite:////absolute.db, or sqlite::memory: */
  uri?: string;
  /** Used when no URI is given: SQLite at DIR/hil.db. */
  dataDir?: string;
}

export type ParsedUri = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; uri: string };

export function parseDatabaseUri(uri: string): ParsedUri {
  const m = /^([a-z0-9]+)(\+[a-z0-9]+)?:(.*)$/i.exec(uri.trim());
  if (!m) throw new Error(`database uri "${redactUri(uri)}": expected postgresql://… or sqlite:///FILE`);
  const scheme = m[1].toLowerCase();
  const rest = m[3];
  if (scheme === 'postgresql' || scheme === 'postgres') {
    // SQLAlchemy spells a driver as postgresql+psycopg2://; pg wants the plain scheme.
    return { dialect: 'postgres', uri: `postgresql:${rest}` };
  }
  if (scheme === 'sqlite') {
    if (rest === ':memory:' || rest === '//' || rest === '///:memory:') return { dialect: 'sqlite', file: ':memory:' };
    // SQLAlchemy form: sqlite:///relative/path and sqlite:////absolute/path
    if (!rest.startsWith('///')) throw new Error(`database uri "${uri}": sqlite URIs look like sqlite:///FILE`);
    return { dialect: 'sqlite', file: resolve(rest.slice(3)) };
  }
  throw new Error(`database uri "${redactUri(uri)}": unsupported scheme "${scheme}" (use postgresql or sqlite)`);
}

/** The URI with any password replaced, for logs and errors. */
export function redactUri(uri: string): string {
  return uri.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export async function openStore(config: StoreConfig): Promise<SqlStore> {
  const parsed: ParsedUri = config.uri
    ? parseDatabaseUri(config.uri)
    : { dialect: 'sqlite', file: join(config.dataDir ?? 'data', 'hil.db') };
  // Without a URI the folder is the server's data folder (its own, made 0700); a sqlite:/// URI's folder is left
  // as it is unless it has to be created.
  const adapter =
    parsed.dialect === 'postgres'
      ? postgresAdapter({ uri: parsed.uri })
      : sqliteAdapter({ file: parsed.file, privateDir: !config.uri });
  const store = new SqlStore(adapter);
  try {
    await store.start();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

export type { Store };
