// Switch drivers by `Switch.spec.type`. The controller asks `driverFor(type)`; tests build their own registry with
// `createRegistry({ mock: new MockSwitchDriver({ ... }) })` and hand it to the controller.
import { SwitchError } from './errors.js';
import { LinuxBridgeSwitchDriver } from './linuxbridge/linuxbridge-driver.js';
import { MockSwitchDriver } from './mock/mock-driver.js';
import { OvsSwitchDriver } from './ovs/ovs-driver.js';
import type { SwitchDriver } from './switch-driver.js';

/** Switch types the CRD names whose drivers are not written yet (vendor CLI/REST drivers). */
export const PLANNED_TYPES = ['dell-powerconnect', 'dell-n3000', 'cisco-nexus', 'brocade', 'dellnos9'] as const;

export interface DriverRegistry {
  /** The driver for a Switch type; rejects unknown and not-yet-implemented types with `unsupported`. */
  driverFor(type: string): SwitchDriver;
  /** The types this registry serves. */
  types(): string[];
}

export function createRegistry(overrides: Readonly<Record<string, SwitchDriver>> = {}): DriverRegistry {
  const factories: Record<string, () => SwitchDriver> = {
    ovs: () => new OvsSwitchDriver(),
    linuxbridge: () => new LinuxBridgeSwitchDriver(),
    mock: () => new MockSwitchDriver(),
  };
  const made = new Map<string, SwitchDriver>(Object.entries(overrides));
  return {
    driverFor(type: string): SwitchDriver {
      let d = made.get(type);
      if (!d) {
        const make = Object.prototype.hasOwnProperty.call(factories, type) ? factories[type] : undefined;
        if (!make) {
          const planned = (PLANNED_TYPES as readonly string[]).includes(type);
          throw new SwitchError(
            'unsupported',
            planned
              ? `switch type ${JSON.stringify(type)} has no driver yet (available: ${this.types().join(', ')})`
              : `unknown switch type ${JSON.stringify(String(type).slice(0, 40))} (available: ${this.types().join(', ')})`,
          );
        }
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

/** The process-wide registry: one driver instance per type (so `mock` switches live as long as the process). */
export const defaultRegistry: DriverRegistry = createRegistry();

export function driverFor(type: string): SwitchDriver {
  return defaultRegistry.driverFor(type);
}
