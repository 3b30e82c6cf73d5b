// One switch driver for every REST switch, made from a dialect (dialects/*.ts): the dialect says which requests,
// this file says when. open checks the config and makes one authenticated request (address, TLS and credentials
// proven before the session is handed out); readPorts reads every port back from the switch; apply reads the ports,
// plans requests only for those not yet in the desired state, and runs them (per port in order, ports side by side
// on the keep-alive connections); save makes the running config the startup config, once per batch.
import { SwitchError } from '../errors.js';
import { portInSync } from '../port-state.js';
import { SessionGuard } from '../session-guard.js';
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
  assertCredentials,
  assertInterfaceNames,
  INTERFACE_PATTERN,
  resolveOptions,
  resolveTimeout,
  validateChanges,
} from '../validate.js';
import { RestClient, RestHttpError, type RestLog } from './rest-client.js';
import {
  eachLimited,
  REQUESTS_IN_FLIGHT,
  type PlanItem,
  type RestContext,
  type RestDialect,
  type RestPortState,
  type RestRequest,
  type RestSend,
} from './rest-dialect.js';

/** A Secret reference in an option: `NAME` or `NAMESPACE/NAME` (Kubernetes names). */
export const SECRET_REF_PATTERN = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export interface RestDriverOptions {
  /** The transcript (debug level, the password redacted, the Authorization header never logged). */
  readonly log?: RestLog;
}

/** `https://HOST[:PORT]` or `http://HOST[:PORT]` (nothing after the port but an optional `/`) → its origin. */
export function parseRestAddress(address: string): { origin: string; https: boolean } {
  const m = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\d{1,5}))?\/?$/.exec(address);
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw new SwitchError(
      'invalid',
      `address ${JSON.stringify(address.slice(0, 80))} is not https://HOST[:PORT] or http://HOST[:PORT]`,
    );
  }
  return { origin: `${m[1]}://${m[2]}${port === undefined ? '' : `:${port}`}`, https: m[1] === 'https' };
}

export class RestSwitchDriver implements SwitchDriver {
  readonly type: string;
  private readonly caps: SwitchCapabilities;

  constructor(
    readonly dialect: RestDialect,
    private readonly o: RestDriverOptions = {},
  ) {
    this.type = dialect.type;
    // HIL's Brocade and OS9 drivers: a native VLAN first (no nativeless trunks), a port with no network shut down.
    this.caps = Object.freeze({
      trunk: true,
      nativeVlan: true,
      nativelessTrunk: false,
      parking: 'shutdown',
      interfacePattern: new RegExp(`(?=${INTERFACE_PATTERN.source})${dialect.interfacePattern.source}`),
    });
  }

  capabilities(): SwitchCapabilities {
    return this.caps;
  }

  async open(config: SwitchConfig): Promise<SwitchSession> {
    assertConfigBasics(config);
    const timeoutMs = resolveTimeout(config.timeoutMs);
    const d = this.dialect;
    const types = Object.keys(d.interfaceTypes);
    const opts = resolveOptions(config.options, {
      interfaceType: { pattern: new RegExp(`^(${types.join('|')})$`) },
      insecureSkipTLSVerify: { pattern: /^(true|false)$/, default: 'false' },
      caSecretRef: { pattern: SECRET_REF_PATTERN },
      save: { pattern: /^(true|false)$/, default: 'true' },
    });
    if (opts.interfaceType === undefined) {
      throw new SwitchError(
        'invalid',
        `a ${d.type} switch needs options.interfaceType, the type of its ports (one of ${types.join(', ')})`,
      );
    }
    const { origin, https } = parseRestAddress(config.address);
    const insecure = opts.insecureSkipTLSVerify === 'true';
    if (!https && (insecure || opts.caSecretRef !== undefined)) {
      throw new SwitchError(
        'invalid',
        'options.insecureSkipTLSVerify and options.caSecretRef are for https:// addresses; this one is http://',
      );
    }
    if (opts.caSecretRef !== undefined && !config.caCertificates) {
      throw new SwitchError(
        'invalid',
        `options.caSecretRef names ${opts.caSecretRef}, but no CA bundle was read from it (key ca.crt)`,
      );
    }
    const credentials = assertCredentials(config.credentials);
    if (!credentials)
      throw new SwitchError('invalid', `a ${d.type} switch needs credentials (spec.credentialsSecretRef)`);
    const client = new RestClient({
      origin,
      username: credentials.username,
      password: credentials.password,
      requestTimeoutMs: timeoutMs,
      ...(opts.caSecretRef !== undefined && config.caCertificates ? { ca: config.caCertificates } : {}),
      insecureSkipTLSVerify: insecure,
      maxSockets: REQUESTS_IN_FLIGHT,
      log: this.o.log,
      contentType: d.contentType,
    });
    const ctx: RestContext = { interfaceType: opts.interfaceType, parkingVlan: config.parkingVlan };
    const session = new RestSwitchSession(d, this.caps, ctx, client, timeoutMs, opts.save === 'true');
    await session.start();
    return session;
  }
}

export class RestSwitchSession implements SwitchSession {
  private readonly guard: SessionGuard;
  private readonly send: RestSend;

  constructor(
    private readonly d: RestDialect,
    readonly capabilities: SwitchCapabilities,
    private readonly ctx: RestContext,
    private readonly client: RestClient,
    timeoutMs: number,
    private readonly saves: boolean,
  ) {
    this.guard = new SessionGuard(timeoutMs, () => this.client.destroy());
    this.send = (method, path, body, accept) => this.client.request(method, path, body, accept);
  }

  get parkingVlan(): number | undefined {
    return this.ctx.parkingVlan;
  }

  /** @internal One authenticated request under the session's deadline. */
  async start(): Promise<void> {
    try {
      await this.guard.run('login', () => this.send(this.d.probe.method, this.d.probe.path));
    } catch (err) {
      this.guard.shutdown(err instanceof SwitchError ? err : undefined);
      throw err;
    }
  }

  /** Runs `fn`; when the connection is lost (or the session times out) the session closes, so a new one is opened. */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return this.guard.run(what, async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof SwitchError && (err.code === 'closed' || err.code === 'timeout' || err.code === 'auth'))
          this.guard.shutdown(err);
        throw err;
      }
    });
  }

  async readPorts(interfaces: readonly string[]): Promise<ObservedPort[]> {
    const names = assertInterfaceNames(interfaces, this.capabilities);
    return this.call('readPorts', async () => (await this.read(names)).map((s) => s.observed));
  }

  private async read(names: readonly string[]): Promise<RestPortState[]> {
    const out = names.length ? await this.d.readPorts(names, this.ctx, this.send) : [];
    const unknown = names.filter((_, i) => out[i] === undefined);
    if (unknown.length)
      throw new SwitchError('unknown-port', `the switch has no port ${unknown.join(', ')}`, { ports: unknown });
    return out as RestPortState[];
  }

  async apply(changes: readonly PortChange[]): Promise<PortResult[]> {
    const valid = validateChanges(changes, this.capabilities, this.parkingVlan);
    return this.call('apply', async () => {
      const states = await this.read(valid.map((c) => c.interface));
      const items: PlanItem[] = [];
      const results: PortResult[] = valid.map((c, i) => {
        const write = !portInSync(c, states[i].observed);
        if (write) items.push({ port: c.interface, target: c, ...states[i] });
        return { interface: c.interface, changed: write };
      });
      if (!items.length) return results;
      const failed = new Map<string, { code: string; message: string }>();
      for (const phase of this.d.plan(items, this.ctx))
        await this.runPhase(typeof phase === 'function' ? phase(new Set(failed.keys())) : phase, failed);
      return results.map((r) => (failed.has(r.interface) ? { ...r, error: failed.get(r.interface) } : r));
    });
  }

  /**
   * The requests of one phase: those of one port in order, ports side by side. A refusal by the switch fails its
   * ports (their later requests are skipped, the other ports go on); a lost connection or timeout ends the batch.
   */
  private async runPhase(phase: readonly RestRequest[], failed: Map<string, { code: string; message: string }>) {
    const groups = new Map<string, RestRequest[]>();
    for (const r of phase) {
      const key = r.group ?? (r.ports.length === 1 ? r.ports[0] : `*${r.ports.join(',')}`);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    await eachLimited([...groups.values()], REQUESTS_IN_FLIGHT, async (requests) => {
      for (const r of requests) {
        if (r.ports.length && r.ports.every((p) => failed.has(p))) continue;
        let refusal: string | undefined;
        try {
          const reply = await this.send(r.method, r.path, r.body, r.accept);
          refusal = r.refused?.(reply.body);
        } catch (err) {
          if (!(err instanceof RestHttpError)) throw err;
          refusal = err.message;
        }
        if (refusal !== undefined) {
          for (const p of r.ports) if (!failed.has(p)) failed.set(p, { code: 'failed', message: refusal });
          if (r.ports.length === 1) return;
        }
      }
    });
  }

  save(): Promise<void> {
    return this.call('save', async () => {
      if (this.saves) await this.d.save(this.ctx, this.send);
    });
  }

  async close(): Promise<void> {
    this.guard.shutdown();
  }
}
