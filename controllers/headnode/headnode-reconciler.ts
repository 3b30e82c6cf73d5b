// The headnode controller: each Headnode is a libvirt domain (drivers/headnode), cloned from spec.baseImage, with one
// interface per connected hnic on br-vlan<N> of that hnic's network's VLAN, running or shut off per spec.running,
// and destroyed with its disk copies when the Headnode is deleted (finalizer hil.io/headnode-vm).
//
// Level-based: every pass reads the Headnode and its networks from the cache and the domain from libvirt, and changes
// only what differs, so a second pass changes nothing and a domain removed by hand is recreated (the periodic resync
// brings every headnode back here).
//
// HIL's freeze: a headnode's hnics cannot change once it has been started. Before the first start the controller
// writes status.frozen=true conditional on the resourceVersion it read, so the start always uses hnics that can no
// longer change (admission refuses hnic changes of a frozen headnode: apiserver/admission/invariants.ts).
import type { Headnode, HeadnodeStatus } from '../../api/v1alpha1/types.js';
import type { Logger } from '../../common/logging.js';
import type { BridgeDriver } from '../../drivers/headnode-bridge/bridge-driver.js';
import {
  domainNameFor,
  HeadnodeDriverError,
  interfacesMatch,
  macFor,
  type DomainInfo,
  type DomainSpec,
  type HeadnodeDriver,
} from '../../drivers/headnode/headnode-driver.js';
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../finalizers.js';
import { deepEqual } from '../../api/meta/equal.js';
import { setCondition } from '../runtime/conditions.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';

export const FINALIZER_HEADNODE_VM = 'hil.io/headnode-vm';

export interface HeadnodeReconcilerOptions {
  client: HilClient;
  cache: ObjectCache;
  /** undefined: no hypervisor configured ([headnode] libvirt_endpoint); headnodes say so and get no finalizer. */
  driver?: HeadnodeDriver;
  /** Makes br-vlan<N> when missing; undefined: bridges are made beforehand (`hil-admin create-bridges`). */
  bridges?: BridgeDriver;
  bridgeKind?: 'linux' | 'ovs';
  /** [headnode] base_imgs; empty: any domain may be a base image (admission checks too). */
  baseImages?: readonly string[];
  events?: EventRecorder;
  logger?: Logger;
  /** Retry period while waiting for something outside the API (a base image to appear). Default 30 s. */
  waitRetryMs?: number;
}

type Cond = { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
type HnicStatus = { name: string; network?: string; vlan?: number; bridge?: string; mac?: string };

export class HeadnodeReconciler implements Reconciler {
  constructor(private readonly o: HeadnodeReconcilerOptions) {}

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    try {
      return await this.pass(req, signal);
    } catch (err) {
      // The object went away between the cache's view and our write (e.g. its last finalizer just came off).
      if ((err as { code?: number })?.code === 404) return {};
      throw err;
    }
  }

  private async pass(req: Request, signal: AbortSignal): Promise<Result> {
    let hn = this.o.cache.get('headnodes', req.key);
    if (!hn) return {};
    const uid = hn.metadata.uid!;
    const domain = domainNameFor(uid);
    const driver = this.o.driver;

    if (hn.metadata.deletionTimestamp) {
      if (!hasFinalizer(hn, FINALIZER_HEADNODE_VM)) return {};
      if (!driver) {
        await this.writeStatus(
          hn,
          { state: 'Deleting' },
          {
            status: 'False',
            reason: 'NoHypervisor',
            message: 'cannot delete the VM: no hypervisor is configured ([headnode] libvirt_endpoint in hil.cfg)',
          },
        );
        return {};
      }
      if (hn.status?.state !== 'Deleting')
        hn = await this.writeStatus(
          hn,
          { state: 'Deleting' },
          { status: 'False', reason: 'Deleting', message: `destroying domain ${domain}` },
        );
      try {
        if (await driver.remove(domain))
          await this.o.events?.record(
            { kind: 'Headnode', metadata: hn.metadata },
            'Normal',
            'Destroyed',
            `domain ${domain} destroyed and its disks removed`,
          );
      } catch (err) {
        await this.failed(hn, err, 'Deleting');
        throw err;
      }
      if (signal.aborted) return {};
      await removeFinalizer(this.o.client, 'headnodes', hn, FINALIZER_HEADNODE_VM);
      this.o.logger?.info('headnode deleted; domain destroyed', { headnode: req.key, domain });
      return {};
    }

    if (!driver) {
      await this.writeStatus(
        hn,
        { state: 'Pending' },
        {
          status: 'False',
          reason: 'NoHypervisor',
          message:
            'no hypervisor is configured for headnodes ([headnode] libvirt_endpoint in hil.cfg of the controller daemon)',
        },
      );
      return {};
    }
    if (signal.aborted) return {};
    hn = await addFinalizer(this.o.client, 'headnodes', hn, FINALIZER_HEADNODE_VM);

    // Base image allowed by the configuration (admission checks at write time; the configuration may change since).
    const allowed = this.o.baseImages ?? [];
    if (allowed.length && !allowed.includes(hn.spec.baseImage)) {
      await this.writeStatus(
        hn,
        { state: 'Failed' },
        {
          status: 'False',
          reason: 'BaseImageNotAllowed',
          message: `base image "${hn.spec.baseImage}" is not one of [headnode] base_imgs (${allowed.join(', ')})`,
        },
      );
      return {};
    }

    // hnics → bridges: each connected hnic needs its network's VLAN.
    const hnics: HnicStatus[] = [];
    const ifaces: DomainSpec['interfaces'] = [];
    for (const h of hn.spec.hnics ?? []) {
      if (!h.network) {
        hnics.push({ name: h.name });
        continue;
      }
      const net = this.o.cache.get('networks', h.network);
      const vlan = net?.status?.vlan ?? undefined;
      if (!net || vlan === undefined) {
        const why = !net
          ? `network "${h.network}" of hnic "${h.name}" does not exist (yet)`
          : `network "${h.network}" of hnic "${h.name}" has no VLAN yet`;
        await this.writeStatus(
          hn,
          { state: 'Pending' },
          { status: 'False', reason: !net ? 'NetworkNotFound' : 'NetworkNotReady', message: why },
        );
        return {};
      }
      const bridge = this.o.bridges?.bridgeName(vlan) ?? `br-vlan${vlan}`;
      const mac = macFor(uid, h.name);
      hnics.push({ name: h.name, network: h.network, vlan, bridge, mac });
      ifaces.push({ hnic: h.name, bridge, mac });
    }

    const spec: DomainSpec = {
      name: domain,
      headnode: hn.metadata.name!,
      uid,
      baseImage: hn.spec.baseImage,
      interfaces: ifaces,
      bridgeKind: this.o.bridgeKind ?? 'linux',
    };
    let info: DomainInfo;
    try {
      if (this.o.bridges && ifaces.length) {
        const made = await this.o.bridges.ensure([
          ...new Set(hnics.flatMap((h) => (h.vlan === undefined ? [] : [h.vlan]))),
        ]);
        for (const b of made.filter((m) => m.outcome === 'created')) {
          await this.o.events?.record(
            { kind: 'Headnode', metadata: hn.metadata },
            'Normal',
            'BridgeCreated',
            `bridge ${b.bridge} created for VLAN ${b.vlan}`,
          );
        }
      }
      if (signal.aborted) return {};
      const ensured = await driver.ensure(spec);
      info = ensured.info;
      if (ensured.action === 'created') {
        const again = hn.status?.uuid ? ' (it was missing: recreated)' : '';
        await this.o.events?.record(
          { kind: 'Headnode', metadata: hn.metadata },
          'Normal',
          'Created',
          `domain ${domain} cloned from ${spec.baseImage}${again}`,
        );
      }
      if (signal.aborted) return {};
      const wantRunning = hn.spec.running !== false;
      if (wantRunning && info.state !== 'running') {
        if (!hn.status?.frozen) {
          // Freeze first, conditional on what we read: the hnics we start with can no longer change.
          hn = await this.o.client.patchStatus('headnodes', req.key, { frozen: true }, hn.metadata.resourceVersion);
        }
        if (!interfacesMatch(info, spec))
          throw new HeadnodeDriverError(
            'LibvirtError',
            `domain ${domain} does not have the spec's interfaces; not starting it`,
          );
        await driver.start(domain);
        await this.o.events?.record(
          { kind: 'Headnode', metadata: hn.metadata },
          'Normal',
          'Started',
          `domain ${domain} started`,
        );
        info = (await driver.inspect(domain)) ?? info;
      } else if (!wantRunning && info.state !== 'shutoff') {
        await driver.stop(domain);
        await this.o.events?.record(
          { kind: 'Headnode', metadata: hn.metadata },
          'Normal',
          'Stopped',
          `domain ${domain} powered off`,
        );
        info = (await driver.inspect(domain)) ?? info;
      }
    } catch (err) {
      if (
        err instanceof HeadnodeDriverError &&
        (err.reason === 'BaseImageNotFound' ||
          err.reason === 'BaseImageRunning' ||
          err.reason === 'InvalidValue' ||
          err.reason === 'Unavailable')
      ) {
        await this.failed(hn, err, 'Failed');
        return { requeueAfterMs: this.o.waitRetryMs ?? 30_000 };
      }
      if ((err as { code?: number })?.code === 409) throw err; // our freeze raced a spec change: re-read and retry
      await this.failed(hn, err, hn.status?.state === 'Running' ? 'Running' : 'Failed');
      throw err;
    }
    if (signal.aborted) return {};
    const running = info.state === 'running';
    const inSync = interfacesMatch(info, spec);
    const cond: Cond = !inSync
      ? {
          status: 'False',
          reason: 'InterfacesDiffer',
          message: `domain ${domain} is running with other interfaces than spec.hnics; they apply when it is powered off (spec.running: false)`,
        }
      : running
        ? {
            status: 'True',
            reason: 'Running',
            message: `domain ${domain} is running${info.vncPort ? `; VNC console on port ${info.vncPort}` : ''}`,
          }
        : { status: 'True', reason: 'Stopped', message: `domain ${domain} is powered off` };
    await this.writeStatus(
      hn,
      { state: running ? 'Running' : 'Stopped', uuid: info.uuid, vncPort: info.vncPort ?? null, domain, hnics },
      cond,
    );
    return {};
  }

  /** A driver failure: libvirt's message in the Ready condition and a Warning event. */
  private async failed(hn: Headnode, err: unknown, state: NonNullable<HeadnodeStatus['state']>): Promise<void> {
    const reason =
      err instanceof HeadnodeDriverError
        ? err.reason
        : (err as Error)?.name === 'BridgeError'
          ? 'BridgeError'
          : 'Error';
    const message = (err as Error)?.message ?? String(err);
    const before = hn.status?.conditions?.find((c) => c.type === 'Ready');
    try {
      await this.writeStatus(hn, { state }, { status: 'False', reason, message });
    } catch (e) {
      this.o.logger?.warn('could not write headnode status', {
        headnode: hn.metadata.name,
        error: (e as Error).message,
      });
    }
    if (before?.reason !== reason || before?.message !== message)
      await this.o.events?.record({ kind: 'Headnode', metadata: hn.metadata }, 'Warning', reason, message);
  }

  /** Writes status fields and the Ready condition when something differs; returns the object as it now is. */
  private async writeStatus(hn: Headnode, fields: Record<string, unknown>, cond: Cond): Promise<Headnode> {
    const gen = hn.metadata.generation;
    const cur = (hn.status ?? {}) as Record<string, unknown>;
    const conditions = setCondition(hn.status?.conditions, { type: 'Ready', ...cond, observedGeneration: gen });
    const next: Record<string, unknown> = { ...fields, observedGeneration: gen, conditions };
    const same = Object.keys(next).every((k) => deepEqual(next[k] ?? undefined, cur[k] ?? undefined));
    if (same) return hn;
    return this.o.client.patchStatus('headnodes', hn.metadata.name!, next);
  }
}
