// The controllers' API client reuses its connections (client-node alone opens one per call, and over TLS pays a
// handshake each time): many calls in a burst arrive on a handful of connections, over http and over TLS.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HilClient } from '../../controllers/client.js';
import { kubeConfigFor } from '../../controllers/daemon.js';
import { makeTestCertificates, startInProcessServer, type InProcessServer } from '../support/server.js';

const certDir = mkdtempSync(join(tmpdir(), 'hil-keepalive-'));
after(() => rmSync(certDir, { recursive: true, force: true }));

function countConnections(s: InProcessServer): () => number {
  let n = 0;
  const server = (s.server as unknown as { server: Server }).server;
  server.on('connection', () => n++);
  return () => n;
}

async function burst(client: HilClient): Promise<void> {
  // 8 at a time, 200 calls: as a switch batch writes its statuses.
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < 200) {
        i++;
        assert.equal(await client.get('switches', 'no-such-switch'), undefined);
      }
    }),
  );
}

describe('controller API client connections', () => {
  test('over http: 200 calls use at most 8 connections', async () => {
    const s = await startInProcessServer();
    try {
      const connections = countConnections(s);
      await burst(new HilClient(kubeConfigFor(s.url)));
      assert.ok(connections() <= 8, `${connections()} connections for 200 calls`);
      assert.ok(connections() >= 1);
    } finally {
      await s.stop();
    }
  });

  test('over TLS (CA checked): 200 calls use at most 8 connections', async () => {
    const certs = makeTestCertificates(certDir);
    assert.ok(certs, 'openssl is needed to make the test certificates (hack/install-test-deps.sh installs it)');
    const s = await startInProcessServer({ tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
    try {
      const connections = countConnections(s);
      const url = s.url.replace('http:', 'https:');
      await burst(new HilClient(kubeConfigFor(url, undefined, { caFile: certs.caFile })));
      assert.ok(connections() <= 8, `${connections()} connections for 200 calls`);
      // The CA is still enforced on the reused agent: a client that does not trust it fails.
      const untrusting = new HilClient(kubeConfigFor(url));
      await assert.rejects(untrusting.get('switches', 'x'), /certificate|self.signed|unable to verify/i);
    } finally {
      await s.stop();
    }
  });
});
