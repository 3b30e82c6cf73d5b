// Bad input gets the right Status code, names the field and the rule, and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';

describe('bad input', () => {
  let srv: InProcessServer;
  let revisionBefore: number;
  before(async () => {
    srv = await startInProcessServer({ maxBodyBytes: 64 * 1024 });
    revisionBefore = await srv.store.currentRevision();
  });
  after(() => srv.stop());

  const cases: {
    name: string;
    method?: string;
    path?: string;
    body: unknown;
    contentType?: string;
    code: number;
    reason: string;
    fields?: string[];
    message?: RegExp;
  }[] = [
    {
      name: 'malformed JSON',
      body: '{"apiVersion": "hil.io/v1alpha1", "kind": ',
      code: 400,
      reason: 'BadRequest',
      message: /could not be decoded/,
    },
    { name: 'empty body', body: '', code: 400, reason: 'BadRequest' },
    { name: 'a JSON array instead of an object', body: '[1,2]', code: 400, reason: 'BadRequest' },
    {
      name: 'malformed YAML in an apply',
      method: 'PATCH',
      path: `${G}/networks/yaml-1?fieldManager=t`,
      body: 'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: yaml-1\nspec: [',
      contentType: 'application/apply-patch+yaml',
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'wrong types',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'n1' },
        spec: { owner: 7, public: 'yes', vlan: 'ten' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.owner', 'spec.public', 'spec.vlan'],
    },
    {
      name: 'VLAN out of range',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'n1' },
        spec: { owner: '', vlan: 5000 },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.vlan'],
      message: /4094/,
    },
    {
      name: 'unknown fields under Strict',
      path: `${G}/networks?fieldValidation=Strict`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'n1', colour: 'red' },
        spec: { owner: '', vlanId: 7 },
      },
      code: 400,
      reason: 'BadRequest',
      fields: ['metadata.colour', 'spec.vlanId'],
      message: /unknown field "spec.vlanId"/,
    },
    {
      name: 'an interface name with a shell metacharacter',
      path: `${G}/ports`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Port',
        metadata: { name: 'p1' },
        spec: { switch: 'sw1', interface: 'gi1/0/1; reload' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.interface'],
    },
    {
      name: 'a newline in an interface name',
      path: `${G}/ports`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Port',
        metadata: { name: 'p1' },
        spec: { switch: 'sw1', interface: 'gi1/0/1\nreload' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.interface'],
    },
    {
      name: 'a missing required field',
      path: `${G}/networkattachments`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name: 'a1' },
        spec: { node: 'n1', nic: 'eth0' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.network'],
      message: /Required value/,
    },
    {
      name: 'an enum value not in the list',
      path: `${G}/networkattachments`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name: 'a1' },
        spec: { node: 'n1', nic: 'eth0', network: 'x', channel: 'vlan/100' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.channel'],
      message: /supported values/,
    },
    {
      name: 'a duplicate NIC name in a list keyed by name',
      path: `${G}/nodes`,
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Node',
        metadata: { name: 'dup' },
        spec: {
          obm: { type: 'mock', host: 'b' },
          nics: [
            { name: 'eth0', port: 'p1' },
            { name: 'eth0', port: 'p2' },
          ],
        },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['spec.nics[1]'],
      message: /Duplicate value/,
    },
    {
      name: 'an invalid name (uppercase, underscore)',
      body: { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'My_Net' }, spec: { owner: '' } },
      code: 422,
      reason: 'Invalid',
      fields: ['metadata.name'],
      message: /RFC 1123/,
    },
    {
      name: 'a name that is too long',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'a'.repeat(254) },
        spec: { owner: '' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['metadata.name'],
    },
    {
      name: 'no name at all',
      body: { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: {}, spec: { owner: '' } },
      code: 422,
      reason: 'Invalid',
      fields: ['metadata.name'],
    },
    {
      name: 'an invalid label value',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'n1', labels: { rack: 'not ok!' } },
        spec: { owner: '' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['metadata.labels'],
    },
    {
      name: 'a kind that does not match the endpoint',
      body: { apiVersion: 'hil.io/v1alpha1', kind: 'Node', metadata: { name: 'n1' }, spec: {} },
      code: 400,
      reason: 'BadRequest',
      message: /does not match the endpoint/,
    },
    {
      name: 'a resourceVersion on create',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'n1', resourceVersion: '5' },
        spec: { owner: '' },
      },
      code: 422,
      reason: 'Invalid',
      fields: ['metadata.resourceVersion'],
    },
    {
      name: 'an unsupported content type',
      body: 'name=n1',
      contentType: 'application/x-www-form-urlencoded',
      code: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      name: 'an oversize body',
      body: {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'big', annotations: { a: 'x'.repeat(100 * 1024) } },
        spec: { owner: '' },
      },
      code: 413,
      reason: 'RequestEntityTooLarge',
    },
    {
      name: 'a bad fieldValidation value',
      path: `${G}/networks?fieldValidation=Loose`,
      body: { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'n1' }, spec: {} },
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'a bad dryRun value',
      path: `${G}/networks?dryRun=Some`,
      body: { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'n1' }, spec: {} },
      code: 400,
      reason: 'BadRequest',
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.code} ${c.reason}`, async () => {
      const r = await api(srv.url, c.method ?? 'POST', c.path ?? `${G}/networks`, c.body, c.contentType);
      assert.equal(r.status, c.code, JSON.stringify(r.body));
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.status, 'Failure');
      assert.equal(r.body.code, c.code);
      assert.equal(r.body.reason, c.reason);
      if (c.message) assert.match(r.body.message, c.message);
      if (c.fields) {
        const named = (r.body.details?.causes ?? []).map((x: any) => x.field);
        for (const f of c.fields) assert.ok(named.includes(f), `cause for ${f} in ${JSON.stringify(r.body.details)}`);
      }
    });
  }

  test('none of the bad requests wrote anything', async () => {
    assert.equal(await srv.store.currentRevision(), revisionBefore);
  });

  test('unknown fields under the default (Warn) are dropped with a Warning header; Ignore drops silently', async () => {
    const body = {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'warned' },
      spec: { owner: '', vlanId: 7 },
    };
    const r = await api(srv.url, 'POST', `${G}/networks`, body);
    assert.equal(r.status, 201);
    assert.equal(r.body.spec.vlanId, undefined);
    assert.match(r.headers.get('warning') ?? '', /299 - "unknown field \\"spec.vlanId\\""/);
    const i = await api(srv.url, 'POST', `${G}/networks?fieldValidation=Ignore`, {
      ...body,
      metadata: { name: 'ignored' },
    });
    assert.equal(i.status, 201);
    assert.equal(i.headers.get('warning'), null);
  });

  test('an invalid update is 422 and leaves the stored object as it was', async () => {
    const cur = (await api(srv.url, 'GET', `${G}/networks/warned`)).body;
    const r = await api(
      srv.url,
      'PATCH',
      `${G}/networks/warned`,
      { spec: { vlan: 0 } },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 422);
    const after = (await api(srv.url, 'GET', `${G}/networks/warned`)).body;
    assert.deepEqual(after, cur);
  });

  test('a PUT whose name differs from the URL is 400', async () => {
    const cur = (await api(srv.url, 'GET', `${G}/networks/warned`)).body;
    const r = await api(srv.url, 'PUT', `${G}/networks/warned`, {
      ...cur,
      metadata: { ...cur.metadata, name: 'other' },
    });
    assert.equal(r.status, 400);
  });
  test("a request node's HTTP parser refuses (a 20 KB URL, a broken request line) is answered with a Status", async () => {
    const long = await api(srv.url, 'GET', `${G}/networks?continue=${'x'.repeat(20_000)}`);
    assert.equal(long.status, 431);
    assert.equal(long.body.kind, 'Status');
    assert.equal(long.body.code, 431);
    const net = await import('node:net');
    const rawCall = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(new URL(srv.url).port), '127.0.0.1', () => sock.write(request));
        let out = '';
        sock.on('data', (d: Buffer) => (out += d.toString()));
        sock.on('end', () => resolve(out));
        sock.on('error', reject);
      });
    const raw = await rawCall('GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 400 /);
    const status = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'BadRequest');
    // HEAD: the same answer without a body (one would break the client's reading of the connection).
    const head = await rawCall(`HEAD ${G}/networks?continue=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(head, /^HTTP\/1\.1 431 /);
    assert.ok(head.endsWith('\r\n\r\n'), head);
  });
  test('a body that says Content-Encoding: gzip but is not gzip is a 400, not a 500; a real gzip body is read', async () => {
    const r = await api(srv.url, 'POST', `${G}/networks`, '{"not":"gzip"}', 'application/json', {
      'content-encoding': 'gzip',
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.kind, 'Status');
    const odd = await api(srv.url, 'POST', `${G}/networks`, '{}', 'application/json', { 'content-encoding': 'br0tli' });
    assert.equal(odd.status, 415, JSON.stringify(odd.body));
    assert.equal(odd.body.kind, 'Status');
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(
      JSON.stringify({
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'gzipped' },
        spec: { owner: '' },
      }),
    );
    const ok = await api(srv.url, 'POST', `${G}/networks`, body, 'application/json', { 'content-encoding': 'gzip' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
  test('a metadata.name or generateName that is not a string (even {"toString": "x"}) is a 422 or 400, not a 500', async () => {
    const net = (metadata: unknown) => ({
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata,
      spec: { owner: '' },
    });
    for (const metadata of [
      { name: { toString: 'x' } },
      { generateName: { toString: 'x' } },
      { name: { valueOf: 1, toString: [] } },
    ]) {
      const r = await api(srv.url, 'POST', `${G}/networks`, net(metadata));
      assert.equal(r.status, 422, `${JSON.stringify(metadata)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.kind, 'Status');
    }
    const put = await api(srv.url, 'PUT', `${G}/networks/gzipped`, net({ name: { toString: 'x' } }));
    assert.equal(put.status, 400, JSON.stringify(put.body));
    const apply = await api(
      srv.url,
      'PATCH',
      `${G}/networks/gzipped?fieldManager=t`,
      '{"apiVersion":"hil.io/v1alpha1","kind":"Network","metadata":{"name":{"toString":"x"}}}',
      'application/apply-patch+yaml',
    );
    assert.equal(apply.status, 400, JSON.stringify(apply.body));
  });
});
