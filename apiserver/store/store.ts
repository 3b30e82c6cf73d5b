// The store: a kine-like log of every write (its id is the resourceVersion) plus the current row per object.
// One implementation on kysely (sql-store.ts) serves both dialects; what differs per dialect is in dialects.ts.
import type { KObject } from '../object.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One object as stored: `object.metadata.resourceVersion` is always String(revision). */
export interface StoredObject {
  resource: string;
  namespace: string;
  name: string;
  revision: number;
  object: KObject;
  /**
   * The object's JSON text as stored (without resourceVersion), when it came from the database or was just written:
   * objectJson() turns it into the served text without parsing and re-serializing the object. Only as the store
   * returned it: a copy with another `object` ({ ...stored, object }) must not keep it.
   */
  raw?: string;
}

/** One entry of the change log, as a watch replays it. `prev` is the object before the change (not for ADDED). */
export interface ChangeEvent {
  type: EventType;
  revision: number;
  resource: string;
  namespace: string;
  name: string;
  object: KObject;
  prev?: KObject;
  /** The object's stored JSON text (as StoredObject.raw). */
  raw?: string;
  /** objectJson() of the event, cached: every watcher sends the same text. */
  json?: string;
}

/** How every object's stored text begins (metadata first; see serialize in sql-store.ts). */
export const RAW_PREFIX = '{"metadata":{';

/**
 * The object's JSON as the API serves it (with its resourceVersion). The store writes `metadata` first (see
 * serialize in sql-store.ts), so the served text is the stored text with resourceVersion spliced in at the front
 * of metadata: no parse, no re-serialization. Text stored before that format (or no text) goes the long way.
 */
export function objectJson(item: { raw?: string; revision: number; object: KObject }): string {
  const raw = item.raw;
  if (raw !== undefined && raw.startsWith(RAW_PREFIX)) return withResourceVersion(raw, item.revision);
  return JSON.stringify(item.object);
}

/** Stored text that starts with RAW_PREFIX, with its resourceVersion spliced in as the first metadata field. */
export function withResourceVersion(raw: string, revision: number | string): string {
  const rest = raw.slice(RAW_PREFIX.length);
  return `${RAW_PREFIX}"resourceVersion":"${revision}"${rest.startsWith('}') ? '' : ','}${rest}`;
}

export interface ListOptions {
  /** Only this namespace; undefined lists every namespace. */
  namespace?: string;
  /** Resume after this (namespace, name), exclusive — the continue token's position. */
  after?: { namespace: string; name: string };
  /**
   * Only objects whose string field at this path (e.g. ['spec', 'node']) equals the value. Filtered by the
   * database, so admission checks that look for related objects do not parse every object of the kind in JS.
   */
  fieldEquals?: { path: string[]; value: string };
  /**
   * Only objects whose reference field (REFERENCE_FIELDS in field-index.ts, e.g. a Node's `spec.nics.port`) holds
   * this value: a lookup in the store's reference table, for checks such as "is this port any node's".
   */
  refersTo?: { field: string; value: string };
  /**
   * At most this many items (a page: the caller asks for one more than it serves to learn whether there are more).
   * With a limit, `list` also says how many matching objects it left out (`ListResult.remaining`).
   */
  limit?: number;
}

/** A whole list as the API serves its items: the objects' JSON texts, joined by commas, in list order. */
export interface ListText {
  /** `objectJson` of every item, comma-separated (empty for no items). */
  items: string;
  count: number;
  /** The store's revision the list was read at. */
  revision: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The store's revision the list was read at. */
  revision: number;
  /** With `limit`: how many matching objects are not in `items`. */
  remaining?: number;
}

export interface TransactOptions {
  /**
   * fn writes and then throws on purpose (a dry run): the store sets a savepoint for it alone. Any fn may throw,
   * and what it wrote is rolled back; this only says which ones should be cheap to roll back.
   */
  rollsBack?: boolean;
}

/** Reads and writes inside one serialized transaction: admission checks read through it, then write. */
export interface StoreTx {
  get(resource: string, namespace: string, name: string): Promise<StoredObject | undefined>;
  list(resource: string, options?: ListOptions): Promise<StoredObject[]>;
  /** Create (prev undefined) or replace an object; returns it with its new resourceVersion. */
  put(resource: string, namespace: string, name: string, object: KObject, prev?: StoredObject): Promise<StoredObject>;
  remove(prev: StoredObject): Promise<StoredObject>;
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`too old resource version: ${requested} (${compacted})`);
  }
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  get(resource: string, namespace: string, name: string): Promise<StoredObject | undefined>;
  list(resource: string, options?: ListOptions): Promise<ListResult>;
  /**
   * The same list (namespace and `after` only) already joined as served text (by SQLite itself; on PostgreSQL from
   * the rows as stored): a full list of 10,000 objects is one string, not 10,000 parsed-on-demand items for the
   * garbage collector. Undefined when the store does not (text stored in an older format): the caller lists the
   * usual way.
   */
  listText?(resource: string, options?: Pick<ListOptions, 'namespace' | 'after'>): Promise<ListText | undefined>;
  /** Runs fn in a write transaction; writes are seen by watchers only after it commits. */
  transact<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactOptions): Promise<T>;
  currentRevision(): Promise<number>;
  /** Events with revision > after, oldest first, at most `limit`. Throws CompactedError if they are gone. */
  changesSince(after: number, limit: number): Promise<ChangeEvent[]>;
  compactedRevision(): Promise<number>;
  /** Drops history at or below `revision` (never the newest entry). */
  compact(revision: number): Promise<number>;
  /** History entries older than this many ms and not among the newest `keep` go. Returns the compacted revision. */
  compactOlderThan(ageMs: number, keep: number): Promise<number>;
  /** Called after any commit here, or (PostgreSQL) anywhere: a hint to read changesSince. */
  onChange(listener: () => void): () => void;
  migrate(): Promise<{ applied: string[] }>;
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

/** A stored credential: a password hash (one per user) or a token hash (many). */
export interface Credential {
  /** The row's id: a new password (or token) is a new credential; a re-hash of the same password keeps it. */
  id: string;
  userName: string;
  /** The User object's uid when the credential was made: a re-created user does not inherit it. */
  userUid: string;
  kind: 'password' | 'token';
  secretHash: string;
  expiresAt?: number;
}

/** Credentials live beside the objects but are never served by the API. */
export interface CredentialStore {
  /** Sets (replaces) the password; with revokeTokens, deletes the user's tokens in the same transaction. */
  setPassword(
    userName: string,
    userUid: string,
    secretHash: string,
    options?: { revokeTokens?: boolean },
  ): Promise<void>;
  getPassword(userName: string): Promise<Credential | undefined>;
  /**
   * Replaces the password's hash by a stronger hash of the same password, only if it is still `oldHash` (a
   * password change in between wins). Returns whether it did.
   */
  upgradePassword(userName: string, oldHash: string, newHash: string): Promise<boolean>;
  addToken(userName: string, userUid: string, secretHash: string, expiresAt?: number): Promise<void>;
  findToken(secretHash: string): Promise<Credential | undefined>;
  /** Revokes every token of the user; returns how many. */
  deleteTokens(userName: string): Promise<number>;
  /** Removes every credential of the user; returns how many. */
  deleteCredentials(userName: string): Promise<number>;
}
