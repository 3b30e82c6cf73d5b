// The node controller's settings from hil.cfg and the daemon's flags (controllers/serve.ts):
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
import { cfgGet, ConfigError, type HilConfig } from '../../common/hilcfg.js';
import { createObmRegistry, type IpmiDriverOptions } from '../../drivers/obm/index.js';
import type { NodeControllerConfig } from './wiring.js';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function int(section: string, key: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`[${section}] ${key} "${v}": expected an integer from ${min} to ${max}`);
  return n;
}

export function nodeSettings(cfg: HilConfig | undefined, flags: { obmWorkers?: string; releasePowerOff?: boolean } = {}): NodeControllerConfig {
  const project = cfgGet(cfg, 'maintenance', 'maintenance_project') || undefined;
  const url = cfgGet(cfg, 'maintenance', 'url') || undefined;
  if (url && !project) throw new ConfigError('[maintenance] url is set but maintenance_project is not: set both, or neither');
  if (project && !DNS1123.test(project)) throw new ConfigError(`[maintenance] maintenance_project "${project}" is not a valid project name`);
  if (url && !/^https?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`[maintenance] url "${url}" is not an http(s) URL`);
  const S = 'hil.ext.obm.ipmi';
  const ipmi: IpmiDriverOptions = {};
  const cs = int(S, 'cipher_suite', cfgGet(cfg, S, 'cipher_suite'), 0, 17);
  const timeout = int(S, 'timeout', cfgGet(cfg, S, 'timeout'), 1, 60);
  const retries = int(S, 'retries', cfgGet(cfg, S, 'retries'), 1, 10);
  if (cs !== undefined) ipmi.cipherSuite = cs;
  if (timeout !== undefined) ipmi.timeoutSeconds = timeout;
  if (retries !== undefined) ipmi.retries = retries;
  let workers: number | undefined;
  if (flags.obmWorkers !== undefined) {
    workers = Number(flags.obmWorkers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 1024) throw new ConfigError(`--obm-workers "${flags.obmWorkers}": expected an integer from 1 to 1024`);
  }
  return {
    obmRegistry: createObmRegistry({}, ipmi),
    ...(workers ? { workers } : {}),
    releasePowerOff: flags.releasePowerOff !== false,
    ...(project ? { maintenance: { project, ...(url ? { url } : {}) } } : {}),
  };
}
