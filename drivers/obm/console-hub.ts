// One serial console (SOL) session per node, shared by every reader: the first reader starts it, the last one to
// leave stops it (which frees the BMC's single SOL payload). Recent output is kept per node and tenancy (the
// project the node is in: a new project never sees the previous one's output) so that a reader joining late, or
// asking without `follow`, gets what came before.
import type { ConsoleSession, ObmConfig } from './obm-driver.js';
import type { ObmRegistry } from './registry.js';

export interface ConsoleTarget {
  node: string;
  /** Who the output belongs to (e.g. node uid + project); output is never shown across tenancies. */
  tenancy: string;
  /** OBM type (`spec.obm.type`). */
  type: string;
  bmc: ObmConfig;
}

export interface ConsoleReader {
  write(chunk: Buffer): void;
  /** The session ended (BMC dropped it, could not start, or the node changed hands). */
  end(err?: Error): void;
}

interface Live {
  tenancy: string;
  session: ConsoleSession;
  readers: Set<ConsoleReader>;
}

export class ConsoleHub {
  private readonly live = new Map<string, Live>();
  private readonly history = new Map<string, { tenancy: string; chunks: Buffer[]; bytes: number }>();
  private readonly historyBytes: number;

  constructor(
    private readonly registry: ObmRegistry,
    opts: { historyBytes?: number } = {},
  ) {
    this.historyBytes = opts.historyBytes ?? 64 * 1024;
  }

  /** Output seen so far for this node and tenancy (empty for another tenancy). */
  recent(node: string, tenancy: string): Buffer {
    const h = this.history.get(node);
    return h && h.tenancy === tenancy ? Buffer.concat(h.chunks) : Buffer.alloc(0);
  }

  /** Nodes with a running session (tests, metrics). */
  sessions(): string[] {
    return [...this.live.keys()];
  }

  /**
   * Adds a reader to the node's session (starting it if needed); returns the function that removes it. Throws
   * (before anything starts) when the OBM type has no driver or the BMC config is invalid.
   */
  attach(target: ConsoleTarget, reader: ConsoleReader): () => void {
    const driver = this.registry.driverFor(target.type);
    let live = this.live.get(target.node);
    if (live && live.tenancy !== target.tenancy) {
      // The node changed hands: the old readers lose the console.
      this.stop(target.node, live, new Error('the node changed projects; console closed'));
      live = undefined;
    }
    const h = this.history.get(target.node);
    if (h && h.tenancy !== target.tenancy) this.history.delete(target.node);
    if (!live) {
      const session = driver.openConsole(target.bmc);
      const l: Live = { tenancy: target.tenancy, session, readers: new Set() };
      live = l;
      this.live.set(target.node, l);
      session.onData((chunk) => {
        this.remember(target.node, target.tenancy, chunk);
        for (const r of l.readers) r.write(chunk);
      });
      session.onEnd((err) => {
        if (this.live.get(target.node) === l) this.live.delete(target.node);
        for (const r of l.readers) r.end(err);
        l.readers.clear();
      });
    }
    const l = live;
    l.readers.add(reader);
    return () => {
      if (!l.readers.delete(reader)) return;
      if (l.readers.size === 0) this.stop(target.node, l);
    };
  }

  private stop(node: string, l: Live, err?: Error): void {
    if (this.live.get(node) === l) this.live.delete(node);
    const readers = [...l.readers];
    l.readers.clear();
    for (const r of readers) r.end(err);
    void l.session.close();
  }

  private remember(node: string, tenancy: string, chunk: Buffer): void {
    let h = this.history.get(node);
    if (!h || h.tenancy !== tenancy) {
      h = { tenancy, chunks: [], bytes: 0 };
      this.history.set(node, h);
    }
    h.chunks.push(chunk);
    h.bytes += chunk.length;
    while (h.bytes > this.historyBytes && h.chunks.length > 1) h.bytes -= h.chunks.shift()!.length;
  }

  /** Stops every session (shutdown). */
  async close(): Promise<void> {
    const all = [...this.live.entries()];
    this.live.clear();
    await Promise.all(
      all.map(async ([, l]) => {
        for (const r of l.readers) r.end(new Error('server shutting down'));
        l.readers.clear();
        await l.session.close();
      }),
    );
  }
}
