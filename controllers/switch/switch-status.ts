// The switch reconciler's writes to the API after a sync (switch-reconciler.ts decides, this writes): NetworkAttachment
// phase/switch/port/vlan + Ready, Port observed VLANs + InSync, Switch Reachable/Ready and sync times; the
// hil.io/port-revert finalizer of a detached attachment once its port no longer carries it, and of a deleted Port once
// its switch port is read back reverted. Writes only what changed, attachments (what users wait for) first.
import type {
  NetworkAttachment,
  NetworkAttachmentStatus,
  Port,
  PortStatus,
  Switch,
  SwitchStatus,
} from '../../api/v1alpha1/types.js';
import { PAUSED_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { deepEqual } from '../../api/meta/equal.js';
import type { Logger } from '../../common/logging.js';
import { describePort, portInSync, type ObservedPort, type SwitchCapabilities } from '../../drivers/switch/index.js';
import type { ObjectCache } from '../cache.js';
import { isConflict, type HilClient } from '../client.js';
import { addFinalizer, FINALIZER_PORT_REVERT, hasFinalizer, removeFinalizer } from '../finalizers.js';
import { setCondition } from '../runtime/conditions.js';
import type { Limiter } from '../runtime/limiter.js';
import type { AttachmentVerdict, PortPlan, SwitchPlan } from './desired-state.js';

export type SwitchStatusPatch = Omit<SwitchStatus, 'conditions'> & {
  conditions?: { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message?: string }[];
};

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class SwitchStatusWriter {
  /** The status this process last wrote per object (the cache may not show it yet): no duplicate writes. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly o: { client: HilClient; cache: ObjectCache; writes: Limiter; resyncMs: number; logger?: Logger },
  ) {}

  private get writes(): Limiter {
    return this.o.writes;
  }

  /**
   * Attachment statuses and finalizers of detached attachments, written before this resolves; it resolves to the
   * rest — Port statuses and finalizers, then the Switch's status — for the caller to run after (the reconciler runs
   * it behind the switch's earlier trailing writes, without holding the switch's next pass). Writes only what changed.
   */
  async writeStatuses(
    sw: Switch,
    plan: SwitchPlan,
    observed: Map<string, ObservedPort>,
    portErrors: Map<string, { code: string; message: string }>,
    o: {
      paused: boolean;
      synced?: { at: number; duration: number };
      caps?: SwitchCapabilities;
      readBack?: Map<string, ObservedPort>;
    },
  ): Promise<() => Promise<void>> {
    const name = sw.metadata.name!;
    const reachable = {
      type: 'Reachable',
      status: 'True',
      reason: 'LoggedIn',
      message: `logged in to ${sw.spec.address}`,
    } as const;
    // A switch that was unreachable says it is back before any attachment says Attached: nobody reads an attachment
    // in place on a switch still marked unreachable. (Once reachable, this costs no write.)
    if (sw.status?.conditions?.find((c) => c.type === 'Reachable')?.status !== 'True')
      sw = { ...sw, status: await this.writeSwitchStatus(sw, { conditions: [reachable] }) };
    let allInSync = true;
    // Attachments first (what users wait for), then ports.
    const jobs: (() => Promise<void>)[] = [];
    const portJobs: (() => Promise<void>)[] = [];
    for (const p of plan.ports) {
      const iface = p.desired.interface;
      const obs = observed.get(iface);
      const perr = portErrors.get(iface);
      const inSync = !!obs && !perr && portInSync(p.desired, obs);
      if (!inSync) allInSync = false;
      const cond = perr
        ? {
            status: 'False' as const,
            reason: perr.code === 'unknown-port' ? 'UnknownPort' : 'ApplyFailed',
            message: perr.message,
          }
        : inSync
          ? { status: 'True' as const, reason: 'InSync', message: `${describePort(p.desired)}` }
          : o.paused
            ? {
                status: 'False' as const,
                reason: 'Paused',
                message: `switch is paused (${PAUSED_ANNOTATION}); wanted ${describePort(p.desired)}, has ${obs ? describePort(obs) : 'unknown'}`,
              }
            : {
                status: 'False' as const,
                reason: 'OutOfSync',
                message: `wanted ${describePort(p.desired)}, has ${obs ? describePort(obs) : 'unknown'}`,
              };
      const read = (o.readBack ?? observed).get(iface);
      if (
        p.port.metadata.deletionTimestamp &&
        (perr?.code === 'unknown-port' || (!perr && !!read && portInSync(p.desired, read)))
      ) {
        // Reverted and read back as such (or a port the switch does not have): the Port may go.
        portJobs.push(() => this.releasePort(p.port));
      } else if (!p.port.metadata.deletionTimestamp && !hasFinalizer(p.port, FINALIZER_PORT_REVERT)) {
        // Ports created before the server put the finalizer on new ones (the finalizer first: it is conditional on
        // the resourceVersion the status write would change).
        portJobs.push(async () => {
          await addFinalizer(this.o.client, 'ports', p.port, FINALIZER_PORT_REVERT).catch((err) => {
            if (!isConflict(err)) throw err; // changed meanwhile: the next pass adds it
          });
          await this.writePortStatus(p.port, obs, cond);
        });
      } else portJobs.push(() => this.writePortStatus(p.port, obs, cond));
      for (const a of p.attachments)
        jobs.push(() => this.attachmentOutcome(sw, p, a.attachment, a.verdict, obs, perr, inSync, o.paused));
    }
    for (const p of plan.duplicates) {
      // Never managed: a deleted duplicate leaves the interface to the Port that remains.
      if (p.metadata.deletionTimestamp) {
        portJobs.push(() => this.releasePort(p));
        continue;
      }
      portJobs.push(() =>
        this.writePortStatus(p, undefined, {
          status: 'False',
          reason: 'DuplicateInterface',
          message: `another Port declares interface "${p.spec.interface}" of switch "${name}"; neither is managed`,
        }),
      );
    }
    await this.writes.forEach('high', jobs, (j) => j());
    const ready = allInSync && plan.duplicates.length === 0 && !o.paused;
    const patch: SwitchStatusPatch = {
      conditions: [
        reachable,
        ready
          ? { type: 'Ready', status: 'True', reason: 'InSync', message: `${plan.ports.length} port(s) in sync` }
          : o.paused
            ? {
                type: 'Ready',
                status: 'False',
                reason: 'Paused',
                message: `writes are paused by the ${PAUSED_ANNOTATION} annotation`,
              }
            : {
                type: 'Ready',
                status: 'False',
                reason: 'PortsOutOfSync',
                message: `${
                  plan.ports.filter((p) => {
                    const ob = observed.get(p.desired.interface);
                    return !ob || portErrors.has(p.desired.interface) || !portInSync(p.desired, ob);
                  }).length
                } port(s) not in sync`,
              },
      ],
    };
    if (o.synced) {
      patch.lastSyncTime = rfc3339(o.synced.at + o.synced.duration);
      patch.lastSyncDuration = Math.round(o.synced.duration);
      patch.failedSyncAttempts = 0;
      patch.nextSyncTime = rfc3339(o.synced.at + this.o.resyncMs);
    }
    if (o.caps)
      patch.capabilities = {
        trunk: o.caps.trunk,
        nativeVlan: o.caps.nativeVlan,
        nativelessTrunk: o.caps.nativelessTrunk,
      };
    return async () => {
      await this.writes.forEach('low', portJobs, (j) => j());
      await this.writeSwitchStatus(sw, patch);
    };
  }

  private async attachmentOutcome(
    sw: Switch,
    p: PortPlan,
    a: NetworkAttachment,
    v: AttachmentVerdict,
    obs: ObservedPort | undefined,
    perr: { code: string; message: string } | undefined,
    portInSyncNow: boolean,
    paused: boolean,
  ): Promise<void> {
    const swName = sw.metadata.name!;
    if (v.kind === 'detaching') {
      // Gone from the port (the port is in its desired state, which no longer has it): let the object go.
      if (portInSyncNow && hasFinalizer(a, FINALIZER_PORT_REVERT)) {
        await removeFinalizer(this.o.client, 'networkattachments', a, FINALIZER_PORT_REVERT);
      } else if (!portInSyncNow) {
        await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Detaching', {
          status: 'False',
          reason: paused ? 'Paused' : 'Detaching',
          message: paused
            ? `switch "${swName}" is paused; the port is reverted when it resumes`
            : perr
              ? perr.message
              : `reverting port ${p.desired.interface} of switch "${swName}"`,
        });
      }
      return;
    }
    if (v.kind === 'pending') {
      await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Pending', {
        status: 'False',
        reason: v.reason,
        message: v.message,
      });
      return;
    }
    if (v.kind === 'refused') {
      await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Failed', {
        status: 'False',
        reason: v.reason,
        message: v.message,
      });
      return;
    }
    const channel = a.spec.channel ?? 'native';
    const carried =
      !!obs && !obs.parked && (channel === 'native' ? obs.native === v.vlan : obs.tagged.includes(v.vlan));
    if (perr) {
      await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Failed', {
        status: 'False',
        reason: perr.code === 'unknown-port' ? 'UnknownPort' : 'SwitchError',
        message: perr.message,
      });
    } else if (carried) {
      await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Attached', {
        status: 'True',
        reason: 'Attached',
        message: `port ${p.desired.interface} of switch "${swName}" carries VLAN ${v.vlan} ${channel === 'native' ? 'untagged' : 'tagged'}`,
      });
    } else {
      await this.writeAttachmentStatus(a, sw, p, v.vlan, 'Pending', {
        status: 'False',
        reason: paused ? 'Paused' : 'Applying',
        message: paused
          ? `switch "${swName}" is paused (${PAUSED_ANNOTATION})`
          : `putting VLAN ${v.vlan} on port ${p.desired.interface} of switch "${swName}"`,
      });
    }
  }

  async writeAttachmentStatus(
    a: NetworkAttachment,
    sw: Switch,
    p: PortPlan,
    vlan: number | undefined,
    phase: NonNullable<NetworkAttachmentStatus['phase']>,
    ready: { status: 'True' | 'False'; reason: string; message: string },
  ): Promise<void> {
    const gen = a.metadata.generation;
    const cur = a.status ?? {};
    const next = {
      phase,
      switch: sw.metadata.name,
      port: p.port.metadata.name,
      vlan: vlan ?? null,
      observedGeneration: gen,
      conditions: setCondition(cur.conditions, { type: 'Ready', ...ready, observedGeneration: gen }),
    };
    const before = {
      phase: cur.phase,
      switch: cur.switch,
      port: cur.port,
      vlan: cur.vlan ?? null,
      observedGeneration: cur.observedGeneration,
      conditions: cur.conditions,
    };
    if (deepEqual(next, before)) return;
    await this.patchStatusTolerant('networkattachments', a.metadata.name!, next);
  }

  /** Lets a deleted Port go (its finalizer off): its switch port reaches nothing now. */
  private async releasePort(port: Port): Promise<void> {
    if (!hasFinalizer(port, FINALIZER_PORT_REVERT)) return;
    await removeFinalizer(this.o.client, 'ports', port, FINALIZER_PORT_REVERT);
    this.o.logger?.info('port reverted; Port deleted', {
      port: port.metadata.name,
      switch: port.spec.switch,
      interface: port.spec.interface,
    });
  }

  /** Deleted Ports of a switch that does not exist or has no driver: there is nothing to revert. */
  async releaseDeletedPorts(switchName: string): Promise<void> {
    for (const p of this.o.cache.list('ports'))
      if (p.spec?.switch === switchName && p.metadata.deletionTimestamp) await this.releasePort(p);
  }

  private async writePortStatus(
    port: Port,
    obs: ObservedPort | undefined,
    cond: { status: 'True' | 'False'; reason: string; message: string },
  ): Promise<void> {
    const gen = port.metadata.generation;
    const cur: PortStatus = port.status ?? {};
    const native = obs && !obs.parked && obs.native !== undefined ? obs.native : null;
    const tagged = obs && !obs.parked ? [...obs.tagged] : obs ? [] : (cur.taggedVlans ?? []);
    const next = {
      nativeVlan: obs ? native : (cur.nativeVlan ?? null),
      taggedVlans: tagged,
      observedGeneration: gen,
      conditions: setCondition(cur.conditions, { type: 'InSync', ...cond, observedGeneration: gen }),
    };
    const before = {
      nativeVlan: cur.nativeVlan ?? null,
      taggedVlans: cur.taggedVlans ?? [],
      observedGeneration: cur.observedGeneration,
      conditions: cur.conditions,
    };
    if (deepEqual(next, before)) return;
    await this.patchStatusTolerant('ports', port.metadata.name!, next);
  }

  /** Writes what changed; answers the status as it now is. */
  async writeSwitchStatus(sw: Switch, patch: SwitchStatusPatch): Promise<SwitchStatus> {
    const cur: SwitchStatus = sw.status ?? {};
    const gen = sw.metadata.generation;
    let conditions = cur.conditions;
    for (const c of patch.conditions ?? [])
      conditions = setCondition(conditions, {
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message ?? '',
        observedGeneration: gen,
      });
    const body: SwitchStatus = { ...patch, conditions, observedGeneration: gen };
    const next = { ...cur, ...body };
    if (deepEqual(next, cur)) return cur;
    // Only the fields this write is about: a stale cache must not put older values back.
    await this.writes.run('low', () => this.patchStatusTolerant('switches', sw.metadata.name!, body));
    return next;
  }

  /** A status patch; an object deleted meanwhile (404) is fine. */
  private async patchStatusTolerant(
    plural: 'switches' | 'ports' | 'networkattachments',
    name: string,
    status: object,
  ): Promise<void> {
    const key = `${plural}/${name}`;
    const body = JSON.stringify(status);
    if (this.written.get(key) === body) return;
    try {
      await this.o.client.patchStatus(plural, name, status);
      this.written.set(key, body);
      if (this.written.size > 100_000) this.written.clear();
    } catch (err) {
      this.written.delete(key);
      if ((err as { code?: number }).code === 404) return;
      throw err;
    }
  }
}
