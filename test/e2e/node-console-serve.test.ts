// `hil-admin serve` as deployed (a child process) serves nodes/NAME/console through the OBM console hub it wires in:
// a node on ipmi_sim, its serial output read through real ipmitool SOL, streamed with follow; the SOL session ends
// when the reader leaves; a node whose Secret is missing is a clear 503, not a stream.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { H, sleep, until } from '../support/controllers.js';
import { startIpmiSims, type IpmiSims } from '../support/ipmi-sim.js';
import { api, startChildServer, type ChildServer } from '../support/server.js';

let srv: ChildServer;
let sims: IpmiSims;

before(async () => {
  [sims, srv] = await Promise.all([
    startIpmiSims(1, { prefix: 'serve' }),
    startChildServer({ extraArgs: ['--auth', 'null'] }),
  ]);
  const b = sims.bmcs[0];
  const post = async (path: string, body: object) => assert.ok((await api(srv.url, 'POST', path, body)).status < 300);
  await post('/api/v1/namespaces/hil-system/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bmc' },
    stringData: { username: b.username, password: b.password },
  });
  await post(`${H}/nodes`, {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Node',
    metadata: { name: 'n1' },
    spec: { obm: { type: 'ipmi', host: b.host, port: b.port, credentialsSecretRef: { name: 'bmc' } } },
  });
  await post(`${H}/nodes`, {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Node',
    metadata: { name: 'n2' },
    spec: { obm: { type: 'ipmi', host: b.host, port: b.port, credentialsSecretRef: { name: 'missing' } } },
  });
});
after(async () => {
  await srv?.stop();
  await sims?.stop();
});

test('hil-admin serve streams a node console from ipmi_sim SOL, and stops the session when the reader leaves', async () => {
  const b = sims.bmcs[0];
  let text = '';
  let status = 0;
  let contentType = '';
  const req = http.get(`${srv.url}${H}/nodes/n1/console?follow=true`, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type']);
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
  });
  req.on('error', () => {});
  await until(async () => status === 200, 'headers at once');
  assert.match(contentType, /^text\/plain/);
  await until(
    async () => {
      b.serial('kernel: hello from n1\r\n');
      await sleep(200);
      return text.includes('hello from n1');
    },
    'console output through SOL',
    15_000,
  );
  assert.ok(!text.includes(b.password));
  req.destroy();
  const solProcesses = () =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('sol activate') && l.includes(`-p ${b.port} `)).length;
  await until(async () => solProcesses() === 0, 'the SOL session to end');
  const missing = await api(srv.url, 'GET', `${H}/nodes/n2/console?follow=true`);
  assert.equal(missing.status, 503);
  assert.match(missing.body.message, /hil-system\/missing/);
  assert.equal((await api(srv.url, 'POST', `${H}/nodes/n1/console`, {})).status, 405);
});
