// `hilctl node console NODE [--no-follow]` — the node's serial console (Node subresource `console`, HIL's
// show_console): with follow (the default) the output so far, then live output until Ctrl-C or the server ends the
// session; with --no-follow only the output so far. Read-only. Admins and members of the node's project only.
import http from 'node:http';
import https from 'node:https';
import { objectPath } from './discovery.js';
import { toStatusError, USER_AGENT } from './client.js';
import { connectionErrorFor } from './errors.js';
import type { Session } from './session.js';

export interface ConsoleOptions {
  follow?: boolean;
}

export async function runConsole(s: Session, node: string, o: ConsoleOptions): Promise<number> {
  const d = await s.discovery();
  const path = `${objectPath(d.hil('Node'), node)}/console`;
  const follow = o.follow !== false;
  const conn = s.conn;
  const base = new URL(conn.server);
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/$/, '')}${path}`;
  url.search = follow ? '?follow=true' : '';
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'text/plain, application/json' };
  const authz = await conn.authorization();
  if (authz) headers.Authorization = authz;
  if (conn.impersonateUser) headers['Impersonate-User'] = conn.impersonateUser;
  const isHttps = url.protocol === 'https:';
  const req = (isHttps ? https : http).request(url, {
    method: 'GET',
    headers,
    ...(isHttps
      ? {
          ca: conn.ca,
          cert: conn.cert,
          key: conn.key,
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
          servername: conn.tlsServerName,
        }
      : {}),
  });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', (err) => reject(connectionErrorFor(conn.server, err)));
    req.end();
  });
  if ((res.statusCode ?? 0) >= 400) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    throw toStatusError(
      { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') },
      `GET ${path}`,
    );
  }
  await new Promise<void>((resolve) => {
    res.on('data', (c: Buffer) => s.io.stdout.write(c));
    res.on('end', resolve);
    res.on('close', resolve);
    res.on('error', () => resolve());
  });
  return 0;
}
