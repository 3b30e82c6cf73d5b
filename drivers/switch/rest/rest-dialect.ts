// A REST dialect: everything that differs between two vendors' HTTP APIs, as data and small pure functions. The
// generic REST driver (rest-driver.ts) and client (rest-client.ts) do the rest: validation, sessions, the deadline,
// running a plan's requests (in order per port, ports side by side), per-port results, the transcript. Adding a REST
// vendor is adding a file to dialects/ (see docs/drivers.md). Functions here only ever get validated values: port
// names that matched `interfacePattern`, VLAN ids that are integers 1–4094, an `interfaceType` from the allow-list.
import type { PortTarget } from '../cli/dialect.js';
import type { ObservedPort } from '../switch-driver.js';
import type { HttpMethod, RestReply } from './rest-client.js';

export type { PortTarget };

/** One HTTP request of a plan. */
export interface RestRequest {
  readonly method: HttpMethod;
  /** Path (and query) on the switch, every variable part already validated and encoded. */
  readonly path: string;
  readonly body?: string;
  /** Error statuses that mean "already so" here (409 on creating what exists, 404 on deleting what is gone). */
  readonly accept?: readonly number[];
  /** The ports this request configures: a refusal fails these ports (and skips their later requests). */
  readonly ports: readonly string[];
  /**
   * Requests of one phase with the same group run in order; groups run side by side. Default: the port, for a
   * request about one port.
   */
  readonly group?: string;
  /** A refusal the switch reports inside a successful reply (CLI-over-REST output): its words, else undefined. */
  readonly refused?: (body: string) => string | undefined;
}

/**
 * The requests of one phase, or a function making them once the earlier phases have run, from the ports that have
 * failed so far (so that a batch request carries no line for a port the switch already refused).
 */
export type RestPhase = readonly RestRequest[] | ((failed: ReadonlySet<string>) => readonly RestRequest[]);

/** What a dialect's functions know of the switch besides the ports. */
export interface RestContext {
  /** The validated `options.interfaceType` (a key of the dialect's `interfaceTypes`). */
  readonly interfaceType: string;
  /** The reserved parking VLAN, if the Switch names one (these switches park by shutting the port down). */
  readonly parkingVlan: number | undefined;
}

/** Sends one request of a dialect's own (reads, save), with the session's auth, deadline and transcript. */
export type RestSend = (
  method: HttpMethod,
  path: string,
  body?: string,
  accept?: readonly number[],
) => Promise<RestReply>;

/** A port as read: the common view, and the vendor's port mode that the plan needs (not part of the contract). */
export interface RestPortState {
  readonly observed: ObservedPort;
  /** e.g. `routed` (no switchport), `access`, `trunk`, `hybrid`. */
  readonly mode: string;
}

/** One port of a batch to write: where it should be, and where it was read to be. */
export interface PlanItem extends RestPortState {
  readonly port: string;
  readonly target: PortTarget;
}

export interface RestDialect {
  /** The `Switch.spec.type` this dialect serves. */
  readonly type: string;
  /** The switches it is meant for, in words (docs, error messages). */
  readonly description: string;
  /** Port names on this switch (checked on top of the common pattern). */
  readonly interfacePattern: RegExp;
  /**
   * `options.interfaceType` values this switch has (its CLI names), each with the form its API uses in URLs.
   * Anything else is refused before a request is made.
   */
  readonly interfaceTypes: Readonly<Record<string, string>>;
  /** The `Content-Type` of request bodies; undefined: none sent (what HIL's drivers did, against real switches). */
  readonly contentType?: string;
  /** A cheap authenticated request made at open: proves the address, the TLS and the credentials. */
  readonly probe: { readonly method: HttpMethod; readonly path: string };
  /**
   * Reads the ports back, one entry per name in order; undefined for a port the switch does not have. At most
   * `REQUESTS_IN_FLIGHT` requests at once.
   */
  readPorts(ports: readonly string[], ctx: RestContext, send: RestSend): Promise<(RestPortState | undefined)[]>;
  /**
   * The requests taking these ports from `observed` to `target`, in phases: phase after phase, and within a phase
   * the requests of one port in order while different ports go side by side. A target with no VLAN parks the port
   * so that it reaches nothing (DESIGN §7).
   */
  plan(items: readonly PlanItem[], ctx: RestContext): RestPhase[];
  /** Makes the running configuration the startup configuration. */
  save(ctx: RestContext, send: RestSend): Promise<void>;
}

/** `1/0/1` → `%221/0/1%22`: a port name as a quoted key in a URL (the port already matched `\d+/\d+(/\d+)?`). */
export function quotedKey(port: string): string {
  return `%22${port}%22`;
}

/** Requests one session has in flight at once: switch web servers are small. */
export const REQUESTS_IN_FLIGHT = 4;

/** Runs `fn` over `items`, at most `limit` at once; the first rejection rejects (after the running ones settle). */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  await eachLimited([...items.keys()], limit, async (i) => {
    out[i] = await fn(items[i]);
  });
  return out;
}
