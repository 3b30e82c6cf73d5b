// The controller daemon (`hil-admin serve-networks`): one Manager with the shared informers and every controller,
// wired to informer events. Also the way to run the controllers in-process (tests, benchmarks):
//
//   const running = await startControllers({ kubeConfig, driverRegistry, pool: parseVlanList('100-200') });
//   ...; await running.stop();
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { NetworkAttachment, Node, Port } from '../api/v1alpha1/types.js';
import { createLogger, type Logger } from '../common/logging.js';
import type { VlanSet } from '../common/vlans.js';
import { defaultRegistry, type DriverRegistry } from '../drivers/switch/index.js';
import { AttachmentReconciler, resolveAttachment } from './attachment/attachment-controller.js';
import { InformerCache } from './cache.js';
import { GROUP, HilClient, VERSION, type ApiCall, type HilKinds, type HilPlural } from './client.js';
import { EventRecorder } from './events.js';
import { wireHeadnodes, type HeadnodeControllerConfig } from './headnode/wiring.js';
import { NetworkReconciler } from './network/network-controller.js';
import { NicStatusReconciler } from './nic-status/nic-status-controller.js';
import { wireNodes, type NodeControllerConfig } from './node/wiring.js';
import { ProtectionReconciler } from './protection/protection-controller.js';
import { LEADER_LEASE, SYSTEM_NAMESPACE } from './rbac.js';
import { Batcher } from './runtime/batcher.js';
import { sleepUnlessAborted } from './runtime/sleep.js';
import { Controller } from './runtime/controller.js';
import { ResourceInformer } from './runtime/informer.js';
import { Manager, type RunOutcome } from './runtime/manager.js';
import { SwitchReconciler } from './switch/switch-reconciler.js';

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
  controllers: { switch: Controller; network: Controller; attachment: Controller; protection: Controller; headnode: Controller; node: Controller; nicStatus: Controller };
}

/** How long NIC status waits after a change before it is recomputed (bursts coalesce into one write per node). */
const NIC_STATUS_DELAY_MS = 500;

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
    switches: informer('switches'),
    ports: informer('ports'),
    nodes: informer('nodes'),
    networks: informer('networks'),
    networkattachments: informer('networkattachments'),
    headnodes: informer('headnodes'),
  };
  const cache = new InformerCache(inf);

  const switchReconciler = new SwitchReconciler({
    client,
    cache,
    driverRegistry: opts.driverRegistry ?? defaultRegistry,
    events,
    logger,
    resyncMs,
    driverTimeoutMs: opts.driverTimeoutMs,
    sessionIdleMs: opts.sessionIdleMs,
    backoffBaseMs: opts.backoffBaseMs,
    backoffMaxMs: opts.backoffMaxMs,
    // Called only once the controllers run, after switchBatches below exists.
    burstOngoing: (name) => switchBatches.has(name),
  });
  const networkReconciler = new NetworkReconciler({ client, pool: opts.pool, events, logger });
  const mk = (name: string, reconciler: ConstructorParameters<typeof Controller>[0]['reconciler'], workers: number) =>
    manager.addController(new Controller({ name, reconciler, workers, metrics: manager.metrics, logger }));
  const switchCtl = mk('switch', switchReconciler, opts.switchWorkers ?? 64);
  const networkCtl = mk('network', networkReconciler, 1);
  const switchBatches = new Batcher({ quietMs: opts.switchBatchDelayMs ?? 20, maxWaitMs: opts.switchBatchMaxWaitMs ?? 500, fire: (name) => switchCtl.enqueue(name) });
  // Each event starts a pass at once (which applies without saving while the burst goes on), and the Batcher
  // brings the pass after the burst, which saves and writes the statuses.
  const enqueueSwitch = (name: string | undefined) => {
    if (!name) return;
    switchBatches.add(name);
    switchCtl.enqueue(name);
  };
  const attachmentCtl = mk('attachment', new AttachmentReconciler({ client, cache, enqueueSwitch }), 4);
  const protectionCtl = mk('protection', new ProtectionReconciler({ client, cache }), 2);
  // Informational, so it lags on purpose: one write per node per half second at most, after the statuses that
  // users wait for.
  const nicStatusCtl = mk('nic-status', new NicStatusReconciler({ client, cache }), 2);
  const nicStatusLater = (node: string | undefined) => node && nicStatusCtl.enqueueAfter(node, NIC_STATUS_DELAY_MS, 'low');
  const nodeCtl = wireNodes({ manager, client, cache, nodes: inf.nodes, events, logger, resyncMs, config: opts.nodes }).controller;
  const headnodeCtl = wireHeadnodes({ manager, client, cache, headnodes: inf.headnodes, networks: inf.networks, events, logger, resyncMs, config: opts.headnodes });
  // A headnode changed or gone: a network it used may be waiting to be deleted.
  inf.headnodes.on('change', (h) => (h.spec?.hnics ?? []).forEach((x) => x.network && protectionCtl.enqueue(`networks/${x.network}`)));

  // ---- events → keys ----
  const allSwitches = () => inf.switches.list().forEach((s) => enqueueSwitch(s.metadata.name));
  const switchOfPort = (portName: string | undefined) => (portName ? inf.ports.get(portName)?.spec?.switch : undefined);
  /** Switches each node's NICs were last seen on (so a recabled NIC's old port is reverted too). */
  const nodeSwitches = new Map<string, Set<string>>();
  /** The node whose NIC is cabled to each Port (for NIC status). */
  const nodeOfPort = new Map<string, string>();
  const nodePorts = new Map<string, string[]>();
  const onNode = (n: Node, deleted = false) => {
    const name = n.metadata.name!;
    for (const p of nodePorts.get(name) ?? []) if (nodeOfPort.get(p) === name) nodeOfPort.delete(p);
    const ports = deleted ? [] : (n.spec?.nics ?? []).flatMap((nic) => (nic.port ? [nic.port] : []));
    for (const p of ports) nodeOfPort.set(p, name);
    if (deleted) nodePorts.delete(name);
    else nodePorts.set(name, ports);
    if (!deleted) nicStatusLater(name);
    const now = new Set((n.spec?.nics ?? []).map((nic) => switchOfPort(nic.port)).filter((s): s is string => !!s));
    for (const s of new Set([...(nodeSwitches.get(name) ?? []), ...now])) enqueueSwitch(s);
    if (deleted) nodeSwitches.delete(name);
    else nodeSwitches.set(name, now);
    protectionCtl.enqueue(`nodes/${name}`);
  };
  const onAttachment = (a: NetworkAttachment) => {
    attachmentCtl.enqueue(a.metadata.name!);
    const where = resolveAttachment(a, cache);
    if ('switch' in where) enqueueSwitch(where.switch);
    protectionCtl.enqueue(`nodes/${a.spec.node}`);
    protectionCtl.enqueue(`networks/${a.spec.network}`);
    nicStatusLater(a.spec.node);
  };
  inf.switches.on('change', (s) => enqueueSwitch(s.metadata.name));
  inf.ports.on('change', (p: Port) => {
    enqueueSwitch(p.spec?.switch);
    nicStatusLater(nodeOfPort.get(p.metadata.name!));
  });
  inf.nodes.on('add', (n) => onNode(n));
  inf.nodes.on('update', (n) => onNode(n));
  inf.nodes.on('delete', (n) => onNode(n, true));
  inf.networks.on('change', (n) => {
    networkCtl.enqueue(n.metadata.name!);
    protectionCtl.enqueue(`networks/${n.metadata.name}`);
    // A VLAN allocated or freed: every switch carrying the network (cheap: no session unless something differs).
    const carrying = new Set<string>();
    for (const a of inf.networkattachments.list()) {
      if (a.spec.network !== n.metadata.name) continue;
      const where = resolveAttachment(a, cache);
      if ('switch' in where) carrying.add(where.switch);
    }
    carrying.forEach(enqueueSwitch);
  });
  inf.networkattachments.on('change', onAttachment);
  // A network gone (its VLAN freed): networks still waiting for one try again.
  inf.networks.on('delete', () => {
    for (const n of inf.networks.list()) if (n.spec?.vlan === undefined && n.status?.vlan === undefined) networkCtl.enqueue(n.metadata.name!);
  });

  // ---- periodic resync (low priority: never ahead of event-driven work) ----
  manager.addRunnable(async (signal) => {
    while (!signal.aborted) {
      await sleepUnlessAborted(resyncMs, signal);
      if (signal.aborted) break;
      for (const s of inf.switches.list()) switchCtl.enqueue(s.metadata.name!, 'low');
      for (const n of inf.networks.list()) networkCtl.enqueue(n.metadata.name!, 'low');
      for (const a of inf.networkattachments.list()) attachmentCtl.enqueue(a.metadata.name!, 'low');
      const freed = await networkReconciler.collectGarbage().catch(() => 0);
      if (freed) logger.info('freed VLAN claims of networks that are gone', { count: freed });
    }
    switchBatches.clear();
    await switchReconciler.close();
  });
  // Everything once at start (the informers' initial lists also enqueue, through the handlers).
  manager.addRunnable(() => allSwitches());

  return {
    manager,
    client,
    switchReconciler,
    networkReconciler,
    controllers: { switch: switchCtl, network: networkCtl, attachment: attachmentCtl, protection: protectionCtl, headnode: headnodeCtl, node: nodeCtl, nicStatus: nicStatusCtl },
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
export function kubeConfigFor(server: string, token?: string, opts: { insecureSkipTLSVerify?: boolean; caFile?: string } = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless skipTLSVerify is set (there is no TLS to verify then).
    clusters: [{ name: 'hil', server, skipTLSVerify: server.startsWith('http:') || (opts.insecureSkipTLSVerify ?? false), ...(opts.caFile ? { caFile: opts.caFile } : {}) }],
    users: [{ name: 'hil', ...(token ? { token } : {}) }],
    contexts: [{ name: 'hil', cluster: 'hil', user: 'hil' }],
    currentContext: 'hil',
  });
  return kc;
}
