// GET …?watch=true: newline-delimited watch events. Headers are flushed at once (client-node's informer waits for
// them), the stream replays from the asked resourceVersion (410 Gone if that history is compacted), follows live
// changes, sends bookmarks when asked, and ends after a timeout so clients re-watch and spread over replicas.
import type { ServerResponse } from 'node:http';
import { errors } from '../errors.js';
import type { KObject } from '../object.js';
import { apiVersionOf, storeKey } from '../registry.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { CompactedError, objectJson, type ChangeEvent, type Store } from '../store/store.js';
import { columnDefinitions, tableRow, wantsTable } from '../table.js';
import type { WatchHub, Watcher } from '../watch-hub.js';
import type { RequestInfo } from './resources.js';
import { awaitRevision } from './revision.js';
import { USERS_KEY } from '../auth/database.js';
import { queryBool } from '../codec/query.js';

export interface WatchOptions {
  store: Store;
  hub: WatchHub;
  /** Server-side cap on a watch's life; each watch gets a random duration in [t, 2t) unless it asks for less. */
  defaultTimeoutMs: number;
  bookmarkIntervalMs: number;
  /** A watcher whose socket has this much unsent data beyond its initial state is dropped (it will re-watch). */
  maxBufferedBytes: number;
  /** …and so is one whose client has not taken what was sent for this long. */
  slowWatchMs: number;
  onOpen?: () => void;
  onClose?: () => void;
  /**
   * Asked every `revalidateMs` while the watch streams: false ends it (the caller's credential was revoked or has
   * expired, their password changed, or their rights changed). Absent: the watch is never re-checked.
   */
  stillValid?: () => Promise<boolean>;
  revalidateMs?: number;
}

type EventLine = { type: string; object: unknown };

export async function serveWatch(
  info: RequestInfo,
  res: ServerResponse,
  opts: WatchOptions,
  visible: (o: KObject) => boolean = () => true,
): Promise<void> {
  const t = info.type;
  const q = info.query;
  const labels = parseLabelSelector(q.labelSelector);
  const fields = parseFieldSelector(q.fieldSelector);
  const ns = t.namespaced && info.namespace ? info.namespace : undefined;
  const byName = info.name; // a watch on a single object (fieldSelector metadata.name, or the item path)
  const matches = (o: KObject | undefined): boolean =>
    !!o && (!byName || o.metadata.name === byName) && labels(o.metadata.labels) && fields(o) && visible(o);
  const table = wantsTable(info.accept);
  let headersSent = false;
  const render = (o: KObject): unknown => {
    if (!table) return o;
    const first = !headersSent;
    headersSent = true;
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: o.metadata.resourceVersion },
      columnDefinitions: first ? columnDefinitions(t) : [],
      rows: [tableRow(t, o, q.includeObject)],
    };
  };

  let rv: number | undefined;
  if (q.resourceVersion !== undefined && q.resourceVersion !== '' && q.resourceVersion !== '0') {
    rv = Number(q.resourceVersion);
    if (!Number.isSafeInteger(rv) || rv < 0)
      throw errors.badRequest(`resourceVersion must be an integer, not "${q.resourceVersion}"`);
    await awaitRevision(opts.store, rv);
  }
  const sendInitial = queryBool(q, 'sendInitialEvents') || rv === undefined;
  const requested = q.timeoutSeconds !== undefined ? Number(q.timeoutSeconds) * 1000 : undefined;
  const cap = opts.defaultTimeoutMs * (1 + Math.random());
  const timeoutMs =
    requested !== undefined && Number.isFinite(requested) && requested > 0 ? Math.min(requested, cap) : cap;

  let closed = false;
  let streaming = false; // events queue up until the headers are out
  const queue: string[] = [];
  const write = (line: EventLine) => writeText(JSON.stringify(line));
  const writeText = (text: string) => {
    if (closed) return;
    queue.push(text);
    if (queue.length === 1) setImmediate(flush);
  };
  // A client that does not read must not make the server hold its events: what waits in the socket's buffer is
  // bounded in bytes (beyond the initial state, sent at once) and in time, then the watch is closed and its
  // buffers freed. The client re-watches from its last resourceVersion, as after any watch timeout.
  let allowance = 0;
  let stalled: NodeJS.Timeout | undefined;
  const flush = () => {
    if (closed || !streaming || !queue.length) return;
    const drained = res.write(queue.join('\n') + '\n');
    queue.length = 0;
    if (!allowance) allowance = res.writableLength + opts.maxBufferedBytes;
    if (res.writableLength > allowance) return cutOff();
    if (!drained && !stalled) {
      stalled = setTimeout(cutOff, opts.slowWatchMs);
      res.once('drain', () => {
        clearTimeout(stalled);
        stalled = undefined;
      });
    }
  };
  const cutOff = () => {
    queue.length = 0;
    end();
    res.destroy();
  };

  const watcher: Watcher = {
    resource: storeKey(t),
    cursor: 0,
    offer(ev: ChangeEvent) {
      if (ns !== undefined && ev.namespace !== ns) return;
      const now = matches(ev.object);
      const before = ev.type === 'MODIFIED' ? matches(ev.prev) : false;
      let type: string | undefined;
      if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined;
      else if (ev.type === 'DELETED') type = matches(ev.prev ?? ev.object) ? 'DELETED' : undefined;
      else if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) type = 'DELETED';
      if (!type) return;
      // An object that left the caller's view goes as the last state they were allowed to see (at this event's
      // resourceVersion), never with the labels and annotations its new owner gave it.
      const shown =
        type === 'DELETED' && ev.type === 'MODIFIED'
          ? { ...ev.prev!, metadata: { ...ev.prev!.metadata, resourceVersion: ev.object.metadata.resourceVersion } }
          : ev.object;
      // The event's object as it is: its text is made once (ev.json) and shared by every watcher.
      if (shown === ev.object && !table) writeText(`{"type":"${type}","object":${(ev.json ??= objectJson(ev))}}`);
      else write({ type, object: render(shown) });
    },
    observe(ev: ChangeEvent) {
      // What the caller may see was decided when the watch began: when their User object changes (projects,
      // admin, deletion) the stream ends, and the client's re-list and re-watch see with the new rights.
      if (ev.resource === USERS_KEY && ev.name === info.user.name && !info.user.anonymous) setImmediate(end);
    },
    expire(reason) {
      write({ type: 'ERROR', object: errors.gone(reason).toStatus() });
      setImmediate(end);
    },
  };

  let timer: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  let revalidate: NodeJS.Timeout | undefined;
  function end() {
    if (closed) return;
    flush();
    closed = true;
    opts.hub.remove(watcher);
    if (timer) clearTimeout(timer);
    if (revalidate) clearInterval(revalidate);
    if (stalled) clearTimeout(stalled);
    if (bookmarks) clearInterval(bookmarks);
    res.end();
    if (streaming) opts.onClose?.();
  }
  res.on('close', end);

  try {
    await opts.hub.join(watcher, async () => {
      if (!sendInitial) return rv!;
      const listed = await opts.store.list(storeKey(t), { namespace: ns });
      for (const item of listed.items)
        if (matches(item.object))
          if (table) write({ type: 'ADDED', object: render(item.object) });
          else writeText(`{"type":"ADDED","object":${objectJson(item)}}`);
      if (queryBool(q, 'sendInitialEvents') && queryBool(q, 'allowWatchBookmarks')) {
        write({
          type: 'BOOKMARK',
          object: {
            kind: t.kind,
            apiVersion: apiVersionOf(t),
            metadata: {
              resourceVersion: String(listed.revision),
              annotations: { 'k8s.io/initial-events-end': 'true' },
            },
          },
        });
      }
      return listed.revision;
    });
  } catch (err) {
    opts.hub.remove(watcher);
    closed = true;
    if (err instanceof CompactedError)
      throw errors.gone(`too old resource version: ${err.requested} (${err.compacted})`);
    throw err;
  }

  if (closed) return; // the client went away while we were catching up
  // Committed to streaming now.
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  opts.onOpen?.();
  streaming = true;
  flush();
  timer = setTimeout(end, timeoutMs);
  const stillValid = opts.stillValid;
  if (stillValid) {
    let checking = false;
    revalidate = setInterval(() => {
      if (checking || closed) return;
      checking = true;
      stillValid()
        .then((ok) => ok || end())
        .catch(() => end()) // cannot tell (store down): end it; the client re-authenticates
        .finally(() => (checking = false));
    }, opts.revalidateMs ?? 30_000);
  }
  if (queryBool(q, 'allowWatchBookmarks')) {
    bookmarks = setInterval(() => {
      write({
        type: 'BOOKMARK',
        object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(watcher.cursor) } },
      });
    }, opts.bookmarkIntervalMs);
  }
}
