// An obmd (CCI-MOC/obmd) for tests: its HTTP API, answered as obmd's http.go/daemon.go answer it, in front of real
// BMCs. Each registered node's BMC is driven with real ipmitool through our ipmi OBM driver, so with ipmi_sim
// behind it (test/support/ipmi-sim.ts) power and boot device really change on the simulated BMC, and the console is
// ipmi_sim's SOL (`ipmitool sol activate`), as obmd's own ipmi driver does it.
//
// Faithful to obmd where a client can tell:
//   - admin calls (PUT/DELETE /node/ID, POST/DELETE /node/ID/token) need HTTP basic `admin:<admin token>`; without
//     it they do not match and obmd answers 404; PUT of an existing node is 500 (ErrNodeExists is not relayed);
//   - node calls take `?token=`: a malformed or wrong token is 401, an unknown node 404, a path matched with the
//     wrong method 405; bodies that are not JSON are 400; a boot device other than disk/pxe/none is 400;
//   - one token per node: a new token, a DELETE of the token or of the node drop the console reader;
//   - error answers have no body; power_status answers {"power_status": "on"|"off"}.
// One addition: `info.port` (the BMC's UDP port; obmd always uses 623, ipmi_sim listens on a free port). Real obmd
// ignores unknown fields, so a body with it is also a valid obmd body.
//
//   const obmd = await startObmdEmulator();  // obmd.url, obmd.adminToken
//   …  after(() => obmd.stop());
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { IpmiObmDriver } from '../../drivers/obm/ipmi/ipmi-driver.js';
import type { ConsoleSession, ObmConfig } from '../../drivers/obm/obm-driver.js';

interface EmuNode {
  bmc: ObmConfig;
  token: Buffer;
  console?: { session: ConsoleSession; res: http.ServerResponse };
}

export interface ObmdEmulator {
  url: string;
  adminToken: string;
  /** Every request as `METHOD /path` (no query: the token stays out), for assertions. */
  requests: string[];
  /** Registered node ids. */
  nodes(): string[];
  /** Whether a console reader is connected to this node. */
  consoleOpen(id: string): boolean;
  stop(): Promise<void>;
}

const newToken = () => randomBytes(16);
/** obmd's token.UnmarshalText: exactly 32 hex digits. */
const parseToken = (s: string | null | undefined): Buffer | undefined =>
  s && /^[0-9a-fA-F]{32}$/.test(s) ? Buffer.from(s, 'hex') : undefined;

export async function startObmdEmulator(
  opts: { adminToken?: string; driver?: IpmiObmDriver } = {},
): Promise<ObmdEmulator> {
  const adminToken = opts.adminToken ?? newToken().toString('hex');
  const admin = Buffer.from(adminToken, 'hex');
  const driver = opts.driver ?? new IpmiObmDriver({ retries: 1, timeoutSeconds: 1, callTimeoutMs: 8_000 });
  const nodes = new Map<string, EmuNode>();
  const requests: string[] = [];

  const isAdmin = (req: http.IncomingMessage): boolean => {
    const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const dec = Buffer.from(m[1], 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i < 0 || dec.slice(0, i) !== 'admin') return false;
    const tok = parseToken(dec.slice(i + 1));
    return !!tok && timingSafeEqual(tok, admin);
  };
  const dropConsole = (n: EmuNode) => {
    const c = n.console;
    n.console = undefined;
    if (c) {
      void c.session.close();
      c.res.end();
    }
  };
  const body = async (req: http.IncomingMessage): Promise<string> => {
    let s = '';
    for await (const chunk of req) s += chunk;
    return s;
  };
  const json = (s: string): any => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://obmd');
    requests.push(`${req.method} ${url.pathname}`);
    const end = (code: number, out?: unknown) => {
      if (out === undefined) res.writeHead(code).end();
      else res.writeHead(code, { 'content-type': 'application/json' }).end(`${JSON.stringify(out)}\n`);
    };
    const m = /^\/node\/([^/]+)(\/(token|console|power_cycle|power_on|power_off|boot_device|power_status))?$/.exec(
      url.pathname,
    );
    if (!m) return end(404);
    const id = decodeURIComponent(m[1]);
    const op = m[3] ?? '';
    const method = req.method ?? 'GET';
    void (async () => {
      // ---- admin calls: no match (404) without the admin token ----
      if (op === '' || op === 'token') {
        const allowed = op === '' ? ['PUT', 'DELETE'] : ['POST', 'DELETE'];
        if (!allowed.includes(method) || !isAdmin(req)) return end(404);
        if (op === '' && method === 'PUT') {
          const info = json(await body(req));
          if (nodes.has(id)) return end(500);
          if (info?.type !== 'ipmi' || typeof info.info?.addr !== 'string') return end(500);
          const port = info.info.port === undefined ? undefined : Number(info.info.port);
          nodes.set(id, {
            bmc: {
              host: info.info.addr,
              ...(port !== undefined ? { port } : {}),
              credentials: { username: String(info.info.user ?? ''), password: String(info.info.pass ?? '') },
            },
            token: newToken(),
          });
          return end(200);
        }
        const n = nodes.get(id);
        if (!n) return end(404);
        if (op === '') {
          dropConsole(n);
          nodes.delete(id);
          return end(200);
        }
        dropConsole(n);
        n.token = newToken();
        if (method === 'DELETE') return end(200);
        return end(200, { token: n.token.toString('hex') });
      }
      // ---- node calls, with ?token= ----
      const want: Record<string, string> = {
        console: 'GET',
        power_cycle: 'POST',
        power_on: 'POST',
        power_off: 'POST',
        boot_device: 'PUT',
        power_status: 'GET',
      };
      if (want[op] !== method) return end(405);
      const tok = parseToken(url.searchParams.get('token'));
      if (!tok) return end(401);
      const n = nodes.get(id);
      if (!n) return end(404);
      if (!timingSafeEqual(tok, n.token)) return end(401);
      try {
        switch (op) {
          case 'power_on':
          case 'power_off':
            await driver.setPower(n.bmc, op === 'power_on' ? 'On' : 'Off');
            return end(200);
          case 'power_cycle': {
            const args = json(await body(req));
            if (!args || typeof args !== 'object') return end(400);
            // obmd: `chassis power cycle` (or `reset` with force); if that fails (an Off node), `chassis power on`.
            try {
              await driver.powerCycle(n.bmc);
            } catch {
              await driver.setPower(n.bmc, 'On');
            }
            return end(200);
          }
          case 'boot_device': {
            const args = json(await body(req));
            if (!args || typeof args !== 'object') return end(400);
            if (args.bootdev !== 'disk' && args.bootdev !== 'pxe' && args.bootdev !== 'none') return end(400);
            if (args.bootdev === 'none') return end(200); // our ipmi driver sets pxe or disk only
            await driver.setBootDevice(n.bmc, args.bootdev);
            return end(200);
          }
          case 'power_status':
            return end(200, { power_status: (await driver.powerStatus(n.bmc)) === 'On' ? 'on' : 'off' });
          case 'console': {
            dropConsole(n);
            const session = driver.openConsole(n.bmc);
            const mine = { session, res };
            n.console = mine;
            res.writeHead(200, { 'content-type': 'application/octet-stream' });
            res.flushHeaders();
            session.onData((c) => res.write(c));
            session.onEnd(() => {
              if (n.console === mine) n.console = undefined;
              res.end();
            });
            req.on('close', () => {
              if (n.console === mine) n.console = undefined;
              void session.close();
            });
            return;
          }
        }
      } catch {
        return end(500);
      }
    })().catch(() => {
      if (!res.headersSent) end(500);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    adminToken,
    requests,
    nodes: () => [...nodes.keys()],
    consoleOpen: (id) => !!nodes.get(id)?.console,
    async stop() {
      for (const n of nodes.values()) dropConsole(n);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Registers a node on obmd as an admin would (`PUT /node/ID`), behind a BMC; returns its node URL. */
export async function registerObmdNode(
  obmd: ObmdEmulator,
  id: string,
  bmc: { host: string; port: number; username: string; password: string },
): Promise<string> {
  const r = await fetch(`${obmd.url}/node/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { authorization: `Basic ${Buffer.from(`admin:${obmd.adminToken}`).toString('base64')}` },
    body: JSON.stringify({
      type: 'ipmi',
      info: { addr: bmc.host, port: bmc.port, user: bmc.username, pass: bmc.password },
    }),
  });
  if (r.status !== 200) throw new Error(`obmd PUT /node/${id}: ${r.status}`);
  return `${obmd.url}/node/${encodeURIComponent(id)}`;
}
