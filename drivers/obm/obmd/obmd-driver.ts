// The `obmd` OBM driver: the node's BMC is reached through an obmd daemon (CCI-MOC/obmd, what HIL ≥ 0.4 uses) over
// its REST API, at the node's URL on obmd (`spec.obm.uri`, e.g. `https://obmd.example.com/node/node4`):
//
//   admin calls (HTTP basic `admin:<admin token>`, the node's Secret):  POST uri/token → {"token"}, DELETE uri/token
//   node calls (`?token=<node token>`):  POST uri/power_on|power_off|power_cycle {"force"}, GET uri/power_status →
//       {"power_status": "on"|"off"}, PUT uri/boot_device {"bootdev"}, GET uri/console (a byte stream)
//
// The token dance: obmd keeps ONE node token per node, and issuing a new one invalidates the old one and drops the
// console reader. So the driver asks for a token only when it has none (or obmd answers 401 to the one it has),
// and keeps it process-wide, per node URL, so that the node controller and the console hub of one process share it
// (two processes would keep taking the token from each other: see docs/drivers.md). `revokeAccess` (HIL's
// node_disable_obm) is `DELETE uri/token`.
//
// obmd answers errors with a bare status code (no body); the driver's ObmError names the call, the status and
// what obmd means by it. obmd cannot read the boot device back: `bootDevice` reports the one this process last set.
// Every value that goes into a URL is validated first: the node URL (http/https, no credentials, query or
// fragment), the admin token and the node token (obmd's tokens are 128-bit hex).
import { ObmError } from '../errors.js';
import type { BootDevice, ConsoleSession, ObmConfig, ObmDriver, PowerState } from '../obm-driver.js';

export interface ObmdDriverOptions {
  /** A call that has not answered after this long is abandoned (default 30 000 ms: obmd runs ipmitool inline). */
  callTimeoutMs?: number;
  /** The console stream must start answering within this long (default 10 000 ms). */
  consoleConnectTimeoutMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
}

/** obmd's tokens (admin and node): 128 bits in hexadecimal (obmd's token.UnmarshalText refuses anything else). */
export const OBMD_TOKEN_PATTERN = /^[0-9a-fA-F]{32}$/;
const MAX_URI = 2048;

interface ValidObmd {
  /** The node URL, without a trailing slash. */
  uri: string;
  adminToken: string;
  /** For messages: the URL without anything secret (there is nothing secret in it, by validation). */
  where: string;
}

/** Checks an obmd node's settings; never echoes the admin token. */
export function validateObmd(bmc: ObmConfig): ValidObmd {
  const raw = bmc.uri;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URI)
    throw new ObmError('invalid', `spec.obm.uri must be the node's URL on obmd (http or https, at most ${MAX_URI})`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ObmError('invalid', `spec.obm.uri ${JSON.stringify(raw.slice(0, 80))} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ObmError('invalid', `spec.obm.uri must be an http or https URL, not ${JSON.stringify(u.protocol)}`);
  if (u.username || u.password || u.search || u.hash || raw.includes('?') || raw.includes('#'))
    throw new ObmError('invalid', 'spec.obm.uri must not carry credentials, a query or a fragment');
  const uri = u.href.replace(/\/+$/, '');
  const token = bmc.credentials?.password;
  if (typeof token !== 'string' || !OBMD_TOKEN_PATTERN.test(token))
    throw new ObmError(
      'invalid',
      "the credentials Secret's password must be the obmd admin token (32 hexadecimal digits, as obmd -gen-token makes)",
    );
  if (bmc.credentials?.username && bmc.credentials.username !== 'admin')
    throw new ObmError('invalid', `the credentials Secret's username must be "admin" for obmd (or absent)`);
  return { uri, adminToken: token, where: `obmd node ${uri}` };
}

/** What obmd means by each status it answers (it sends no body). */
const MEANING: Record<number, string> = {
  400: 'obmd refused the request (for a boot device: not one this BMC type accepts)',
  401: 'obmd refused the node token',
  404: 'obmd has no such node, or refused the admin token (obmd answers both with 404)',
  405: 'obmd has no such call at this URL (is spec.obm.uri the node URL, ending in /node/LABEL?)',
  500: 'obmd could not do it (its BMC call failed; see obmd’s log)',
};

function httpError(what: string, where: string, status: number, statusText: string, body: string): ObmError {
  const detail = body.trim().slice(0, 200);
  const msg = `${what} on ${where}: obmd answered ${status} ${statusText}${detail ? `: ${detail}` : ''} — ${MEANING[status] ?? 'unexpected answer'}`;
  if (status === 404) return new ObmError('auth', msg);
  if (status === 400 || status === 405) return new ObmError('invalid', msg);
  return new ObmError('failed', msg);
}

function transportError(what: string, where: string, err: unknown, timeoutMs: number): ObmError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new ObmError('timeout', `${what} on ${where}: no answer within ${timeoutMs} ms`);
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new ObmError('unreachable', `${what} on ${where}: cannot reach obmd: ${cause}`);
}

/** Node tokens by node URL, process-wide (see above); keyed also by the admin token so a changed Secret starts over. */
const tokens = new Map<string, string>();
const tokenKey = (b: ValidObmd) => `${b.uri}\n${b.adminToken}`;

export class ObmdObmDriver implements ObmDriver {
  readonly type = 'obmd';
  private readonly o: Required<Omit<ObmdDriverOptions, 'fetch'>>;
  private readonly fetch: typeof fetch;
  /** obmd cannot read a boot device: the one last set, per node URL. */
  private readonly bootSet = new Map<string, BootDevice>();

  constructor(opts: ObmdDriverOptions = {}) {
    this.o = { callTimeoutMs: 30_000, consoleConnectTimeoutMs: 10_000, ...opts };
    this.fetch = opts.fetch ?? fetch;
  }

  private async request(
    b: ValidObmd,
    what: string,
    method: string,
    suffix: string,
    init: { token?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const url = init.token === undefined ? `${b.uri}${suffix}` : `${b.uri}${suffix}?token=${init.token}`;
    const headers: Record<string, string> = {};
    if (init.token === undefined)
      headers.authorization = `Basic ${Buffer.from(`admin:${b.adminToken}`).toString('base64')}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = init.timeoutMs ?? this.o.callTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await this.fetch(url, {
        method,
        headers,
        redirect: 'error',
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
      });
    } catch (err) {
      throw transportError(what, b.where, err, timeoutMs);
    }
  }

  private async fail(b: ValidObmd, what: string, r: Response): Promise<never> {
    const body = await r.text().catch(() => '');
    throw httpError(what, b.where, r.status, r.statusText, body);
  }

  /** A fresh node token (invalidating any other, and dropping the console reader: obmd's rule). */
  private async newToken(b: ValidObmd): Promise<string> {
    const r = await this.request(b, 'POST /token', 'POST', '/token');
    if (!r.ok) await this.fail(b, 'POST /token', r);
    const body = (await r.json().catch(() => undefined)) as { token?: unknown } | undefined;
    const tok = body?.token;
    if (typeof tok !== 'string' || !OBMD_TOKEN_PATTERN.test(tok))
      throw new ObmError('failed', `POST /token on ${b.where}: obmd's answer has no valid "token"`);
    tokens.set(tokenKey(b), tok);
    return tok;
  }

  /** A node call with the shared token; on 401 (another holder took the token) once more with a new one. */
  private async nodeCall(
    bmc: ObmConfig,
    method: string,
    suffix: string,
    body?: unknown,
  ): Promise<{ b: ValidObmd; r: Response }> {
    const b = validateObmd(bmc);
    const what = `${method} ${suffix}`;
    for (let attempt = 0; ; attempt++) {
      const tok = tokens.get(tokenKey(b)) ?? (await this.newToken(b));
      const r = await this.request(b, what, method, suffix, { token: tok, body });
      if (r.status === 401 && attempt === 0) {
        await r.body?.cancel();
        if (tokens.get(tokenKey(b)) === tok) tokens.delete(tokenKey(b));
        continue;
      }
      if (!r.ok) await this.fail(b, what, r);
      return { b, r };
    }
  }

  async powerStatus(bmc: ObmConfig): Promise<PowerState> {
    const { b, r } = await this.nodeCall(bmc, 'GET', '/power_status');
    const body = (await r.json().catch(() => undefined)) as { power_status?: unknown } | undefined;
    const s = typeof body?.power_status === 'string' ? body.power_status.trim().toLowerCase() : undefined;
    // obmd's ipmi driver answers "on" or "off"; other obmd drivers answer their own text ("Chassis Power is on").
    if (s === 'on' || (s !== undefined && /\bon\b/.test(s))) return 'On';
    if (s === 'off' || (s !== undefined && /\boff\b/.test(s))) return 'Off';
    throw new ObmError(
      'failed',
      `GET /power_status on ${b.where}: unexpected answer ${JSON.stringify(body ?? null).slice(0, 120)}`,
    );
  }

  async setPower(bmc: ObmConfig, state: PowerState): Promise<void> {
    const { r } = await this.nodeCall(bmc, 'POST', state === 'On' ? '/power_on' : '/power_off');
    await r.body?.cancel();
  }

  async powerCycle(bmc: ObmConfig, opts: { force?: boolean } = {}): Promise<void> {
    const { r } = await this.nodeCall(bmc, 'POST', '/power_cycle', { force: opts.force === true });
    await r.body?.cancel();
  }

  async bootDevice(bmc: ObmConfig): Promise<BootDevice | undefined> {
    return this.bootSet.get(validateObmd(bmc).uri);
  }

  async setBootDevice(bmc: ObmConfig, device: BootDevice): Promise<void> {
    if (device !== 'pxe' && device !== 'disk')
      throw new ObmError('invalid', `boot device ${JSON.stringify(device)} is not pxe or disk`);
    const { b, r } = await this.nodeCall(bmc, 'PUT', '/boot_device', { bootdev: device });
    await r.body?.cancel();
    this.bootSet.set(b.uri, device);
  }

  async revokeAccess(bmc: ObmConfig): Promise<void> {
    const b = validateObmd(bmc);
    const r = await this.request(b, 'DELETE /token', 'DELETE', '/token');
    tokens.delete(tokenKey(b));
    if (!r.ok) await this.fail(b, 'DELETE /token', r);
    await r.body?.cancel();
  }

  openConsole(bmc: ObmConfig): ConsoleSession {
    const b = validateObmd(bmc);
    return new ObmdConsole(async (signal) => {
      for (let attempt = 0; ; attempt++) {
        const tok = tokens.get(tokenKey(b)) ?? (await this.newToken(b));
        const r = await this.request(b, 'GET /console', 'GET', '/console', {
          token: tok,
          timeoutMs: this.o.consoleConnectTimeoutMs,
          signal,
        }).catch((err: unknown) => {
          if (signal.aborted) return undefined;
          throw err;
        });
        if (!r) return undefined;
        if (r.status === 401 && attempt === 0) {
          await r.body?.cancel();
          if (tokens.get(tokenKey(b)) === tok) tokens.delete(tokenKey(b));
          continue;
        }
        if (!r.ok) await this.fail(b, 'GET /console', r);
        return r;
      }
    }, b.where);
  }
}

/**
 * obmd's console: the body of `GET uri/console`, streamed until obmd ends it (the token was revoked or replaced,
 * the BMC dropped SOL) or we close it. The connect timeout covers the answer's headers only.
 */
class ObmdConsole implements ConsoleSession {
  private dataFns: ((c: Buffer) => void)[] = [];
  private endFns: ((e?: Error) => void)[] = [];
  private ended = false;
  private endErr?: Error;
  private readonly abort = new AbortController();

  constructor(open: (signal: AbortSignal) => Promise<Response | undefined>, where: string) {
    void (async () => {
      try {
        const r = await open(this.abort.signal);
        if (!r?.body) return this.finish();
        const reader = r.body.getReader();
        this.abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value?.length) for (const f of this.dataFns) f(Buffer.from(value));
        }
        this.finish(this.abort.signal.aborted ? undefined : new ObmError('failed', `${where}: obmd ended the console`));
      } catch (err) {
        if (this.abort.signal.aborted) return this.finish();
        this.finish(err instanceof ObmError ? err : new ObmError('failed', `${where}: console: ${String(err)}`));
      }
    })();
  }

  private finish(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.endErr = err;
    for (const f of this.endFns) f(err);
  }

  onData(fn: (chunk: Buffer) => void): void {
    this.dataFns.push(fn);
  }

  onEnd(fn: (err?: Error) => void): void {
    if (this.ended) fn(this.endErr);
    else this.endFns.push(fn);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.finish();
  }
}
