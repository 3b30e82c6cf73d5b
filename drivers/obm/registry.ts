// OBM drivers by Node `spec.obm.type`. The node controller and the console endpoint ask `driverFor(type)`; tests
// build their own registry with `createObmRegistry({ mock: new MockObmDriver({ latencyMs: 30 }) })`.
import { lazyRegistry, type Registry } from '../registry.js';
import { ObmError } from './errors.js';
import { IpmiObmDriver, type IpmiDriverOptions } from './ipmi/ipmi-driver.js';
import { MockObmDriver } from './mock/mock-driver.js';
import { ObmdObmDriver } from './obmd/obmd-driver.js';
import type { ObmDriver } from './obm-driver.js';

/** OBM drivers by type; unknown types are an ObmError 'unsupported'. */
export type ObmRegistry = Registry<ObmDriver>;

export function createObmRegistry(
  overrides: Readonly<Record<string, ObmDriver>> = {},
  ipmi: IpmiDriverOptions = {},
): ObmRegistry {
  return lazyRegistry<ObmDriver>(
    { ipmi: () => new IpmiObmDriver(ipmi), mock: () => new MockObmDriver(), obmd: () => new ObmdObmDriver() },
    overrides,
    (type, available) =>
      new ObmError(
        'unsupported',
        `unknown OBM type ${JSON.stringify(String(type).slice(0, 40))} (available: ${available.join(', ')})`,
      ),
  );
}

/** The process-wide registry (one `mock` BMC fabric per process). */
export const defaultObmRegistry: ObmRegistry = createObmRegistry();
