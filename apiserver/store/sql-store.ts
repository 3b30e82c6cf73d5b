// The store on kysely, the same code for SQLite and PostgreSQL. Writes are serialized (one writer at a time, also
// across PostgreSQL replicas, through the dialect's write lock), so revisions become visible in order and a
// watcher that has seen revision N has seen everything before it.
import { EventEmitter } from 'node:events';
import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import type { KObject } from '../object.js';
import { fieldExpression, REFERENCE_FIELDS, referencesOf } from './field-index.js';
import { migrationProvider } from './migrations.js';
import {
  RAW_PREFIX,
  withResourceVersion,
  CompactedError,
  type Credential,
  type CredentialStore,
  type ChangeEvent,
  type EventType,
  type ListOptions,
  type ListResult,
  type ListText,
  type Store,
  type StoredObject,
  type StoreTx,
  type TransactOptions,
} from './store.js';

export interface LogRow {
  revision: number | string;
  resource: string;
  namespace: string;
  name: string;
  type: string;
  object: string;
  prev: string | null;
  created_at: number | string;
}
export interface ObjectRow {
  resource: string;
  namespace: string;
  name: string;
  revision: number | string;
  object: string;
}
export interface CredentialRow {
  id?: number | string;
  user_name: string;
  user_uid: string;
  kind: string;
  secret_hash: string;
  expires_at: number | string | null;
  created_at: number | string;
}
export interface RefRow {
  resource: string;
  field: string;
  value: string;
  namespace: string;
  name: string;
}
export interface Tables {
  hil_refs: RefRow;
  hil_log: LogRow;
  hil_objects: ObjectRow;
  hil_meta: { key: string; value: string };
  hil_credentials: CredentialRow;
}

function toCredential(r: CredentialRow): Credential {
  return {
    id: String(r.id),
    userName: r.user_name,
    userUid: r.user_uid,
    kind: r.kind as Credential['kind'],
    secretHash: r.secret_hash,
    ...(r.expires_at != null ? { expiresAt: Number(r.expires_at) } : {}),
  };
}

/** What differs between the dialects. */
export interface DialectAdapter {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Kysely<Tables>;
  /** Inside a write transaction, before anything else: take the global write lock. */
  lockForWrite(tx: Transaction<Tables>): Promise<void>;
  /** Inside a write transaction, after the writes: tell other replicas (delivered at commit). */
  notifyInTx(tx: Transaction<Tables>): Promise<void>;
  /** Start receiving change hints from other processes; returns a stop function. */
  listen(onHint: () => void): Promise<() => Promise<void>>;
  /** SQLite: run a compiled query, rows as arrays of column values (cheaper for large reads). */
  readonly rawRows?: (sql: string, parameters: readonly unknown[]) => unknown[][];
  /**
   * SQLite: run one of the write path's statements synchronously, on the connection a write transaction holds
   * (`?` placeholders). Never outside a transaction: another request's transaction may hold the connection.
   */
  readonly direct?: {
    get(sql: string, parameters: readonly unknown[]): unknown;
    run(sql: string, parameters: readonly unknown[]): void;
  };
  /** Run fn in a read transaction that sees one snapshot. */
  snapshot<T>(fn: (tx: Transaction<Tables>) => Promise<T>): Promise<T>;
  destroy(): Promise<void>;
}

function withRevision(obj: KObject, revision: number): KObject {
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

function toStored(row: ObjectRow): StoredObject {
  const revision = Number(row.revision);
  return {
    resource: row.resource,
    namespace: row.namespace,
    name: row.name,
    revision,
    raw: row.object,
    object: withRevision(JSON.parse(row.object) as KObject, revision),
  };
}

/**
 * A listed object whose JSON is parsed only when something looks at `object`: a full list served as it is
 * stored (objectJson) never parses it.
 */
function lazyStored(row: ObjectRow): StoredObject {
  const revision = Number(row.revision);
  let parsed: KObject | undefined;
  return {
    resource: row.resource,
    namespace: row.namespace,
    name: row.name,
    revision,
    raw: row.object,
    get object() {
      return (parsed ??= withRevision(JSON.parse(row.object) as KObject, revision));
    },
    set object(o: KObject) {
      parsed = o;
    },
  };
}

/**
 * The object as written to disk: resourceVersion is derived from the row, never stored twice. `metadata` goes
 * first, so that objectJson (store.ts) can serve the text with the resourceVersion spliced in.
 */
function serialize(obj: KObject): string {
  const {
    metadata: { resourceVersion: _rv, ...metadata },
    ...rest
  } = obj;
  return JSON.stringify({ metadata, ...rest });
}

/** A write waiting for its group's transaction. */
interface QueuedWrite {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: any) => void;
  reject: (err: unknown) => void;
  /** It writes and then fails on purpose (a dry run): it gets a savepoint of its own. */
  rollsBack: boolean;
  ok?: boolean;
  result?: unknown;
  error?: unknown;
}

/** At most this many writes share a transaction (bounds a group's latency and its transaction's size). */
const MAX_GROUP = 256;

/**
 * Rolls back a group's transaction because one of its writes failed after it had written (or after one of its
 * statements had failed, which aborts a PostgreSQL transaction): the writes before it run again in a new one.
 */
class RerunWithout extends Error {
  constructor(readonly failed: QueuedWrite) {
    super('a write of the group failed after writing');
  }
}

export class SqlStore implements Store, CredentialStore {
  private readonly emitter = new EventEmitter();
  private stopListening?: () => Promise<void>;

  constructor(private readonly adapter: DialectAdapter) {
    this.emitter.setMaxListeners(0);
  }

  get dialect() {
    return this.adapter.name;
  }

  private get db() {
    return this.adapter.db;
  }

  async start(): Promise<void> {
    this.stopListening = await this.adapter.listen(() => this.emitter.emit('change'));
  }

  private migrator() {
    return new Migrator({
      db: this.db,
      provider: migrationProvider(this.adapter.name),
      migrationTableName: 'hil_migrations',
      migrationLockTableName: 'hil_migrations_lock',
    });
  }

  /** To the latest schema, or (tests of a migration) up to and including `upTo`. */
  async migrate(upTo?: string): Promise<{ applied: string[] }> {
    const m = this.migrator();
    const { error, results } = upTo ? await m.migrateTo(upTo) : await m.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }

  async pendingMigrations(): Promise<string[]> {
    const all = await this.migrator().getMigrations();
    return all.filter((m) => !m.executedAt).map((m) => m.name);
  }

  async get(resource: string, namespace: string, name: string): Promise<StoredObject | undefined> {
    return getIn(this.db, resource, namespace, name);
  }

  async list(resource: string, options: ListOptions = {}): Promise<ListResult> {
    return this.adapter.snapshot(async (tx) => {
      const revision = await currentRevisionIn(tx);
      const items = await listIn(tx, this.dialect, resource, options, lazyStored, this.adapter.rawRows);
      if (options.limit === undefined) return { items, revision };
      // A page: the rows beyond it are counted (an index range), not read.
      const counted = await filtered(tx, this.dialect, resource, options)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      return { items, revision, remaining: Number(counted?.n ?? 0) - items.length };
    });
  }

  /** The SQL a list runs (for tests and diagnostics: which index serves it). */
  compiledList(resource: string, options: ListOptions = {}): { sql: string; parameters: readonly unknown[] } {
    return listQuery(this.db, this.dialect, resource, options).compile();
  }

  async listText(
    resource: string,
    options: Pick<ListOptions, 'namespace' | 'after'> = {},
  ): Promise<ListText | undefined> {
    return this.adapter.snapshot(async (tx) => {
      const revision = await currentRevisionIn(tx);
      if (this.dialect === 'postgres') {
        // PostgreSQL's string_agg of 10,000 objects cost the database 110 ms against 29 ms for sending the rows, and
        // splicing each row in SQL 52 ms (measured): the rows come as stored, the server splices and joins them.
        // Still one string per object, not a row object, an item and a parse-on-demand wrapper each.
        const rows = await filtered(tx, this.dialect, resource, options)
          .select(['revision', 'object'])
          .orderBy('namespace')
          .orderBy('name')
          .execute();
        const items: string[] = [];
        for (const r of rows) {
          if (!r.object.startsWith(RAW_PREFIX)) return undefined; // an older row: the caller lists the usual way
          items.push(withResourceVersion(r.object, r.revision));
        }
        return { items: items.join(','), count: items.length, revision };
      }
      // withResourceVersion (store.ts) in SQL: the resourceVersion spliced in at the front of metadata. Rows stored
      // before metadata came first are not counted as `spliceable`; if there are any, the caller lists the usual way.
      const spliceable = sql<boolean>`substr(object, 1, ${RAW_PREFIX.length}) = cast(${RAW_PREFIX} as text)`;
      const rest = sql<string>`substr(object, ${RAW_PREFIX.length + 1})`;
      const inner = filtered(tx, this.dialect, resource, options).select([
        'namespace',
        'name',
        sql<number>`case when ${spliceable} then 1 else 0 end`.as('ok'),
        sql<string>`cast(${RAW_PREFIX + '"resourceVersion":"'} as text) || cast(revision as text) || '"' ||
          case when substr(object, ${RAW_PREFIX.length + 1}, 1) = '}' then '' else ',' end || ${rest}`.as('j'),
      ]);
      // ORDER BY inside the aggregate (SQLite 3.44 and later): the list's order, by the database.
      const { rows } = await sql<{ n: number | string; ok: number | string | null; items: string | null }>`
        select count(*) as n, sum(t.ok) as ok, group_concat(t.j, ',' order by t.namespace, t.name) as items
        from ${inner.as('t')}`.execute(tx);
      const r = rows[0];
      const count = Number(r.n);
      if (Number(r.ok ?? 0) !== count) return undefined;
      return { items: r.items ?? '', count, revision };
    });
  }

  /**
   * Group commit: writes that arrive together (queued within one turn of the event loop, or while the previous
   * group commits) run one after another in a single database transaction, each in order and each with its own
   * reads, checks and writes exactly as if alone; a write that fails is rolled back alone, to a savepoint taken
   * before it. Every write of the group is acknowledged only once the one COMMIT is done, so nothing acknowledged
   * can be lost; a COMMIT that fails fails them all (none was acknowledged).
   */
  transact<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject, rollsBack: options.rollsBack === true });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private readonly queue: QueuedWrite[] = [];
  private draining = false;

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.commitGroup();
    } finally {
      this.draining = false;
    }
  }

  /**
   * One transaction for the writes queued now (and those that arrive while it runs, up to MAX_GROUP). A write that
   * fails before writing anything (admission's 409/422, a 404) leaves nothing to undo: the group goes on. Savepoints
   * cost PostgreSQL a round trip per write (a third of a create's), so only a write that fails on purpose after
   * writing — a dry run — gets one. Any other that fails after writing (rare: a database error) rolls the whole
   * transaction back; it gets its error, and the writes of the group before it, none of them acknowledged yet, go
   * back to the head of the queue and run again in a new transaction, in the same order.
   */
  private async commitGroup(): Promise<void> {
    const group: QueuedWrite[] = [];
    let wrote = false;
    try {
      await this.db.transaction().execute(async (trx) => {
        await this.adapter.lockForWrite(trx);
        while (this.queue.length && group.length < MAX_GROUP) {
          const item = this.queue.shift()!;
          group.push(item);
          if (item.rollsBack) await this.savepoint(trx, 'savepoint hil_w');
          const state = { wrote: false, failedStatement: false };
          try {
            item.result = await item.fn(this.txView(trx, state));
            item.ok = true;
          } catch (err) {
            item.error = err;
            if (item.rollsBack) await this.savepoint(trx, 'rollback to savepoint hil_w', 'release savepoint hil_w');
            else if (state.wrote || state.failedStatement) throw new RerunWithout(item);
          }
          if (item.ok && item.rollsBack) await this.savepoint(trx, 'release savepoint hil_w');
          if (item.ok && state.wrote) wrote = true;
        }
        if (wrote) await this.adapter.notifyInTx(trx);
      });
    } catch (err) {
      // Nothing of this group was committed.
      if (err instanceof RerunWithout) {
        err.failed.reject(err.failed.error);
        const before = group.slice(0, group.indexOf(err.failed));
        for (const item of before) {
          item.ok = false;
          item.result = item.error = undefined;
        }
        this.queue.unshift(...before);
        return;
      }
      // The database's failure (the COMMIT's, or the lock's): every write that had succeeded gets its error.
      for (const item of group) item.reject(item.ok ? err : item.error);
      return;
    }
    if (wrote) this.emitter.emit('change');
    for (const item of group) {
      if (item.ok) item.resolve(item.result);
      else item.reject(item.error);
    }
  }

  /** Savepoint statements: on PostgreSQL in one round trip (a parameterless query may hold several); SQLite in-process. */
  private async savepoint(trx: Transaction<Tables>, ...statements: string[]): Promise<void> {
    if (this.dialect === 'postgres') {
      await sql.raw(statements.join('; ')).execute(trx);
      return;
    }
    for (const st of statements) this.adapter.direct!.run(st, []);
  }

  /** The object's rows in hil_refs (field-index.ts), replaced as it is written; none once it is deleted. */
  private async writeReferences(
    trx: Transaction<Tables>,
    type: EventType,
    resource: string,
    namespace: string,
    name: string,
    object: KObject,
  ): Promise<void> {
    if (!REFERENCE_RESOURCES.has(resource)) return;
    const refs = type === 'DELETED' ? [] : referencesOf(resource, object);
    const direct = this.adapter.direct;
    if (direct) {
      direct.run(DELETE_REFS, [resource, namespace, name]);
      for (const r of refs) direct.run(INSERT_REF, [resource, r.field, r.value, namespace, name]);
      return;
    }
    await trx
      .deleteFrom('hil_refs')
      .where('resource', '=', resource)
      .where('namespace', '=', namespace)
      .where('name', '=', name)
      .execute();
    if (refs.length)
      await trx
        .insertInto('hil_refs')
        .values(refs.map((r) => ({ resource, ...r, namespace, name })))
        .execute();
  }

  /** The reads and writes one queued write makes inside its group's transaction. */
  private txView(trx: Transaction<Tables>, state: { wrote: boolean; failedStatement: boolean }): StoreTx {
    const direct = this.adapter.direct;
    const write = async (
      type: EventType,
      resource: string,
      namespace: string,
      name: string,
      object: KObject,
      prev: StoredObject | undefined,
    ): Promise<StoredObject> => {
      const data = serialize(object);
      const row = {
        resource,
        namespace,
        name,
        type,
        object: data,
        prev: prev ? serialize(prev.object) : null,
        created_at: Date.now(),
      };
      const revision = direct ? writeDirect(direct, row) : await writeOneStatement(trx, row);
      await this.writeReferences(trx, type, resource, namespace, name, object);
      state.wrote = true;
      return {
        resource,
        namespace,
        name,
        revision,
        raw: data,
        object: withRevision(structuredClone(object), revision),
      };
    };
    // A statement that fails may have aborted the transaction (PostgreSQL) or left half a write (the log entry
    // without its object): the group must not go on as if this write had not run.
    const watched = async <T>(run: () => Promise<T> | T): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        state.failedStatement = true;
        throw err;
      }
    };
    return {
      get: (resource, namespace, name) =>
        watched(() => {
          if (!direct) return getIn(trx, resource, namespace, name);
          const row = direct.get(GET_OBJECT, [resource, namespace, name]) as ObjectRow | undefined;
          return row ? toStored(row) : undefined;
        }),
      // Rows as arrays on SQLite (the transaction holds its one connection): no row objects, no kysely driver.
      list: (resource, options) =>
        watched(() => listIn(trx, this.dialect, resource, options ?? {}, toStored, this.adapter.rawRows)),
      put: (resource, namespace, name, object, prev) =>
        watched(() => write(prev ? 'MODIFIED' : 'ADDED', resource, namespace, name, object, prev)),
      remove: (prev) => watched(() => write('DELETED', prev.resource, prev.namespace, prev.name, prev.object, prev)),
    };
  }

  async currentRevision(): Promise<number> {
    return currentRevisionIn(this.db);
  }

  async compactedRevision(): Promise<number> {
    return compactedIn(this.db);
  }

  async changesSince(after: number, limit: number): Promise<ChangeEvent[]> {
    return this.adapter.snapshot(async (tx) => {
      const compacted = await compactedIn(tx);
      if (after < compacted) throw new CompactedError(after, compacted);
      const rows = await tx
        .selectFrom('hil_log')
        .selectAll()
        .where('revision', '>', after as any)
        .orderBy('revision')
        .limit(limit)
        .execute();
      // Parsed only when a watcher looks (a watcher of another kind only needs the resource and name).
      return rows.map((r) => {
        const revision = Number(r.revision);
        let object: KObject | undefined;
        let prev: KObject | undefined;
        const ev: ChangeEvent = {
          type: r.type as EventType,
          revision,
          resource: r.resource,
          namespace: r.namespace,
          name: r.name,
          raw: r.object,
          get object() {
            return (object ??= withRevision(JSON.parse(r.object) as KObject, revision));
          },
          set object(o: KObject) {
            object = o;
          },
        };
        if (r.prev)
          Object.defineProperty(ev, 'prev', {
            enumerable: true,
            get: () => (prev ??= JSON.parse(r.prev!) as KObject),
            set: (o: KObject) => (prev = o),
          });
        return ev;
      });
    });
  }

  async compact(revision: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await this.adapter.lockForWrite(trx);
      const newest = await currentRevisionIn(trx);
      const upTo = Math.min(revision, newest - 1);
      const current = await compactedIn(trx);
      if (upTo <= current) return current;
      await trx
        .deleteFrom('hil_log')
        .where('revision', '<=', upTo as any)
        .execute();
      await trx
        .updateTable('hil_meta')
        .set({ value: String(upTo) })
        .where('key', '=', 'compacted_revision')
        .execute();
      return upTo;
    });
  }

  async compactOlderThan(ageMs: number, keep: number): Promise<number> {
    const newest = await this.currentRevision();
    const cutoff = Date.now() - ageMs;
    const row = await this.db
      .selectFrom('hil_log')
      .select((eb) => eb.fn.max('revision').as('r'))
      .where('created_at', '<', cutoff as any)
      .executeTakeFirst();
    const oldEnough = Number(row?.r ?? 0);
    const target = Math.min(oldEnough, newest - keep);
    if (target <= 0) return this.compactedRevision();
    return this.compact(target);
  }

  async setPassword(
    userName: string,
    userUid: string,
    secretHash: string,
    options: { revokeTokens?: boolean } = {},
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('hil_credentials')
        .where('user_name', '=', userName)
        .where('kind', '=', 'password')
        .execute();
      if (options.revokeTokens)
        await trx.deleteFrom('hil_credentials').where('user_name', '=', userName).where('kind', '=', 'token').execute();
      await trx
        .insertInto('hil_credentials')
        .values({
          user_name: userName,
          user_uid: userUid,
          kind: 'password',
          secret_hash: secretHash,
          expires_at: null,
          created_at: Date.now(),
        })
        .execute();
    });
  }

  async getPassword(userName: string): Promise<Credential | undefined> {
    const r = await this.db
      .selectFrom('hil_credentials')
      .selectAll()
      .where('user_name', '=', userName)
      .where('kind', '=', 'password')
      .executeTakeFirst();
    return r ? toCredential(r) : undefined;
  }

  async upgradePassword(userName: string, oldHash: string, newHash: string): Promise<boolean> {
    const res = await this.db
      .updateTable('hil_credentials')
      .set({ secret_hash: newHash })
      .where('user_name', '=', userName)
      .where('kind', '=', 'password')
      .where('secret_hash', '=', oldHash)
      .executeTakeFirst();
    return Number(res.numUpdatedRows ?? 0) > 0;
  }

  async addToken(userName: string, userUid: string, secretHash: string, expiresAt?: number): Promise<void> {
    const now = Date.now();
    // Expired tokens are dropped as new ones are made, so the table does not grow without bound.
    await this.db
      .deleteFrom('hil_credentials')
      .where('kind', '=', 'token')
      .where('expires_at', '<', now as any)
      .execute();
    await this.db
      .insertInto('hil_credentials')
      .values({
        user_name: userName,
        user_uid: userUid,
        kind: 'token',
        secret_hash: secretHash,
        expires_at: expiresAt ?? null,
        created_at: now,
      })
      .execute();
  }

  async findToken(secretHash: string): Promise<Credential | undefined> {
    const r = await this.db
      .selectFrom('hil_credentials')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .where('kind', '=', 'token')
      .executeTakeFirst();
    return r ? toCredential(r) : undefined;
  }

  async deleteTokens(userName: string): Promise<number> {
    const res = await this.db
      .deleteFrom('hil_credentials')
      .where('user_name', '=', userName)
      .where('kind', '=', 'token')
      .executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }

  async deleteCredentials(userName: string): Promise<number> {
    const res = await this.db.deleteFrom('hil_credentials').where('user_name', '=', userName).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }

  onChange(listener: () => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async close(): Promise<void> {
    await this.stopListening?.();
    await this.adapter.destroy();
  }
}

type LogInsert = Omit<LogRow, 'revision'>;

const GET_OBJECT =
  'select resource, namespace, name, revision, object from hil_objects where resource = ? and namespace = ? and name = ?';
const INSERT_LOG =
  'insert into hil_log (resource, namespace, name, type, object, prev, created_at) values (?, ?, ?, ?, ?, ?, ?) returning revision';
const UPSERT_OBJECT =
  'insert into hil_objects (resource, namespace, name, revision, object) values (?, ?, ?, ?, ?) ' +
  'on conflict (resource, namespace, name) do update set revision = excluded.revision, object = excluded.object';
const DELETE_OBJECT = 'delete from hil_objects where resource = ? and namespace = ? and name = ?';
const DELETE_REFS = 'delete from hil_refs where resource = ? and namespace = ? and name = ?';
const INSERT_REF = 'insert into hil_refs (resource, field, value, namespace, name) values (?, ?, ?, ?, ?)';
const REFERENCE_RESOURCES = new Set(Object.keys(REFERENCE_FIELDS));

/** A write as two statements (SQLite: in-process, so round trips cost nothing): the log entry, then the object. */
function writeDirect(direct: NonNullable<DialectAdapter['direct']>, row: LogInsert): number {
  const { resource, namespace, name, type, object, prev, created_at } = row;
  const inserted = direct.get(INSERT_LOG, [resource, namespace, name, type, object, prev, created_at]) as {
    revision: number;
  };
  const revision = Number(inserted.revision);
  if (type === 'DELETED') direct.run(DELETE_OBJECT, [resource, namespace, name]);
  else direct.run(UPSERT_OBJECT, [resource, namespace, name, revision, object]);
  return revision;
}

/** The same write in one PostgreSQL statement (one round trip): the log insert feeds the object's upsert or delete. */
async function writeOneStatement(trx: Transaction<Tables>, row: LogInsert): Promise<number> {
  const { resource, namespace, name, type, object, prev, created_at } = row;
  const log = sql`insert into hil_log (resource, namespace, name, type, object, prev, created_at)
    values (${resource}, ${namespace}, ${name}, ${type}, ${object}, ${prev}, ${created_at}) returning revision`;
  const result =
    type === 'DELETED'
      ? await sql<{ revision: string }>`with l as (${log}), d as (delete from hil_objects
          where resource = ${resource} and namespace = ${namespace} and name = ${name})
          select revision from l`.execute(trx)
      : await sql<{
          revision: string;
        }>`with l as (${log}) insert into hil_objects (resource, namespace, name, revision, object)
          select ${resource}::text, ${namespace}::text, ${name}::text, l.revision, ${object}::text from l
          on conflict (resource, namespace, name) do update set revision = excluded.revision, object = excluded.object
          returning revision`.execute(trx);
  return Number(result.rows[0].revision);
}

async function getIn(
  db: Kysely<Tables> | Transaction<Tables>,
  resource: string,
  namespace: string,
  name: string,
): Promise<StoredObject | undefined> {
  const row = await db
    .selectFrom('hil_objects')
    .selectAll()
    .where('resource', '=', resource)
    .where('namespace', '=', namespace)
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toStored(row) : undefined;
}

async function compactedIn(db: Kysely<Tables> | Transaction<Tables>): Promise<number> {
  const row = await db
    .selectFrom('hil_meta')
    .select('value')
    .where('key', '=', 'compacted_revision')
    .executeTakeFirst();
  return Number(row?.value ?? 0);
}

async function currentRevisionIn(db: Kysely<Tables> | Transaction<Tables>): Promise<number> {
  const row = await db
    .selectFrom('hil_log')
    .select((eb) => eb.fn.max('revision').as('r'))
    .executeTakeFirst();
  // Compaction always keeps the newest entry, so max(revision) is the store's revision (0 when empty).
  return Number(row?.r ?? 0);
}

/** The rows of a list (no columns chosen yet, no order). */
function filtered(
  db: Kysely<Tables> | Transaction<Tables>,
  dialect: 'sqlite' | 'postgres',
  resource: string,
  options: ListOptions,
) {
  let q = db.selectFrom('hil_objects').where('resource', '=', resource);
  if (options.namespace !== undefined) q = q.where('namespace', '=', options.namespace);
  if (options.fieldEquals) {
    // Paths come from our own code, never from a request; fieldExpression checks them anyway.
    const { path, value } = options.fieldEquals;
    q = q.where(fieldExpression(dialect, path), '=', value);
  }
  if (options.refersTo) {
    const { field, value } = options.refersTo;
    q = q.where(
      sql<boolean>`(namespace, name) in (select r.namespace, r.name from hil_refs r
        where r.resource = ${resource} and r.field = ${field} and r.value = ${value})`,
    );
  }
  if (options.after) {
    const { namespace, name } = options.after;
    q = q.where((eb) =>
      eb.or([eb('namespace', '>', namespace), eb.and([eb('namespace', '=', namespace), eb('name', '>', name)])]),
    );
  }
  return q;
}

/** A list's query: its rows, columns and order. */
function listQuery(
  db: Kysely<Tables> | Transaction<Tables>,
  dialect: 'sqlite' | 'postgres',
  resource: string,
  options: ListOptions,
) {
  const selected = filtered(db, dialect, resource, options).select([
    'resource',
    'namespace',
    'name',
    'revision',
    'object',
  ]);
  // SQLite prefers the primary key, which gives the order, to a lookup index, which narrows the rows: every
  // object of the kind was read for a few. `+` makes the order a sort of what the lookup finds (a handful).
  const lookup = dialect === 'sqlite' && (options.fieldEquals || options.refersTo);
  const ordered = lookup
    ? selected.orderBy(sql`+namespace`).orderBy(sql`+name`)
    : selected.orderBy('namespace').orderBy('name');
  return options.limit === undefined ? ordered : ordered.limit(options.limit);
}

async function listIn(
  db: Kysely<Tables> | Transaction<Tables>,
  dialect: 'sqlite' | 'postgres',
  resource: string,
  options: ListOptions,
  toItem: (row: ObjectRow) => StoredObject = toStored,
  rawRows?: DialectAdapter['rawRows'],
): Promise<StoredObject[]> {
  const ordered = listQuery(db, dialect, resource, options);
  if (rawRows) {
    const compiled = ordered.compile();
    return rawRows(compiled.sql, compiled.parameters).map((r) =>
      toItem({
        resource: r[0] as string,
        namespace: r[1] as string,
        name: r[2] as string,
        revision: r[3] as number,
        object: r[4] as string,
      }),
    );
  }
  const rows = await ordered.execute();
  return rows.map(toItem);
}
