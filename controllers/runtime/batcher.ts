// Gathers bursts of events per key before handing the key on: the key is passed on once its events have been quiet
// for `quietMs`, and at the latest `maxWaitMs` after the first of them. The switch reconciler uses it so that a
// burst of attachments (a `kubectl apply -f` of a whole rack) becomes one switch session with one save, instead of
// a session for the first few and another for the rest, while a lone change still goes out after `quietMs`.
// (The switch reconciler also runs during the burst, applying without saving: see its burstOngoing option.)
export interface BatcherOptions {
  quietMs: number;
  maxWaitMs: number;
  fire: (key: string) => void;
}

export class Batcher {
  private readonly pending = new Map<string, { first: number; timer: NodeJS.Timeout }>();

  constructor(private readonly o: BatcherOptions) {}

  add(key: string): void {
    const now = Date.now();
    const p = this.pending.get(key);
    const first = p?.first ?? now;
    if (p) clearTimeout(p.timer);
    const wait = Math.max(0, Math.min(this.o.quietMs, first + this.o.maxWaitMs - now));
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.o.fire(key);
    }, wait);
    timer.unref?.();
    this.pending.set(key, { first, timer });
  }

  /** Whether events of `key` are waiting to be passed on (a burst is still going). */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Keys waiting to be passed on. */
  get size(): number {
    return this.pending.size;
  }

  /** Drops every pending key without passing it on (shutdown). */
  clear(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
