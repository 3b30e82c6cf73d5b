// The controllers' kept-alive connections: reused between calls, and an idle one closed by the client before the
// server's keepAliveTimeout, so no request is ever sent on a socket the server is closing (ECONNRESET under load).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { reuseConnections } from '../../controllers/keep-alive.js';

const LIST = JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] });

test('an idle kept-alive socket is closed by the client a second before the server would close it', async (t) => {
  const closed: { by: 'client' | 'server'; afterMs: number }[] = [];
  let connections = 0;
  let lastResponse = 0;
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(LIST, () => (lastResponse = Date.now()));
  });
  server.keepAliveTimeout = 2_000; // announced as `Keep-Alive: timeout=2`
  server.on('connection', (s: Socket) => {
    connections++;
    let endedByPeer = false;
    s.on('end', () => (endedByPeer = true)); // the client's FIN arrived first
    s.on('close', () => closed.push({ by: endedByPeer ? 'client' : 'server', afterMs: Date.now() - lastResponse }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const core = reuseConnections(kc).makeApiClient(k8s.CoreV1Api);

  await core.listNamespace();
  await core.listNamespace();
  assert.equal(connections, 1, 'the second call reuses the first call’s connection');

  await new Promise((r) => setTimeout(r, 2_600));
  assert.equal(closed.length, 1, 'the idle connection is closed by now');
  assert.equal(closed[0].by, 'client', `closed by the ${closed[0].by} after ${closed[0].afterMs} ms`);
  assert.ok(closed[0].afterMs < 1_800, `the client closed it ${closed[0].afterMs} ms after the last response`);

  await core.listNamespace();
  assert.equal(connections, 2, 'the next call opens a fresh connection');
});
