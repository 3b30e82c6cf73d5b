// The live isolation checker: a thin observation layer around decide.ts. It follows
//   - the switch's real state: an OVSDB `monitor` of the Port table (tag, trunks, vlan_mode, protected), pushed by
//     ovsdb-server on every commit — the same rows ovs-vswitchd forwards by;
//   - the API's objects: list + watch of ports, nodes and networks (switches and attachments are not needed to
//     decide), on any of several API server URLs (it fails over when a replica dies and lists again);
// and evaluates the invariant at every update from either side. A violation that appears is re-checked at once
// against a fresh list from the API (the two streams can arrive slightly out of order): if the fresh objects clear it,
// it is counted as `unconfirmed` (observation skew), otherwise it opens a confirmed episode (first seen … last seen).
//
//   const checker = new IsolationChecker({ switchName: 'lab', ovsdb: lab.ovsdb!.tcp, apiUrls: [a.url, b.url] });
//   await checker.start(); … checker.excuse('p3', Date.now() + 8000); … checker.report(); await checker.stop();
import { OvsdbClient, type Json } from '../../../drivers/switch/ovs/ovsdb-client.js';
import { findViolations, violationKey, type ApiObjects, type OvsRow, type Violation } from './decide.js';

const PLURALS = ['ports', 'nodes', 'networks'] as const;
type Plural = (typeof PLURALS)[number];
const H = '/apis/hil.io/v1alpha1';

export interface Episode {
  violation: Violation;
  /** ms since the epoch */
  firstSeen: number;
  lastSeen: number;
  open: boolean;
}

export interface CheckerOptions {
  switchName: string;
  /** OVSDB remote: tcp:HOST:PORT or unix:/path. */
  ovsdb: string;
  apiUrls: string[];
  parkingVlan?: number;
  /** OVS ports that are not switch ports of nodes (default: the bridge's own port, sw0). */
  ignore?: string[];
  /** Called when a confirmed episode opens. */
  onViolation?: (e: Episode) => void;
}

/** Decodes an OVSDB Port row (RFC 7047 sets: ["set", [...]] or a bare atom). */
function decodeRow(raw: Record<string, Json>): OvsRow {
  const set = (v: Json | undefined): Json[] =>
    Array.isArray(v) && v[0] === 'set' ? (v[1] as Json[]) : v === undefined || v === null ? [] : [v];
  const tag = set(raw.tag)[0];
  const mode = set(raw.vlan_mode)[0];
  return {
    name: String(raw.name),
    tag: typeof tag === 'number' ? tag : undefined,
    trunks: set(raw.trunks).filter((t): t is number => typeof t === 'number'),
    vlanMode: typeof mode === 'string' ? mode : undefined,
    protected: raw.protected === true,
  };
}

export class IsolationChecker {
  private readonly rows = new Map<string, OvsRow>(); // uuid → row
  private readonly objects: { [P in Plural]: Map<string, any> } = {
    ports: new Map(),
    nodes: new Map(),
    networks: new Map(),
  };
  private readonly synced = new Set<Plural>();
  private ovs?: OvsdbClient;
  private ovsSynced = false;
  private stopped = false;
  private readonly aborts: AbortController[] = [];
  private readonly excused = new Map<string, number>();
  private readonly open = new Map<string, Episode>();
  private readonly closed: Episode[] = [];
  private readonly suspects = new Set<string>();
  private urlIndex = 0;
  private timer?: NodeJS.Timeout;
  /** Instants evaluated (updates from either side once both are synced). */
  evaluations = 0;
  /** Violations the fresh API list cleared at once (the streams were out of order). */
  unconfirmed: Violation[] = [];

  constructor(private readonly o: CheckerOptions) {}

  async start(): Promise<void> {
    await this.connectOvs();
    for (const p of PLURALS) void this.follow(p);
    // Reconnect to OVSDB if it dropped us; also re-evaluates now and then, so excuses that run out are judged.
    this.timer = setInterval(() => {
      if (this.ovs?.closed && !this.stopped) void this.connectOvs().catch(() => undefined);
      this.evaluate();
    }, 500);
    const deadline = Date.now() + 20_000;
    while (this.synced.size < PLURALS.length || !this.ovsSynced) {
      if (Date.now() > deadline)
        throw new Error(`checker: not synced after 20 s (api ${[...this.synced].join(',')}, ovs ${this.ovsSynced})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.evaluate();
  }

  /** Hand edits on purpose: the port is not judged until `until` (ms since the epoch). */
  excuse(iface: string, until: number): void {
    this.excused.set(iface, Math.max(until, this.excused.get(iface) ?? 0));
  }

  /** When the last hand-edit excuse runs out (ms since the epoch; 0 when none). */
  excusedUntil(): number {
    return Math.max(0, ...this.excused.values());
  }

  /** Every confirmed episode, open and closed, oldest first. */
  episodes(): Episode[] {
    return [...this.closed, ...this.open.values()].sort((a, b) => a.firstSeen - b.firstSeen);
  }

  /** The violations of this instant (for a quiet point's check). */
  current(): Violation[] {
    return this.violationsNow(this.snapshot());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const a of this.aborts) a.abort();
    this.ovs?.close();
    const now = Date.now();
    for (const e of this.open.values()) e.lastSeen = now;
  }

  private snapshot(): ApiObjects {
    return {
      ports: [...this.objects.ports.values()],
      nodes: [...this.objects.nodes.values()],
      networks: [...this.objects.networks.values()],
    };
  }

  private violationsNow(objects: ApiObjects): Violation[] {
    return findViolations(
      {
        switch: this.o.switchName,
        rows: [...this.rows.values()],
        parkingVlan: this.o.parkingVlan ?? 4095,
        ignore: this.o.ignore ?? ['sw0'],
      },
      objects,
      { now: Date.now(), excused: this.excused },
    );
  }

  private evaluate(): void {
    if (this.stopped || !this.ovsSynced || this.synced.size < PLURALS.length) return;
    this.evaluations++;
    const now = Date.now();
    const found = new Map(this.violationsNow(this.snapshot()).map((v) => [violationKey(v), v]));
    for (const [k, e] of this.open) {
      if (found.has(k)) e.lastSeen = now;
      else {
        e.open = false;
        this.open.delete(k);
        this.closed.push(e);
      }
    }
    for (const [k, v] of found) {
      if (this.open.has(k) || this.suspects.has(k)) continue;
      this.suspects.add(k);
      void this.confirm(k, v, now);
    }
  }

  /** Re-checks a new violation against a fresh list of the API objects (and the OVS rows as they are by then). */
  private async confirm(key: string, v: Violation, seen: number): Promise<void> {
    try {
      const fresh: Partial<ApiObjects> = {};
      for (const p of PLURALS) (fresh as any)[p] = (await this.list(p)).items;
      const still = this.violationsNow(fresh as ApiObjects).find((x) => violationKey(x) === key);
      if (!still) {
        this.unconfirmed.push(v);
        return;
      }
      const e: Episode = { violation: still, firstSeen: seen, lastSeen: Date.now(), open: true };
      this.open.set(key, e);
      this.o.onViolation?.(e);
    } catch {
      // No API answered: judge on what the streams said.
      const e: Episode = { violation: v, firstSeen: seen, lastSeen: Date.now(), open: true };
      this.open.set(key, e);
      this.o.onViolation?.(e);
    } finally {
      this.suspects.delete(key);
    }
  }

  private async connectOvs(): Promise<void> {
    const client = await OvsdbClient.connect(this.o.ovsdb, 10_000);
    this.ovs = client;
    const id = 'hil-invariant-checker';
    client.onNotification = (method, params) => {
      if (method === 'update' && Array.isArray(params) && params[0] === id) {
        this.takeRows(params[1]);
        this.evaluate();
      }
    };
    const initial = await client.request('monitor', [
      'Open_vSwitch',
      id,
      { Port: { columns: ['name', 'tag', 'trunks', 'vlan_mode', 'protected'] } },
    ]);
    this.rows.clear();
    this.takeRows(initial);
    this.ovsSynced = true;
    this.evaluate();
  }

  private takeRows(update: Json): void {
    const ports =
      (update as Record<string, Record<string, { new?: Record<string, Json>; old?: Record<string, Json> }>> | null)
        ?.Port ?? {};
    for (const [uuid, change] of Object.entries(ports)) {
      if (change.new)
        this.rows.set(uuid, decodeRow(change.new)); // `new` holds every monitored column (RFC 7047 §4.1.6)
      else this.rows.delete(uuid);
    }
  }

  private url(): string {
    return this.o.apiUrls[this.urlIndex % this.o.apiUrls.length];
  }

  private async list(p: Plural): Promise<{ items: any[]; metadata: { resourceVersion: string } }> {
    let last: unknown;
    for (let i = 0; i < this.o.apiUrls.length; i++) {
      try {
        const r = await fetch(`${this.url()}${H}/${p}`, { signal: AbortSignal.timeout(5000) });
        if (r.status === 200) return await r.json();
        last = new Error(`list ${p}: ${r.status}`);
      } catch (err) {
        last = err;
      }
      this.urlIndex++;
    }
    throw last;
  }

  /** List, then watch from the list's resourceVersion; on any end, list again (on the next replica if this one failed). */
  private async follow(p: Plural): Promise<void> {
    while (!this.stopped) {
      const ac = new AbortController();
      this.aborts.push(ac);
      try {
        const l = await this.list(p);
        const m = new Map<string, any>(l.items.map((o) => [o.metadata.name, o]));
        this.objects[p].clear();
        for (const [k, o] of m) this.objects[p].set(k, o);
        this.synced.add(p);
        this.evaluate();
        const res = await fetch(`${this.url()}${H}/${p}?watch=true&resourceVersion=${l.metadata.resourceVersion}`, {
          signal: ac.signal,
        });
        if (res.status !== 200 || !res.body) throw new Error(`watch ${p}: ${res.status}`);
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type: string; object: any };
            if (ev.type === 'ERROR') throw new Error(`watch ${p}: ${JSON.stringify(ev.object)}`);
            if (ev.type === 'BOOKMARK') continue;
            if (ev.type === 'DELETED') this.objects[p].delete(ev.object.metadata.name);
            else this.objects[p].set(ev.object.metadata.name, ev.object);
            this.evaluate();
          }
        }
      } catch {
        if (this.stopped) return;
        this.urlIndex++;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        ac.abort();
        this.aborts.splice(this.aborts.indexOf(ac), 1);
      }
    }
  }
}

/** A report line per episode, for people. */
export function describeEpisode(e: Episode, t0: number): string {
  const dur = e.lastSeen - e.firstSeen;
  return `t+${((e.firstSeen - t0) / 1000).toFixed(1)}s for ${dur} ms${e.open ? ' (still open)' : ''}: ${e.violation.message}`;
}
