// OBM drivers by Node `spec.obm.type`. The node controller and the console endpoint ask `driverFor(type)`; tests
// build their own registry with `createObmRegistry({ mock: new MockObmDriver({ latencyMs: 30 }) })`.
import { ObmError } from './errors.js';
import { IpmiObmDriver, type IpmiDriverOptions } from './ipmi/ipmi-driver.js';
import { MockObmDriver } from './mock/mock-driver.js';
import type { ObmDriver } from './obm-driver.js';

export interface ObmRegistry {
  /** The driver for an OBM type; unknown types are an ObmError 'unsupported'. */
  driverFor(type: string): ObmDriver;
  types(): string[];
}

export function createObmRegistry(overrides: Readonly<Record<string, ObmDriver>> = {}, ipmi: IpmiDriverOptions = {}): ObmRegistry {
  const factories: Record<string, () => ObmDriver> = {
    ipmi: () => new IpmiObmDriver(ipmi),
    mock: () => new MockObmDriver(),
  };
  const made = new Map<string, ObmDriver>(Object.entries(overrides));
  return {
    driverFor(type: string): ObmDriver {
      let d = made.get(type);
      if (!d) {
        const make = Object.prototype.hasOwnProperty.call(factories, type) ? factories[type] : undefined;
        if (!make) throw new ObmError('unsupported', `unknown OBM type ${JSON.stringify(String(type).slice(0, 40))} (available: ${this.types().join(', ')})`);
        d = make();
        made.set(type, d);
      }
      return d;
    },
    types(): string[] {
      return [...new Set([...Object.keys(factories), ...made.keys()])].sort();
    },
  };
}

/** The process-wide registry (one `mock` BMC fabric per process). */
export const defaultObmRegistry: ObmRegistry = createObmRegistry();
