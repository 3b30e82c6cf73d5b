// `hil-admin serve-networks` (alias `controllers`): flags → settings → the daemon, until SIGTERM/SIGINT (graceful:
// stop taking work, finish in-flight reconciles, release the lease) or a lost lease (exit 1, to be restarted by
// systemd or the Deployment, as controller-runtime does).
import * as k8s from '@kubernetes/client-node';
import {
  clientEndpoint,
  ConfigError,
  headnodeSection,
  parseHostPort,
  readConfig,
  vlanPoolSection,
  type HeadnodeSettings,
} from '../config/sections.js';
import { createLogger } from '../common/logging.js';
import type { VlanSet } from '../api/v1alpha1/vlans.js';
import { bridgeDriverFrom } from '../drivers/headnode/config.js';
import { LibvirtHeadnodeDriver } from '../drivers/headnode/libvirt/libvirt-driver.js';
import { buildControllers, defaultIdentity, kubeConfigFor } from './daemon.js';
import { nodeSettings } from './node/config.js';
import type { NodeControllerConfig } from './node/wiring.js';

export interface ServeNetworksFlags {
  config?: string;
  kubeconfig?: string;
  context?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  resync?: string;
  leaderElect?: boolean;
  leaseDuration?: string;
  metricsListen?: string;
  identity?: string;
  logLevel?: string;
  driverTimeout?: string;
  /** BMCs driven at once by the node controller. */
  obmWorkers?: string;
  /** false with --no-release-power-off. */
  releasePowerOff?: boolean;
}

export interface ServeNetworksSettings {
  kubeConfig: k8s.KubeConfig;
  describeConnection: string;
  pool?: VlanSet;
  resyncMs: number;
  leaderElection: boolean;
  leaseDurationMs?: number;
  identity: string;
  metricsListen?: { host: string; port: number };
  logLevel: string;
  driverTimeoutMs?: number;
  /** hil.cfg [headnode]: the headnode controller's hypervisor, bridges and base images. */
  headnode: HeadnodeSettings;
  /** The node controller: OBM drivers (hil.cfg [hil.ext.obm.ipmi]), maintenance pool ([maintenance]), workers. */
  nodes: NodeControllerConfig;
}

function seconds(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${flag} "${v}": expected a number of seconds ≥ ${min}`);
  return Math.round(n * 1000);
}

export { parseHostPort };

export function resolveServeNetworks(
  flags: ServeNetworksFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServeNetworksSettings {
  const cfg = readConfig(flags.config);
  const pool: VlanSet | undefined = vlanPoolSection(cfg);
  // Where the API is, first found wins: --server, --kubeconfig, $KUBECONFIG, $HIL_ENDPOINT, hil.cfg [client]
  // endpoint (as HIL's CLI), then ~/.kube/config or the in-cluster service account.
  let kubeConfig: k8s.KubeConfig;
  let describeConnection: string;
  const endpoint =
    flags.server ?? (flags.kubeconfig || env.KUBECONFIG ? undefined : env.HIL_ENDPOINT || clientEndpoint(cfg));
  if (endpoint) {
    kubeConfig = kubeConfigFor(endpoint, flags.token ?? env.HIL_TOKEN, {
      insecureSkipTLSVerify: flags.insecureSkipTlsVerify,
      caFile: flags.certificateAuthority,
    });
    describeConnection = flags.server
      ? `--server ${endpoint}`
      : env.HIL_ENDPOINT
        ? `HIL_ENDPOINT ${endpoint}`
        : `hil.cfg [client] endpoint ${endpoint}`;
  } else {
    kubeConfig = new k8s.KubeConfig();
    if (flags.kubeconfig) {
      kubeConfig.loadFromFile(flags.kubeconfig);
      describeConnection = `kubeconfig ${flags.kubeconfig}`;
    } else if (env.KUBECONFIG) {
      kubeConfig.loadFromFile(env.KUBECONFIG.split(':')[0]);
      describeConnection = `KUBECONFIG ${env.KUBECONFIG}`;
    } else {
      kubeConfig.loadFromDefault();
      describeConnection = 'default kubeconfig / in-cluster';
    }
    if (flags.context) {
      if (!kubeConfig.getContextObject(flags.context))
        throw new ConfigError(`--context "${flags.context}": no such context in the kubeconfig`);
      kubeConfig.setCurrentContext(flags.context);
    }
    allowPlainHttp(kubeConfig);
    if (!kubeConfig.getCurrentCluster())
      throw new ConfigError(
        'no cluster to connect to: give --server URL or --kubeconfig FILE, set KUBECONFIG or HIL_ENDPOINT, or [client] endpoint in hil.cfg',
      );
  }
  return {
    kubeConfig,
    describeConnection,
    pool,
    resyncMs: seconds('--resync', flags.resync, 1) ?? 60_000,
    leaderElection: flags.leaderElect !== false,
    leaseDurationMs: seconds('--lease-duration', flags.leaseDuration, 3),
    identity: flags.identity ?? env.HIL_CONTROLLER_IDENTITY ?? defaultIdentity(),
    metricsListen: flags.metricsListen
      ? parseHostPort(flags.metricsListen, '--metrics-listen', '127.0.0.1:9090')
      : undefined,
    logLevel: flags.logLevel ?? env.HIL_LOG_LEVEL ?? 'info',
    driverTimeoutMs: seconds('--driver-timeout', flags.driverTimeout, 0.1),
    headnode: headnodeSection(cfg),
    nodes: nodeSettings(cfg, { obmWorkers: flags.obmWorkers, releasePowerOff: flags.releasePowerOff }),
  };
}

/** client-node refuses an http:// server unless skipTLSVerify is set (kubectl does not): set it for those clusters. */
function allowPlainHttp(kc: k8s.KubeConfig): void {
  if (!kc.clusters.some((c) => c.server.startsWith('http:') && !c.skipTLSVerify)) return;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
}

/**
 * Runs the daemon until a signal or a lost lease; resolves with the process exit code. With `signal`, the caller
 * (`hil-admin serve --controllers`) decides when to stop, and no process signal handlers are installed.
 */
export async function serveNetworks(
  settings: ServeNetworksSettings,
  opts: { signal?: AbortSignal } = {},
): Promise<number> {
  const logger = createLogger(settings.logLevel, 'controllers');
  const lease = settings.leaseDurationMs;
  const hn = settings.headnode;
  const headnodeDriver = hn.libvirtEndpoint
    ? new LibvirtHeadnodeDriver({ uri: hn.libvirtEndpoint, imageDir: hn.imageDir, nicModel: hn.nicModel })
    : undefined;
  // The controller makes missing br-vlan<N> itself when it knows how: bridge_driver ovs, or linux with a trunk_nic.
  const bridges =
    hn.libvirtEndpoint && (hn.bridgeDriver === 'ovs' || (hn.bridgeDriver === 'linux' && hn.trunkNic))
      ? bridgeDriverFrom(hn)
      : undefined;
  const built = buildControllers({
    kubeConfig: settings.kubeConfig,
    pool: settings.pool,
    resyncMs: settings.resyncMs,
    leaderElection: settings.leaderElection,
    identity: settings.identity,
    leaseDurationMs: lease,
    renewDeadlineMs: lease ? Math.round(lease * (2 / 3)) : undefined,
    retryPeriodMs: lease ? Math.max(500, Math.round(lease / 6)) : undefined,
    metricsListen: settings.metricsListen,
    driverTimeoutMs: settings.driverTimeoutMs,
    nodes: settings.nodes,
    headnodes: {
      driver: headnodeDriver,
      bridges,
      bridgeKind: hn.bridgeDriver === 'ovs' ? 'ovs' : 'linux',
      baseImages: hn.baseImages,
    },
    logger,
  });
  logger.info('controller daemon starting', {
    connection: settings.describeConnection,
    identity: settings.identity,
    vlanPool: settings.pool?.toString() ?? '(none)',
    resyncSeconds: settings.resyncMs / 1000,
    leaderElection: settings.leaderElection,
    headnodes: hn.libvirtEndpoint
      ? `${hn.libvirtEndpoint} (bridges: ${hn.bridgeDriver})`
      : '(no [headnode] libvirt_endpoint)',
  });
  const ac = new AbortController();
  if (opts.signal) {
    if (opts.signal.aborted) ac.abort();
    else opts.signal.addEventListener('abort', () => ac.abort(), { once: true });
  } else {
    const onSignal = (signal: string) => {
      if (ac.signal.aborted) return;
      logger.info('shutting down', { signal });
      ac.abort();
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  }
  const outcome = await built.manager.run(ac.signal);
  await built.switchReconciler.close();
  await headnodeDriver?.close();
  if (outcome === 'lost') {
    logger.error('lost leadership; exiting so that a fresh process campaigns again');
    return 1;
  }
  logger.info('stopped');
  return 0;
}
