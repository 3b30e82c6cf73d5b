// A Keystone v3 stand-in: the part of Keystone that HIL's clients and the server's `keystone` auth backend
// (apiserver/auth/keystone.ts) use — password login (POST /v3/auth/tokens, the token in X-Subject-Token) and token
// validation (GET /v3/auth/tokens, the caller's token in X-Auth-Token, the one to check in X-Subject-Token).
// Shared by the auth integration test, the hil CLI test and the web console's browser test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A token as Keystone's validation returns it (`token` in the body). */
export interface KeystoneToken {
  user: { name: string };
  roles: { name: string }[];
  project: { id: string };
  expires_at: string;
}

export interface KeystoneStandIn {
  url: string;
  /** Every password login's request body, in order (to check what a client sent). */
  logins: any[];
  /** How many token validations were answered (to see the server's cache at work). */
  validations: () => number;
  close: () => Promise<void>;
}

/** In an hour: a token's usual expiry. */
export const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

/**
 * Starts the stand-in on a free port. `users`: who may log in with a password, and the token each gets (a key of
 * `tokens`). `tokens`: what validation answers for each token; an unknown or expired one is 404, as Keystone says.
 * A validation must itself carry a known, unexpired token (401 otherwise).
 */
export async function startKeystoneStandIn(opts: {
  users: Record<string, { password: string; token: string }>;
  tokens: Record<string, KeystoneToken>;
}): Promise<KeystoneStandIn> {
  const logins: any[] = [];
  let validations = 0;
  const valid = (t: unknown) => {
    const tok = typeof t === 'string' ? opts.tokens[t] : undefined;
    return tok && Date.parse(tok.expires_at) >= Date.now() ? tok : undefined;
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
        const b = JSON.parse(body);
        logins.push(b);
        const pw = b?.auth?.identity?.password?.user;
        const u = opts.users[pw?.name];
        if (!u || u.password !== pw?.password) return void res.writeHead(401).end();
        res.writeHead(201, { 'x-subject-token': u.token, 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: opts.tokens[u.token] }));
        return;
      }
      if (req.method === 'GET' && req.url === '/v3/auth/tokens') {
        if (!valid(req.headers['x-auth-token'])) return void res.writeHead(401).end();
        validations++;
        const t = valid(req.headers['x-subject-token']);
        if (!t) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: t }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logins,
    validations: () => validations,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
