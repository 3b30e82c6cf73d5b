// Connection reuse for @kubernetes/client-node. Its KubeConfig makes a new http(s).Agent for every request
// (config.js createAgent, called from applySecurityAuthentication), so each API call the controllers make opens a
// new TCP connection — and over TLS a new handshake. Under a burst (a switch batch writes a status per port and per
// attachment) that is most of the cost on both sides. This keeps one keep-alive agent per distinct TLS setting
// and hands it to every request instead. Proxy agents (cluster.proxyUrl) are left as client-node makes them.
//
// An idle kept-alive socket is closed by the client before the server would close it. Otherwise both sides time it
// out at the same moment (Node's server after its keepAliveTimeout, 5 s by default) and a request sent on it as the
// server closes it fails with ECONNRESET / "socket hang up" (nodejs/node#47130). Node 20's agent shortens its idle
// timeout to the server's `Keep-Alive: timeout=N` hint less a second, but only when the agent has a timeout of its
// own to shorten (with none, the hint is ignored): IDLE_SOCKET_MS is that timeout. On a socket in use it only emits a
// 'timeout' event, which nothing here listens to, so long watches are not cut.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type * as k8s from '@kubernetes/client-node';

type AgentOptions = https.AgentOptions & { ca?: unknown; cert?: unknown; key?: unknown; pfx?: unknown };

const REUSED = Symbol('hil.reuseConnections');

/** How long an idle socket is kept at most (less when the server's Keep-Alive hint says so). */
export const IDLE_SOCKET_MS = 30_000;

function digest(v: unknown): string {
  if (v === undefined || v === null) return '';
  return createHash('sha256')
    .update(Buffer.isBuffer(v) ? v : String(v))
    .digest('hex')
    .slice(0, 16);
}

/** Makes every API client built from this KubeConfig reuse connections. Idempotent; returns kc. */
export function reuseConnections(kc: k8s.KubeConfig): k8s.KubeConfig {
  const marked = kc as k8s.KubeConfig & { [REUSED]?: boolean };
  if (marked[REUSED]) return kc;
  marked[REUSED] = true;
  const apply = kc.applySecurityAuthentication.bind(kc);
  const agents = new Map<string, http.Agent>();
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    const made = context.getAgent();
    if (!made || (made.constructor !== http.Agent && made.constructor !== https.Agent)) return;
    const opts = (made as unknown as { options?: AgentOptions }).options ?? {};
    const tls = made instanceof https.Agent;
    // Certificates are re-read by client-node on each call: a rotated one gets a new agent.
    const key = JSON.stringify([
      kc.getCurrentCluster()?.server ?? '',
      tls,
      opts.rejectUnauthorized ?? null,
      opts.servername ?? null,
      digest(opts.ca),
      digest(opts.cert),
      digest(opts.key),
      digest(opts.pfx),
    ]);
    let agent = agents.get(key);
    if (!agent) {
      const { ca, cert, key: k, pfx, passphrase, rejectUnauthorized, servername } = opts;
      const base = { keepAlive: true, maxFreeSockets: 64, timeout: IDLE_SOCKET_MS };
      agent = tls
        ? new https.Agent({ ...base, ca, cert, key: k, pfx, passphrase, rejectUnauthorized, servername })
        : new http.Agent(base);
      agents.set(key, agent);
    }
    made.destroy();
    context.setAgent(agent);
  };
  return kc;
}
