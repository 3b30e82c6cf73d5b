// Issue 12 finding 6: clients that hold watches without reading them, upload without credentials, or send their
// headers a byte at a time are cut off by the server's limits, and the server stays up and serving.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';
import { basicAuth as basic } from '../support/objects.js';

const G = '/apis/hil.io/v1alpha1';
const CREDS = { admin: basic('root', 'root-password'), u1: basic('u1', 'u1-password'), anon: {} } as Record<
  string,
  Record<string, string>
>;
const project = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Project',
  metadata: { name, annotations },
  spec: {},
});

/** A raw HTTP request on its own socket; the socket is returned paused, so nothing of the answer is read. */
function rawRequest(port: number, head: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(head);
      resolve(s);
    });
    s.on('error', reject);
  });
}
const closed = (s: net.Socket) =>
  new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('server limits: the server stays up', () => {
  let srv: InProcessServer;
  let port: number;
  const { as, must } = callers<string>(
    () => srv.url,
    (c) => CREDS[c],
  );

  before(async () => {
    srv = await startInProcessServer({
      auth: 'database',
      requireAuthentication: false,
      limits: {
        maxWatches: 40,
        maxWatchesPerUser: 3,
        watchBufferBytes: 64 * 1024,
        slowWatchMs: 1_000,
        headersTimeoutMs: 1_000,
        requestTimeoutMs: 3_000,
      },
    });
    port = Number(new URL(srv.url).port);
    await createAdminUser(srv.store, 'root', 'root-password');
    await must('admin', 'POST', `${G}/projects`, project('p1'));
    await must('admin', 'POST', `${G}/users`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'u1' },
      spec: { projects: ['p1'] },
    });
    await must('admin', 'PUT', `${G}/users/u1/password`, { password: 'u1-password' });
  });
  after(() => srv.stop());

  test('watches per user are limited (429 with Retry-After); closing one frees its slot', async () => {
    const ctl = new AbortController();
    const open = () => fetch(`${srv.url}${G}/projects?watch=true`, { headers: CREDS.u1, signal: ctl.signal });
    const first = [await open(), await open(), await open()];
    assert.deepEqual(
      first.map((r) => r.status),
      [200, 200, 200],
    );
    const refused = await open();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const body = await refused.json();
    assert.equal(body.reason, 'TooManyRequests');
    assert.match(body.message, /max-watches-per-user/);
    await first[0].body!.cancel();
    let again: Response | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      again = await open();
    }
    assert.equal(again!.status, 200, 'a closed watch frees its slot');
    ctl.abort();
  });

  test('watchers that never read are closed, and their buffers freed, while the server goes on', async () => {
    // The previous test's aborted watches leave the hub as their sockets close.
    for (let i = 0; i < 100 && srv.server.hub.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
    const before = srv.server.hub.size;
    assert.equal(before, 0);
    const auth = CREDS.admin.authorization;
    const sockets = await Promise.all(
      Array.from({ length: 10 }, () =>
        rawRequest(port, `GET ${G}/projects?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n\r\n`),
      ),
    );
    for (const s of sockets) s.pause();
    await new Promise((r) => setTimeout(r, 200));
    // ~8 MB of events per watcher: far more than the socket buffers and the 64 KiB allowance.
    for (let i = 0; i < 40; i++)
      await must('admin', 'POST', `${G}/projects`, project(`big-${i}`, { blob: 'x'.repeat(200_000) }));
    for (let i = 0; i < 100 && srv.server.hub.size > before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(srv.server.hub.size, before, 'the hub no longer holds them');
    // The server closed the connections: a client that reads again finds its stream ended.
    for (const s of sockets) s.on('error', () => {}).resume();
    await Promise.all(sockets.map(closed));
    assert.equal((await as('admin', 'GET', '/healthz')).status, 200);
    for (let i = 0; i < 40; i++) await must('admin', 'DELETE', `${G}/projects/big-${i}`);
  });

  test('uploads: anonymous bodies are small (413), unauthenticated ones are refused before they are read', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 - 1024, 'a');
    const anon = await as('anon', 'POST', `${G}/projects`, big);
    assert.equal(anon.status, 413);
    const wrong = await as('anon', 'POST', `${G}/projects`, big, 'application/json');
    assert.equal(wrong.status, 413);
    const badPassword = await fetch(`${srv.url}${G}/projects`, {
      method: 'POST',
      headers: { ...basic('u1', 'nope'), 'content-type': 'application/json' },
      body: big,
    });
    assert.equal(badPassword.status, 401);
    assert.equal(badPassword.headers.get('connection'), 'close');
    // An authenticated member's small body is read as before.
    const member = await as('u1', 'POST', `${G}/projects`, project('mine'));
    assert.equal(member.status, 403);
  });

  test('a client sending its headers slowly is cut off; a request body that never arrives times out', async () => {
    const slow = await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n`);
    const trickle = setInterval(() => slow.writable && slow.write('X-A: b\r\n'), 200);
    const started = Date.now();
    await closed(slow);
    clearInterval(trickle);
    assert.ok(Date.now() - started < 8_000, `cut after ${Date.now() - started} ms`);
    const stuck = await rawRequest(
      port,
      `POST ${G}/projects HTTP/1.1\r\nHost: x\r\nAuthorization: ${CREDS.admin.authorization}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    stuck.resume();
    await closed(stuck);
  });

  test('afterwards the server answers, writes and streams as ever', async () => {
    assert.equal((await as('admin', 'GET', '/healthz')).status, 200);
    const rv = (await must('admin', 'GET', `${G}/projects`)).body.metadata.resourceVersion;
    const ctl = new AbortController();
    const w = await fetch(`${srv.url}${G}/projects?watch=true&resourceVersion=${rv}`, {
      headers: CREDS.admin,
      signal: ctl.signal,
    });
    await must('admin', 'POST', `${G}/projects`, project('after'));
    const reader = w.body!.getReader();
    let text = '';
    while (!text.includes('"after"')) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
  });
});
