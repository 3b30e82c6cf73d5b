// Throttling of password guesses. Every Basic login counts as a failure from the moment it starts (so parallel
// guesses cannot all pass before the count trips) and is taken back when the password proves right. Over the
// limit, logins from that client address, or for that user name, are answered 429 with Retry-After until the
// oldest failure leaves the window, whether or not the password is right.
import { errors } from '../errors.js';

export interface LoginThrottleOptions {
  /** Failed logins from one client address (an IPv6 /64 counts as one address) within the window. */
  maxFailuresPerAddress: number;
  /** Failed logins for one user name, from anywhere, within the window (guessing from many addresses). */
  maxFailuresPerUser: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  maxFailuresPerAddress: 20,
  maxFailuresPerUser: 100,
  windowMs: 60_000,
};

/** Keys kept before expired ones are swept; above twice this the oldest keys go. */
const SWEEP_AT = 10_000;

export class LoginThrottle {
  /** key → times of the failures (and logins in progress) in the window, oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Call before checking a password. Throws 429 when the address or the user name is over its limit; otherwise
   * counts a failure and returns the function that takes it back (call it when the password was right).
   */
  begin(remoteAddress: string | undefined, userName: string): () => void {
    const now = this.now();
    const keys: Array<[string, number, string]> = [
      [`u:${userName}`, this.options.maxFailuresPerUser, 'for this user name'],
    ];
    if (remoteAddress)
      keys.unshift([`a:${addressKey(remoteAddress)}`, this.options.maxFailuresPerAddress, 'from this address']);
    for (const [key, max, what] of keys) {
      const times = this.recent(key, now);
      if (times.length >= max) {
        const retryAfter = Math.max(1, Math.ceil((times[0] + this.options.windowMs - now) / 1000));
        throw errors.tooManyRequests(`too many failed logins ${what}; try again in ${retryAfter} seconds`, retryAfter);
      }
    }
    if (this.failures.size > SWEEP_AT) this.sweep(now);
    for (const [key] of keys) {
      const times = this.failures.get(key);
      if (times) times.push(now);
      else this.failures.set(key, [now]);
    }
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      for (const [key] of keys) {
        const times = this.failures.get(key);
        const i = times?.indexOf(now) ?? -1;
        if (times && i >= 0) times.splice(i, 1);
        if (times?.length === 0) this.failures.delete(key);
      }
    };
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const cutoff = now - this.options.windowMs;
    while (times.length && times[0] <= cutoff) times.shift();
    if (!times.length) this.failures.delete(key);
    return times;
  }

  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
    // Still too many (addresses churned faster than the window): forget the longest-known keys.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= 2 * SWEEP_AT) break;
      this.failures.delete(key);
    }
  }
}

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64, which one host or customer usually holds whole. */
export function addressKey(address: string): string {
  const a = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
