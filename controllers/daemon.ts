// The controller daemon (`hil-admin serve-networks`): one Manager with the shared informers and every controller,
// wired to informer events. Also the way to run the controllers in-process (tests, benchmarks):
//
//   const running = await startControllers({ kubeConfig, driverRegistry, pool: parseVlanList('100-200') });
//   ...; await running.stop();
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { createLogger, type Logger } from '../common/logging.js';
import type { VlanSet } from '../api/v1alpha1/vlans.js';
import { defaultRegistry, type DriverRegistry } from '../drivers/switch/index.js';
import { wireAttachments } from './attachment/wiring.js';
import { InformerCache } from './cache.js';
import { GROUP, HilClient, VERSION, type ApiCall, type HilKinds, type HilPlural } from './client.js';
import { EventRecorder } from './events.js';
import { wireHeadnodes, type HeadnodeControllerConfig } from './headnode/wiring.js';
import type { NetworkReconciler } from './network/network-reconciler.js';
import { wireNetworks } from './network/wiring.js';
import { wireNicStatus } from './nic-status/wiring.js';
import { wireProjectStatus } from './project-status/wiring.js';
import { wireNodes, type NodeControllerConfig } from './node/wiring.js';
import { wireProtection } from './protection/wiring.js';
import { LEADER_LEASE, SYSTEM_NAMESPACE } from './rbac.js';
import type { Controller } from './runtime/controller.js';
import { ResourceInformer } from './runtime/informer.js';
import { Manager, type RunOutcome } from './runtime/manager.js';
import type { SwitchReconciler } from './switch/switch-reconciler.js';
import { wireSwitches } from './switch/wiring.js';
import type { Wiring } from './wiring.js';

export interface ControllerDaemonOptions {
  kubeConfig: k8s.KubeConfig;
  /** The VLAN pool networks get their VLAN from (hil.cfg [hil.ext.network_allocators.vlan_pool] vlans). */
  pool?: VlanSet;
  driverRegistry?: DriverRegistry;
  /** Periodic full resync of every switch (drift correction). Default 60 000 ms. */
  resyncMs?: number;
  /** Lease-based leader election (default on in the daemon). */
  leaderElection?: boolean;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  metricsListen?: { host: string; port: number };
  logger?: Logger;
  driverTimeoutMs?: number;
  sessionIdleMs?: number;
  /** Switches reconciled at once (default 64): a hung switch holds one worker only. */
  switchWorkers?: number;
  /** Sync a switch once its events have been quiet this long, to batch bursts into one session (default 20 ms). */
  switchBatchDelayMs?: number;
  /** ...but no later than this after the first event of a burst (default 500 ms). */
  switchBatchMaxWaitMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Every API call (for RBAC recording in tests). */
  onCall?: (call: ApiCall) => void;
  /** The headnode controller's hypervisor, bridges and base images (hil.cfg [headnode]). */
  headnodes?: HeadnodeControllerConfig;
  /** The node controller's OBM drivers, BMC parallelism, release power-off and maintenance pool. */
  nodes?: NodeControllerConfig;
}

export interface Controllers {
  manager: Manager;
  client: HilClient;
  switchReconciler: SwitchReconciler;
  networkReconciler: NetworkReconciler;
  controllers: {
    switch: Controller;
    network: Controller;
    attachment: Controller;
    protection: Controller;
    headnode: Controller;
    node: Controller;
    nicStatus: Controller;
    projectStatus: Controller;
  };
}

export function defaultIdentity(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function buildControllers(opts: ControllerDaemonOptions): Controllers {
  const logger = opts.logger ?? createLogger(process.env.HIL_LOG_LEVEL ?? 'info', 'controllers');
  const client = new HilClient(opts.kubeConfig);
  client.onCall = opts.onCall;
  const identity = opts.identity ?? defaultIdentity();
  client.host = identity;
  const events = new EventRecorder(client, logger);
  const resyncMs = opts.resyncMs ?? 60_000;
  const manager = new Manager({
    logger,
    metricsListen: opts.metricsListen,
    leaderElection:
      opts.leaderElection === false
        ? undefined
        : {
            store: client.leaseStore(),
            namespace: SYSTEM_NAMESPACE,
            name: LEADER_LEASE,
            identity,
            leaseDurationMs: opts.leaseDurationMs,
            renewDeadlineMs: opts.renewDeadlineMs,
            retryPeriodMs: opts.retryPeriodMs,
          },
  });

  const informer = <P extends HilPlural>(plural: P) =>
    manager.addInformer(
      new ResourceInformer<HilKinds[P]>(opts.kubeConfig, {
        name: `${plural}.${GROUP}`,
        path: `/apis/${GROUP}/${VERSION}/${plural}`,
        list: () => {
          client.recordWatch(plural);
          return client.list(plural);
        },
        logger,
      }),
    );
  const inf = {
    projects: informer('projects'),
    switches: informer('switches'),
    ports: informer('ports'),
    nodes: informer('nodes'),
    networks: informer('networks'),
    networkattachments: informer('networkattachments'),
    headnodes: informer('headnodes'),
  };
  const cache = new InformerCache(inf);

  const w: Wiring = { manager, client, cache, inf, events, logger, resyncMs };
  // Each controller wires itself: what it watches, which events map to which keys, its resync.
  const switches = wireSwitches(w, {
    driverRegistry: opts.driverRegistry ?? defaultRegistry,
    driverTimeoutMs: opts.driverTimeoutMs,
    sessionIdleMs: opts.sessionIdleMs,
    backoffBaseMs: opts.backoffBaseMs,
    backoffMaxMs: opts.backoffMaxMs,
    workers: opts.switchWorkers,
    batchDelayMs: opts.switchBatchDelayMs,
    batchMaxWaitMs: opts.switchBatchMaxWaitMs,
  });
  const networks = wireNetworks(w, opts.pool);
  const attachmentCtl = wireAttachments(w, switches.enqueue);
  const protectionCtl = wireProtection(w);
  const nicStatusCtl = wireNicStatus(w);
  const projectStatusCtl = wireProjectStatus(w);
  const nodeCtl = wireNodes(w, opts.nodes).controller;
  const headnodeCtl = wireHeadnodes(w, opts.headnodes);

  return {
    manager,
    client,
    switchReconciler: switches.reconciler,
    networkReconciler: networks.reconciler,
    controllers: {
      switch: switches.controller,
      network: networks.controller,
      attachment: attachmentCtl,
      protection: protectionCtl,
      headnode: headnodeCtl,
      node: nodeCtl,
      nicStatus: nicStatusCtl,
      projectStatus: projectStatusCtl,
    },
  };
}

export interface RunningControllers extends Controllers {
  /** Resolves when the manager ends: 'stopped' (stop()) or 'lost' (leadership lost). */
  done: Promise<RunOutcome>;
  /** Graceful stop: no new work, in-flight reconciles finish, the lease is released. */
  stop(): Promise<void>;
}

/** Builds and starts the controllers in this process (leader election off unless asked for). */
export function startControllers(opts: ControllerDaemonOptions): RunningControllers {
  const built = buildControllers({ leaderElection: false, ...opts });
  const ac = new AbortController();
  const done = built.manager.run(ac.signal);
  return {
    ...built,
    done,
    async stop() {
      ac.abort();
      await done;
      await built.switchReconciler.close();
    },
  };
}

/** A KubeConfig for a server URL and an optional bearer token (`--server URL [--token T]`). */
export function kubeConfigFor(
  server: string,
  token?: string,
  opts: { insecureSkipTLSVerify?: boolean; caFile?: string } = {},
): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless skipTLSVerify is set (there is no TLS to verify then).
    clusters: [
      {
        name: 'hil',
        server,
        skipTLSVerify: server.startsWith('http:') || (opts.insecureSkipTLSVerify ?? false),
        ...(opts.caFile ? { caFile: opts.caFile } : {}),
      },
    ],
    users: [{ name: 'hil', ...(token ? { token } : {}) }],
    contexts: [{ name: 'hil', cluster: 'hil', user: 'hil' }],
    currentContext: 'hil',
  });
  return kc;
}
