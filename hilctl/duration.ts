// Durations as kubectl writes them: `30s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds.
import { humanAge } from '../api/meta/age.js';

export { humanAge };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a duration string; throws on anything else. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length || pos === 0) throw new Error(`invalid ${what} "${text}" (expected e.g. 30s, 5m, 1h30m)`);
  return Math.round(total);
}

/** Age of an RFC 3339 timestamp, or `<unknown>`. */
export function ageOf(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanAge(now - t);
}
