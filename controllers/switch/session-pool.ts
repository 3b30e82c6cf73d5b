// One management session per switch, reused across batches (a login costs ~2 s on a real switch) and closed after
// an idle period, on any error, or when the switch's config changes. Never more than one open per switch, so
// `maxSessions` (≥ 1) is always respected.
import type { SwitchConfig, SwitchDriver, SwitchSession } from '../../drivers/switch/index.js';

interface Entry {
  key: string;
  session: SwitchSession;
  timer?: NodeJS.Timeout;
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly idleMs: number) {}

  /** The open session for `sw` with this config, or a new one (closing a stale one). */
  async acquire(
    sw: string,
    driver: SwitchDriver,
    config: SwitchConfig,
    configKey: string,
  ): Promise<{ session: SwitchSession; reused: boolean }> {
    const e = this.entries.get(sw);
    if (e) {
      clearTimeout(e.timer);
      // A kept session the switch has dropped meanwhile (its idle timeout) is replaced, not used to fail a batch.
      if (e.key === configKey && !e.session.closed) return { session: e.session, reused: true };
      this.entries.delete(sw);
      await e.session.close();
    }
    const session = await driver.open(config);
    this.entries.set(sw, { key: configKey, session });
    return { session, reused: false };
  }

  /** Done with the session for now: keep it for `idleMs`. */
  release(sw: string): void {
    const e = this.entries.get(sw);
    if (!e) return;
    clearTimeout(e.timer);
    if (this.idleMs <= 0) {
      void this.discard(sw);
      return;
    }
    e.timer = setTimeout(() => void this.discard(sw), this.idleMs);
    e.timer.unref?.();
  }

  /** Closes the switch's session (after an error, or when the switch is gone). */
  async discard(sw: string): Promise<void> {
    const e = this.entries.get(sw);
    if (!e) return;
    this.entries.delete(sw);
    clearTimeout(e.timer);
    await e.session.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((k) => this.discard(k)));
  }
}
