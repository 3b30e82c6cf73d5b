// What the convergence benchmarks (switches, fleet, vendor) share: API calls that must succeed, resource bodies, and
// the clock's end — a watch on NetworkAttachments that notes the moment the last of them is Attached. Watched, not
// polled: a poll every few ms would load the server being measured; the watch sees each change as it is committed.
import { scrapeMetrics, type BenchContext } from './env.js';
import type { HttpClient } from './http.js';

export const G = '/apis/hil.io/v1alpha1';

/** A call that must succeed: its parsed body, or an Error naming the call, the status and the answer. */
export async function call(http: HttpClient, method: string, path: string, body?: unknown): Promise<any> {
  const r = await http.request(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.text ? JSON.parse(r.text) : undefined;
}

export const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});

export interface AttachedWatch {
  /** How many attachments are Attached now. */
  readonly attached: () => number;
  /** The watch event's time (performance.now()) at which `total` were Attached; rejects after timeoutMs. */
  allAttached(timeoutMs: number): Promise<number>;
  /** When the first, half, nine tenths and all of them were first seen Attached, in ms after t0. */
  milestones(t0: number): string;
}

/** Starts watching NetworkAttachments from the current revision, before the attachments are created. */
export async function watchAttached(ctx: BenchContext, http: HttpClient, total: number): Promise<AttachedWatch> {
  const from = (await call(http, 'GET', `${G}/networkattachments`)).metadata.resourceVersion;
  const attached = new Set<string>();
  /** The time of each attachment's first Attached event, in arrival order. */
  const firstSeen: number[] = [];
  const seen = new Set<string>();
  let allAttachedAt = 0;
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  const watch = await http.stream(
    `${G}/networkattachments?watch=1&resourceVersion=${from}&allowWatchBookmarks=false`,
    (line, at) => {
      const ev = JSON.parse(line) as {
        type: string;
        object: { metadata: { name: string }; status?: { phase?: string } };
      };
      if (ev.type === 'ERROR') return;
      const name = ev.object.metadata.name;
      if (ev.type !== 'DELETED' && ev.object.status?.phase === 'Attached') {
        attached.add(name);
        if (!seen.has(name)) {
          seen.add(name);
          firstSeen.push(at);
        }
      } else attached.delete(name);
      if (attached.size === total && !allAttachedAt) {
        allAttachedAt = at;
        settle();
      }
    },
  );
  if (watch.status !== 200) throw new Error(`watch of networkattachments: HTTP ${watch.status}`);
  ctx.cleanup.defer('close the watch', () => watch.close());
  return {
    attached: () => attached.size,
    milestones(t0) {
      const at = (share: number) =>
        firstSeen.length ? (firstSeen[Math.max(0, Math.ceil(share * total) - 1)] ?? NaN) - t0 : NaN;
      return `first Attached at ${at(1 / total).toFixed(0)} ms, half at ${at(0.5).toFixed(0)}, 90 % at ${at(0.9).toFixed(0)}, all at ${at(1).toFixed(0)}`;
    },
    async allAttached(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        watch.done.then(() => {
          throw new Error('the watch ended before every attachment was Attached');
        }),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(
              () =>
                reject(new Error(`timed out: ${attached.size} of ${total} attachments Attached after ${timeoutMs} ms`)),
              timeoutMs,
            )),
        ),
      ]).finally(() => clearTimeout(timer));
      watch.close();
      return allAttachedAt;
    },
  };
}

/** The API server's request counts by "verb resource[/subresource]" (its /metrics), for writes per attachment. */
export async function requestCounts(url: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { labels, value } of (await scrapeMetrics(url)).samples('apiserver_request_total')) {
    const key = `${labels.verb ?? ''} ${labels.resource ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

/** The writes (create, update, patch, delete) between two requestCounts, most first: "patch ports/status 768, …". */
export function writesBetween(before: Map<string, number>, after: Map<string, number>): { key: string; n: number }[] {
  return [...after]
    .filter(([k]) => /^(create|update|patch|delete)\b/.test(k))
    .map(([key, n]) => ({ key, n: n - (before.get(key) ?? 0) }))
    .filter((w) => w.n > 0)
    .sort((a, b) => b.n - a.n);
}
