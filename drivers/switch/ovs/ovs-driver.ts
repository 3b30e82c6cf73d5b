// The Open vSwitch driver: real OVS through its database, OVSDB JSON-RPC (RFC 7047), over `unix:` or `tcp:`.
//
//   Switch.spec.address   the OVSDB remote: unix:/run/openvswitch/db.sock or tcp:127.0.0.1:6640
//   options.bridge        the bridge whose ports we manage (required); ports on other bridges are "unknown"
//   options.wait          "true" (default): apply() returns once ovs-vswitchd has applied the commit (cur_cfg), as
//                         ovs-vsctl does; "false": once the database has committed it (no vswitchd needed)
//   parkingVlan           default 4095 (OVS accepts it); parked ports are also `protected` (see ovs-port-mapping.ts)
//
// One session = one connection. readPorts = one transact (a select per port). apply = one read transact plus one
// write transact for the whole batch: for each changed port a `wait` guard (the row is still what we read, else
// the transaction aborts and apply rejects with `conflict`) and an `update`; plus `next_cfg += 1` when waiting for
// vswitchd. save() is a no-op: OVSDB commits are durable (the database is an on-disk log).
import { SwitchError } from '../errors.js';
import { portInSync } from '../port-state.js';
import { SessionGuard, withDeadline } from '../session-guard.js';
import type {
  ObservedPort,
  PortChange,
  PortResult,
  SwitchCapabilities,
  SwitchConfig,
  SwitchDriver,
  SwitchSession,
} from '../switch-driver.js';
import {
  assertConfigBasics,
  assertInterfaceNames,
  INTERFACE_PATTERN,
  resolveOptions,
  resolveTimeout,
  validateChanges,
} from '../validate.js';
import { OvsdbClient, type Json } from './ovsdb-client.js';
import {
  decodePortRow,
  desiredColumns,
  encodeVlanColumns,
  observeRow,
  PORT_COLUMNS,
  VLAN_COLUMNS,
  type OvsPortRow,
} from './ovs-port-mapping.js';

const DB = 'Open_vSwitch';

const OPTIONS = {
  bridge: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ },
  wait: { pattern: /^(true|false)$/, default: 'true' },
} as const;

const CAPABILITIES: SwitchCapabilities = Object.freeze({
  trunk: true,
  nativeVlan: true,
  nativelessTrunk: true,
  parking: 'vlan',
  defaultParkingVlan: 4095,
  interfacePattern: INTERFACE_PATTERN,
});

export class OvsSwitchDriver implements SwitchDriver {
  readonly type = 'ovs';

  capabilities(): SwitchCapabilities {
    return CAPABILITIES;
  }

  async open(config: SwitchConfig): Promise<SwitchSession> {
    assertConfigBasics(config);
    const timeoutMs = resolveTimeout(config.timeoutMs);
    const opts = resolveOptions(config.options, OPTIONS);
    if (!opts.bridge)
      throw new SwitchError('invalid', 'the ovs driver needs option bridge (the OVS bridge whose ports it manages)');
    const parkingVlan = config.parkingVlan ?? CAPABILITIES.defaultParkingVlan!;

    const deadline = Date.now() + timeoutMs;
    const client = await OvsdbClient.connect(config.address, timeoutMs);
    const session = new OvsSession(client, config.address, opts.bridge, opts.wait === 'true', parkingVlan, timeoutMs);
    try {
      await withDeadline(session.init(), deadline - Date.now(), `open ${config.address}`);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }
}

/** A transaction's per-operation results: throw on the first error, naming it. */
function checkResults(results: Json[], what: string): Record<string, Json>[] {
  for (const r of results) {
    if (r && typeof r === 'object' && !Array.isArray(r) && 'error' in r && r.error !== null) {
      const e = r as { error: Json; details?: Json };
      if (e.error === 'timed out') {
        throw new SwitchError(
          'conflict',
          `${what}: a port changed on the switch between our read and our write; nothing was written`,
        );
      }
      if (typeof e.details === 'string' && /unknown column|No column/i.test(e.details) && /protected/.test(e.details)) {
        throw new SwitchError(
          'unsupported',
          `${what}: this OVS has no Port.protected column (OVS 2.11 or later is needed to park ports safely)`,
        );
      }
      throw new SwitchError(
        'failed',
        `${what}: OVSDB error ${JSON.stringify(e.error)}${e.details ? `: ${String(e.details)}` : ''}`,
      );
    }
  }
  return results as Record<string, Json>[];
}

export class OvsSession implements SwitchSession {
  readonly capabilities = CAPABILITIES;
  private readonly guard: SessionGuard;
  private curCfg = -1;
  private readonly cfgWaiters: { target: number; resolve: () => void }[] = [];
  private readonly monitorId = 'hil-cur-cfg';

  constructor(
    private readonly client: OvsdbClient,
    private readonly address: string,
    readonly bridge: string,
    private readonly waitForVswitchd: boolean,
    readonly parkingVlan: number,
    timeoutMs: number,
  ) {
    this.guard = new SessionGuard(
      timeoutMs,
      () => client.close(),
      () =>
        this.cfgWaiters.length
          ? `the database committed, but ovs-vswitchd has not applied it (cur_cfg ${this.curCfg} < ${this.cfgWaiters[0].target}): is it running? Option wait=false returns at the commit`
          : undefined,
    );
    client.onNotification = (method, params) => this.onNotification(method, params);
  }

  /** @internal Checks the bridge (and the `protected` column) and, if waiting for vswitchd, starts the monitor. */
  init(): Promise<void> {
    return this.guard.run('open', async () => {
      const res = checkResults(
        await this.client.transact(DB, [
          { op: 'select', table: 'Bridge', where: [['name', '==', this.bridge]], columns: ['_uuid'] },
          { op: 'select', table: 'Port', where: [['name', '==', '']], columns: ['protected'] },
        ]),
        `open ${this.address}`,
      );
      const rows = (res[0].rows ?? []) as Json[];
      if (rows.length === 0)
        throw new SwitchError('invalid', `OVS at ${this.address} has no bridge ${JSON.stringify(this.bridge)}`);
      if (this.waitForVswitchd) {
        const initial = await this.client.request('monitor', [
          DB,
          this.monitorId,
          { Open_vSwitch: { columns: ['cur_cfg'] } },
        ]);
        this.takeUpdate(initial);
      }
    });
  }

  readPorts(interfaces: readonly string[]): Promise<ObservedPort[]> {
    return this.guard.run('readPorts', async () => {
      const names = assertInterfaceNames(interfaces, this.capabilities);
      const rows = await this.readRows(names, 'readPorts');
      return rows.map((r) => observeRow(r, this.parkingVlan));
    });
  }

  apply(changes: readonly PortChange[]): Promise<PortResult[]> {
    return this.guard.run('apply', async () => {
      const batch = validateChanges(changes, this.capabilities, this.parkingVlan);
      if (batch.length === 0) return [];
      const rows = await this.readRows(
        batch.map((c) => c.interface),
        'apply',
      );
      const ops: Json[] = [];
      const results: PortResult[] = [];
      batch.forEach((c, i) => {
        const row = rows[i];
        const changed = !portInSync(c, observeRow(row, this.parkingVlan));
        results.push({ interface: c.interface, changed });
        if (!changed) return;
        const where = [['_uuid', '==', ['uuid', row.uuid]]];
        const guard: Record<string, Json> = {};
        for (const col of VLAN_COLUMNS) guard[col] = row.raw[col];
        ops.push({
          op: 'wait',
          timeout: 0,
          table: 'Port',
          where,
          columns: [...VLAN_COLUMNS],
          until: '==',
          rows: [guard],
        });
        ops.push({ op: 'update', table: 'Port', where, row: encodeVlanColumns(desiredColumns(c, this.parkingVlan)) });
      });
      if (ops.length === 0) return results;
      const n = ops.length / 2;
      ops.push({ op: 'comment', comment: `hil: set VLANs of ${n} port${n === 1 ? '' : 's'} on ${this.bridge}` });
      if (this.waitForVswitchd) {
        ops.push({ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] });
        ops.push({ op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] });
      }
      const res = checkResults(await this.client.transact(DB, ops), 'apply');
      if (this.waitForVswitchd) {
        const sel = res[res.length - 1]?.rows as { next_cfg?: number }[] | undefined;
        const target = sel?.[0]?.next_cfg;
        if (typeof target === 'number') await this.waitForCfg(target);
      }
      return results;
    });
  }

  save(): Promise<void> {
    // OVSDB commits are durable; nothing to copy. Still go through the guard so a closed session says so.
    return this.guard.run('save', async () => undefined);
  }

  async close(): Promise<void> {
    this.guard.shutdown();
    this.client.close();
  }

  /** Selects the named ports of our bridge, in order; `unknown-port` if any is missing. */
  private async readRows(names: readonly string[], what: string): Promise<OvsPortRow[]> {
    if (names.length === 0) return [];
    const ops: Json[] = [
      { op: 'select', table: 'Bridge', where: [['name', '==', this.bridge]], columns: ['ports'] },
      ...names.map((name) => ({
        op: 'select',
        table: 'Port',
        where: [['name', '==', name]],
        columns: [...PORT_COLUMNS],
      })),
    ];
    const res = checkResults(await this.client.transact(DB, ops), what);
    const bridgeRows = (res[0].rows ?? []) as { ports?: Json }[];
    if (bridgeRows.length === 0)
      throw new SwitchError('failed', `${what}: bridge ${this.bridge} is gone from OVS at ${this.address}`);
    const portsJson = bridgeRows[0].ports;
    const members = new Set<string>();
    const list = Array.isArray(portsJson) && portsJson[0] === 'set' ? (portsJson[1] as Json[]) : [portsJson];
    for (const u of list) if (Array.isArray(u) && u[0] === 'uuid') members.add(String(u[1]));

    const rows: OvsPortRow[] = [];
    const unknown: string[] = [];
    names.forEach((name, i) => {
      const r = ((res[i + 1].rows ?? []) as Record<string, Json>[])[0];
      const row = r ? decodePortRow(r) : undefined;
      if (!row || !members.has(row.uuid)) unknown.push(name);
      else rows.push(row);
    });
    if (unknown.length) {
      throw new SwitchError(
        'unknown-port',
        `bridge ${this.bridge} at ${this.address} has no port ${unknown.join(', ')}`,
        { ports: unknown },
      );
    }
    return rows;
  }

  private onNotification(method: string, params: Json): void {
    if (method === 'update' && Array.isArray(params) && params[0] === this.monitorId)
      this.takeUpdate(params[1] ?? null);
  }

  /** Takes cur_cfg out of a monitor result or update (`{Open_vSwitch: {uuid: {new: {cur_cfg}}}}`). */
  private takeUpdate(updates: Json): void {
    const table = (updates as Record<string, Json> | null)?.Open_vSwitch as
      Record<string, { new?: { cur_cfg?: number } }> | undefined;
    for (const change of Object.values(table ?? {})) {
      const v = change?.new?.cur_cfg;
      if (typeof v === 'number') this.curCfg = v;
    }
    for (let i = this.cfgWaiters.length - 1; i >= 0; i--) {
      if (this.curCfg >= this.cfgWaiters[i].target) {
        this.cfgWaiters[i].resolve();
        this.cfgWaiters.splice(i, 1);
      }
    }
  }

  /** Resolves once ovs-vswitchd reports cur_cfg >= target (the session guard's deadline bounds the wait). */
  private waitForCfg(target: number): Promise<void> {
    if (this.curCfg >= target) return Promise.resolve();
    return new Promise((resolve) => this.cfgWaiters.push({ target, resolve }));
  }
}
