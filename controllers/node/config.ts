// The node controller's settings from hil.cfg (config/sections.ts) and the daemon's flags (controllers/serve.ts):
//
//   [maintenance]            HIL's maintenance pool: released nodes move to maintenance_project (and `url` is told)
//   maintenance_project = wipe-pool
//   url = http://wiper.example/hil
//
//   [hil.ext.obm.ipmi]       ipmitool knobs for every ipmi BMC
//   cipher_suite = 3         -C (default 3)
//   timeout = 1              -N: seconds per answer (default 1)
//   retries = 2              -R (default 2)
//
// Flags: --obm-workers N (BMCs driven at once, default 32), --no-release-power-off.
import { ConfigError, ipmiSection, maintenanceSection, type HilConfig } from '../../config/sections.js';
import { createObmRegistry } from '../../drivers/obm/index.js';
import type { NodeControllerConfig } from './wiring.js';

export function nodeSettings(
  cfg: HilConfig | undefined,
  flags: { obmWorkers?: string; releasePowerOff?: boolean } = {},
): NodeControllerConfig {
  const maintenance = maintenanceSection(cfg);
  let workers: number | undefined;
  if (flags.obmWorkers !== undefined) {
    workers = Number(flags.obmWorkers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 1024)
      throw new ConfigError(`--obm-workers "${flags.obmWorkers}": expected an integer from 1 to 1024`);
  }
  return {
    obmRegistry: createObmRegistry({}, ipmiSection(cfg)),
    ...(workers ? { workers } : {}),
    releasePowerOff: flags.releasePowerOff !== false,
    ...(maintenance ? { maintenance } : {}),
  };
}
