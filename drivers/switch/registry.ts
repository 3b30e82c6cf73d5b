// Switch drivers by `Switch.spec.type`. The controller asks `driverFor(type)`; tests build their own registry with
// `createRegistry({ mock: new MockSwitchDriver({ ... }) })` and hand it to the controller.
import { createLogger } from '../../common/logging.js';
import { lazyRegistry, type Registry } from '../registry.js';
import { CliSwitchDriver } from './cli/cli-driver.js';
import { aristaEos } from './cli/dialects/arista-eos.js';
import { ciscoCatalyst } from './cli/dialects/cisco-catalyst.js';
import { ciscoNexus } from './cli/dialects/cisco-nexus.js';
import { dellN3000 } from './cli/dialects/dell-n3000.js';
import { dellPowerConnect } from './cli/dialects/dell-powerconnect.js';
import { SwitchError } from './errors.js';
import { LinuxBridgeSwitchDriver } from './linuxbridge/linuxbridge-driver.js';
import { MockSwitchDriver } from './mock/mock-driver.js';
import { OvsSwitchDriver } from './ovs/ovs-driver.js';
import { brocade } from './rest/dialects/brocade.js';
import { dellNos9 } from './rest/dialects/dellnos9.js';
import { RestSwitchDriver } from './rest/rest-driver.js';
import type { SwitchDriver } from './switch-driver.js';

/** The CLI transcript (debug level, secrets redacted): HIL_LOG_LEVEL=debug shows it. */
const cliLog = () => createLogger(undefined, 'switch-cli');
/** The REST transcript (debug level, the password redacted, no Authorization header). */
const restLog = () => createLogger(undefined, 'switch-rest');

/** Switch drivers by type; unknown and not-yet-implemented types are a SwitchError 'unsupported'. */
export type DriverRegistry = Registry<SwitchDriver>;

export function createRegistry(overrides: Readonly<Record<string, SwitchDriver>> = {}): DriverRegistry {
  return lazyRegistry<SwitchDriver>(
    {
      ovs: () => new OvsSwitchDriver(),
      linuxbridge: () => new LinuxBridgeSwitchDriver(),
      mock: () => new MockSwitchDriver(),
      'dell-powerconnect': () => new CliSwitchDriver(dellPowerConnect, { log: cliLog() }),
      'dell-n3000': () => new CliSwitchDriver(dellN3000, { log: cliLog() }),
      'cisco-nexus': () => new CliSwitchDriver(ciscoNexus, { log: cliLog() }),
      brocade: () => new RestSwitchDriver(brocade, { log: restLog() }),
      dellnos9: () => new RestSwitchDriver(dellNos9, { log: restLog() }),
      // Not HIL types: ours, to show that a vendor is a dialect file (docs/drivers.md).
      'cisco-catalyst': () => new CliSwitchDriver(ciscoCatalyst, { log: cliLog() }),
      'arista-eos': () => new CliSwitchDriver(aristaEos, { log: cliLog() }),
    },
    overrides,
    (type, available) =>
      new SwitchError(
        'unsupported',
        `unknown switch type ${JSON.stringify(String(type).slice(0, 40))} (available: ${available.join(', ')})`,
      ),
  );
}

/** The process-wide registry: one driver instance per type (so `mock` switches live as long as the process). */
export const defaultRegistry: DriverRegistry = createRegistry();

export function driverFor(type: string): SwitchDriver {
  return defaultRegistry.driverFor(type);
}
