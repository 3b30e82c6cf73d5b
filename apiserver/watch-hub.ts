// Fans the store's change log out to watchers. One reader per server follows the log (woken by local commits or,
// on PostgreSQL, by NOTIFY from other replicas) and offers each change to every watcher in revision order.
// Joining is serialized with dispatching, and each watcher keeps its own cursor, so a watcher sees every
// change after its starting revision exactly once, with no gap between replay and live events.
import type { ChangeEvent, Store } from './store/store.js';
import { CompactedError } from './store/store.js';

export interface Watcher {
  /** Resource key this watcher follows (store key). */
  readonly resource: string;
  /** Highest revision this watcher has been offered (or started after). */
  cursor: number;
  /** Called in revision order with each change of its resource; return false to be dropped. */
  offer(ev: ChangeEvent): void;
  /** The hub could not keep this watcher going (history lost); it should send 410 and end. */
  expire(reason: string): void;
  /** Changes of every other resource, in the same order (a watch ends when its user's User object changes). */
  observe?(ev: ChangeEvent): void;
}

const PAGE = 500;

export class WatchHub {
  private last = 0;
  private readonly watchers = new Set<Watcher>();
  private chain: Promise<void> = Promise.resolve();
  private pending = false;
  private unsubscribe?: () => void;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    this.last = await this.store.currentRevision();
    this.unsubscribe = this.store.onChange(() => this.kick());
  }

  stop(): void {
    this.unsubscribe?.();
    this.watchers.clear();
  }

  get size(): number {
    return this.watchers.size;
  }

  /** The newest revision handed to watchers. */
  get revision(): number {
    return this.last;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  kick(): void {
    if (this.pending) return;
    this.pending = true;
    void this.serialize(async () => {
      this.pending = false;
      await this.dispatch();
    });
  }

  private async dispatch(): Promise<void> {
    // Nobody to tell: skip the read. A watcher that joins later replays from its own cursor, and deliver()
    // drops whatever it has already seen, so `last` may lag safely.
    if (this.watchers.size === 0) return;
    for (;;) {
      let events: ChangeEvent[];
      try {
        events = await this.store.changesSince(this.last, PAGE);
      } catch (err) {
        if (err instanceof CompactedError) {
          // We fell behind compaction: nobody can be served continuously. Everyone re-lists.
          for (const w of this.watchers) w.expire('watch fell behind the change history');
          this.watchers.clear();
          this.last = await this.store.currentRevision();
          return;
        }
        return; // the store is unreachable for now; the next kick retries from the same place
      }
      for (const ev of events) {
        for (const w of this.watchers) this.deliver(w, ev);
        this.last = ev.revision;
      }
      if (events.length < PAGE) return;
    }
  }

  private deliver(w: Watcher, ev: ChangeEvent): void {
    if (ev.revision <= w.cursor) return;
    w.cursor = ev.revision;
    if (ev.resource === w.resource) w.offer(ev);
    else w.observe?.(ev);
  }

  /**
   * Adds a watcher. `init` runs inside the serialized section and returns the revision the watcher has seen
   * everything up to (the resourceVersion it asked for, or the revision of the state it was just sent); the
   * changes since then are replayed before it goes live. Throws CompactedError if they are no longer kept.
   */
  join(w: Watcher, init: () => Promise<number>): Promise<void> {
    return this.serialize(async () => {
      w.cursor = await init();
      for (;;) {
        const events = await this.store.changesSince(w.cursor, PAGE);
        for (const ev of events) this.deliver(w, ev);
        if (events.length < PAGE) break;
      }
      // Moving `last` past changes other watchers have not been offered would skip them for those watchers; with
      // nobody else here it catches up (a long-idle hub would otherwise start behind compaction). Never beyond the
      // store's own revision: the cursor may be a number a client sent.
      if (this.watchers.size === 0 && w.cursor > this.last)
        this.last = Math.min(w.cursor, await this.store.currentRevision());
      this.watchers.add(w);
    });
  }

  remove(w: Watcher): void {
    this.watchers.delete(w);
  }
}
