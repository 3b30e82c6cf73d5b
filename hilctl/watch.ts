// A watch that lasts: the server ends each watch stream after a few minutes, so the loop resumes from the last
// resourceVersion it saw (bookmarks keep that fresh), re-lists when the history is gone (410), and stops when
// the caller is satisfied or the deadline passes.
import type { ApiClient, Query, WatchEvent } from './client.js';
import { StatusError } from './errors.js';

export interface WatchLoopOptions {
  path: string;
  query?: Query;
  /** Start after this resourceVersion. */
  resourceVersion: string;
  accept?: string;
  /** Return true to stop watching. */
  onEvent(ev: WatchEvent): boolean | void;
  /**
   * When the history before resourceVersion is gone: list again and return the list's resourceVersion, or
   * undefined when what was listed already satisfies the caller (the loop then stops).
   */
  relist(): Promise<string | undefined>;
  /** Epoch ms; undefined = forever. */
  deadline?: number;
}

export type WatchOutcome = 'stopped' | 'timeout';

function rvOf(ev: WatchEvent): string | undefined {
  const rv = ev.object?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv ? rv : undefined;
}

export async function watchLoop(client: ApiClient, o: WatchLoopOptions): Promise<WatchOutcome> {
  let rv = o.resourceVersion;
  for (;;) {
    const left = o.deadline === undefined ? undefined : o.deadline - Date.now();
    if (left !== undefined && left <= 0) return 'timeout';
    let stop = false;
    let gone = false;
    let events = 0;
    const started = Date.now();
    let handle: Awaited<ReturnType<ApiClient['watch']>> | undefined;
    const query: Query = { ...o.query, resourceVersion: rv, allowWatchBookmarks: 'true' };
    if (left !== undefined) query.timeoutSeconds = Math.max(1, Math.ceil(left / 1000));
    // eslint-disable-next-line prefer-const -- the event callback, passed in this very call, reads it
    handle = await client.watch(
      o.path,
      query,
      (ev) => {
        if (stop || gone) return;
        events++;
        if (ev.type === 'ERROR') {
          if (ev.object?.code === 410) {
            gone = true;
            handle?.close();
            return;
          }
          throw new StatusError(ev.object?.code ?? 500, ev.object ?? {}, `watch ${o.path}`);
        }
        const next = rvOf(ev);
        if (next) rv = next;
        if (ev.type === 'BOOKMARK') return;
        if (o.onEvent(ev)) {
          stop = true;
          handle?.close();
        }
      },
      o.accept,
    );
    let timer: NodeJS.Timeout | undefined;
    if (left !== undefined) timer = setTimeout(() => handle?.close(), left);
    try {
      await handle.done;
    } catch (err) {
      if (err instanceof StatusError && err.httpStatus === 410) gone = true;
      else throw err;
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (stop) return 'stopped';
    if (gone) {
      const next = await o.relist();
      if (next === undefined) return 'stopped';
      rv = next;
    } else if (Date.now() - started < 200 && !events) {
      // The server ended the stream at once: do not spin.
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
