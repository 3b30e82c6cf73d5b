// Property-based fuzzing of the API server (issue 12): random bodies, patches of all four types, selectors, query
// strings, names and headers, sent as an administrator, as a project member (u1 ∈ p1) and anonymously, against an
// in-process server with database auth and optional authentication. Properties, checked after every request:
//   1. never a 5xx (a 504 for a resourceVersion from the future and a 429 from the limits are by design), and every
//      error is a Kubernetes Status;
//   2. never a partial write: a request that failed leaves the store's revision where it was;
//   3. nothing of another project reaches u1 or an anonymous caller: project p2's objects carry marker strings that
//      no generator produces, and no answer (nor u1's long-running watch) may contain one;
//   4. the server stays healthy: /healthz answers and watches opened before the fuzzing still stream after it.
// CI runs a fixed seed and a modest number of runs; `npm run fuzz` (HIL_FUZZ_RUNS=2000) is the long run by hand,
// HIL_FUZZ_SEED replays a failure (fast-check prints the seed and the shrunk counterexample).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';

const SEED = Number(process.env.HIL_FUZZ_SEED ?? 20_120_612);
const RUNS = Number(process.env.HIL_FUZZ_RUNS ?? 100);

const G = '/apis/hil.io/v1alpha1';
type Caller = 'admin' | 'u1' | 'anon';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const AUTH: Record<Caller | 'u2', string | undefined> = {
  admin: basic('root', 'root-password'),
  u1: basic('u1', 'u1-password'),
  u2: basic('zqmark-user', 'u2-password'),
  anon: undefined,
};

// ---- the fixture ---------------------------------------------------------------------------------------------

/** p2's strings. Names may appear in a request (a caller may guess a name); the rest no generator ever produces. */
const P2_NAMES = ['zqmark-proj', 'zqmark-user', 'zqmark-node', 'zqmark-net', 'zqmark-att', 'zqmark-hn', 'zqmark-ev'];
const P2_SECRETS = [
  'zqmarkbmc',
  'zqmarklabel',
  'zqmarkannotation',
  'zqmarkmeta',
  'zqmarkimage',
  'zqmarkdesc',
  'zqmarkmessage',
];
const MARKERS = [...P2_NAMES, ...P2_SECRETS];
/** Objects the fixture needs as they are: administrators' fuzzed writes never name them. */
const FIXTURE_NAMES = [
  'root',
  'u1',
  'p1',
  'sw1',
  'n1',
  'free1',
  'free2',
  'net1',
  'pub',
  'a1',
  'hn1',
  'default',
  'hil-system',
  ...P2_NAMES,
];

const obj = (apiVersion: string, kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown>) => ({
  apiVersion,
  kind,
  metadata,
  ...rest,
});
const hil = (kind: string, name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  obj('hil.io/v1alpha1', kind, { name, ...meta }, { spec });

const RESOURCES: { path: string; kind: string; apiVersion: string }[] = [
  { path: `${G}/projects`, kind: 'Project', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/users`, kind: 'User', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/nodes`, kind: 'Node', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/networks`, kind: 'Network', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/networkattachments`, kind: 'NetworkAttachment', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/headnodes`, kind: 'Headnode', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/switches`, kind: 'Switch', apiVersion: 'hil.io/v1alpha1' },
  { path: `${G}/ports`, kind: 'Port', apiVersion: 'hil.io/v1alpha1' },
  { path: '/api/v1/namespaces/hil-system/secrets', kind: 'Secret', apiVersion: 'v1' },
  { path: '/api/v1/namespaces/default/events', kind: 'Event', apiVersion: 'v1' },
  {
    path: '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases',
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
  },
  { path: '/api/v1/namespaces', kind: 'Namespace', apiVersion: 'v1' },
];
const ODD_COLLECTIONS = [
  `${G}/nodes/n1/status`,
  '/api/v1/secrets',
  '/api/v1/events',
  '/apis/hil.io/v2/nodes',
  '/api/v1/namespaces/nowhere/secrets',
  '/api/v1/namespaces/default/nodes',
  '/apis/hil.io',
  '/apis/hil.io/v1alpha1',
  '/api/v1',
  '/openapi/v3',
  '/version',
  '/metrics',
  '/healthz',
  '/nowhere',
];

// ---- JSON with keys JavaScript treats specially ---------------------------------------------------------------

/** A JSON value whose objects are lists of entries (so "__proto__" is a key like any other) and numbers raw text. */
type J = null | boolean | string | Num | J[] | Obj;
class Num {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: [string, J][]) {}
}
function text(v: J): string {
  if (v instanceof Num) return v.text;
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${text(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(text).join(',')}]`;
  return JSON.stringify(v);
}
const o = (rec: Record<string, J>) => new Obj(Object.entries(rec));

const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'length',
  '',
];
const FIELD_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'status',
  'name',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'uid',
  'resourceVersion',
  'generation',
  'deletionTimestamp',
  'ownerReferences',
  'managedFields',
  'generateName',
  'project',
  'power',
  'bootDevice',
  'obm',
  'type',
  'host',
  'nics',
  'port',
  'macAddress',
  'owner',
  'accessProjects',
  'public',
  'vlan',
  'node',
  'nic',
  'network',
  'channel',
  'baseImage',
  'hnics',
  'running',
  'admin',
  'projects',
  'switch',
  'interface',
  'address',
  'vlanRange',
  'data',
  'stringData',
  'description',
  'conditions',
  'phase',
  '$patch',
  '$retainKeys',
  '$setElementOrder/nics',
  '$deleteFromPrimitiveList/finalizers',
  'hil.io/project',
  'hil.io/power-cycle',
  'involvedObject',
  'holderIdentity',
  'leaseDurationSeconds',
  'password',
];
const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '4094',
  '4095',
  '1008',
  '1e400',
  '-1e400',
  '1e308',
  '9007199254740993',
  '123456789012345678901234567890',
  '0.5',
  '1E2',
  '-1.5e-300',
];

/** Strings a caller might send. `names` are the object names the caller may use (never p2's secrets). */
function strings(names: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 80,
      arbitrary: fc.constantFrom(
        ...names,
        'On',
        'Off',
        'pxe',
        'disk',
        'mock',
        'ipmi',
        'native',
        'tagged',
        'All',
        'true',
        '',
        ' ',
      ),
    },
    { weight: 20, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 10, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    {
      weight: 10,
      arbitrary: fc.constantFrom('\u0000', '\ud800', 'a\nb', '../..', '%2F', 'UPPER', 'a'.repeat(64), 'b'.repeat(254)),
    },
    { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
  );
}

function json(names: string[]): fc.Arbitrary<J> {
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FIELD_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
    { weight: 1, arbitrary: strings(names) },
  );
  const leaf: fc.Arbitrary<J> = fc.oneof(
    { weight: 40, arbitrary: strings(names) },
    { weight: 20, arbitrary: fc.constantFrom(...NUMBERS).map((t) => new Num(t)) },
    { weight: 10, arbitrary: fc.integer().map((n) => new Num(String(n))) },
    { weight: 10, arbitrary: fc.constantFrom<J>(null, true, false) },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 2_000 }).map((d) => new Num('['.repeat(d) + ']'.repeat(d))) },
  );
  const { tree } = fc.letrec<{ tree: J; arr: J; obj: J }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('tree'), { maxLength: 4 }),
    obj: fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((e) => new Obj(e)),
  }));
  return tree;
}

/** An object for a kind, mostly well-formed, with fuzzed fields mixed in: it gets past decoding into admission. */
function objectBody(names: string[], only?: (typeof RESOURCES)[number]): fc.Arbitrary<J> {
  const s = strings(names);
  const any = json(names);
  const maybe = (a: fc.Arbitrary<J>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: any });
  const dict = fc
    .array(fc.tuple(fc.oneof(s, fc.constantFrom('hil.io/project', 'hil.io/power-cycle', 'x/y/z', 'a.b/c')), maybe(s)), {
      maxLength: 3,
    })
    .map((e) => new Obj(e));
  const specFields: Record<string, fc.Arbitrary<J>> = {
    project: maybe(s),
    power: maybe(s),
    bootDevice: maybe(s),
    description: maybe(s),
    owner: maybe(s),
    node: maybe(s),
    nic: maybe(s),
    network: maybe(s),
    channel: maybe(s),
    baseImage: maybe(s),
    switch: maybe(s),
    interface: maybe(s),
    address: maybe(s),
    type: maybe(s),
    running: maybe(fc.boolean()),
    public: maybe(fc.boolean()),
    admin: maybe(fc.boolean()),
    vlan: maybe(fc.constantFrom(...NUMBERS).map((t) => new Num(t))),
    projects: maybe(fc.array(s, { maxLength: 3 })),
    accessProjects: maybe(fc.array(s, { maxLength: 3 })),
    obm: maybe(fc.record({ type: maybe(s), host: maybe(s) }).map(o)),
    nics: maybe(fc.array(fc.record({ name: maybe(s), port: maybe(s), macAddress: maybe(s) }).map(o), { maxLength: 3 })),
    hnics: maybe(fc.array(fc.record({ name: maybe(s), network: maybe(s) }).map(o), { maxLength: 3 })),
    metadata: maybe(dict),
  };
  const spec = fc
    .tuple(
      fc.subarray(Object.keys(specFields), { maxLength: 5 }),
      fc.array(fc.tuple(fc.constantFrom(...SPECIAL_KEYS), any), { maxLength: 1 }),
    )
    .chain(([keys, extra]) =>
      fc
        .tuple(...keys.map((k) => specFields[k]))
        .map((vals) => new Obj([...keys.map((k, i) => [k, vals[i]!] as [string, J]), ...extra])),
    );
  const metadata = fc
    .record(
      {
        name: maybe(s),
        labels: maybe(dict),
        annotations: maybe(dict),
        finalizers: maybe(fc.array(s, { maxLength: 2 })),
        resourceVersion: maybe(s),
        uid: maybe(s),
        generateName: maybe(s),
        namespace: maybe(s),
      },
      { requiredKeys: ['name'] },
    )
    .map((r) => o(r as Record<string, J>));
  const r = only ? fc.constant(only) : fc.constantFrom(...RESOURCES);
  return fc
    .record({
      r,
      metadata,
      spec,
      extra: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS, 'status', 'data', 'stringData', 'items')), any),
        { maxLength: 2 },
      ),
      drop: fc.subarray(['apiVersion', 'kind']),
    })
    .map(({ r, metadata, spec, extra, drop }) => {
      const e: [string, J][] = [
        ['apiVersion', r.apiVersion],
        ['kind', r.kind],
        ['metadata', metadata],
        ['spec', spec],
        ...extra,
      ];
      return new Obj(e.filter(([k]) => !drop.includes(k)));
    });
}

/** A well-formed object of a kind (what a real client sends), with at most one field replaced by fuzz. */
function validBody(names: string[], projects: string[], only?: (typeof RESOURCES)[number]): fc.Arbitrary<J> {
  const name = fc.oneof(fc.constantFrom(...names), fc.stringMatching(/^fz-[a-z0-9]{1,6}$/));
  const project = fc.constantFrom(...projects);
  const port = fc.constantFrom('port-1', 'port-5', 'port-6');
  const specs: Record<string, fc.Arbitrary<Record<string, J>>> = {
    Project: fc.record({ description: fc.string({ maxLength: 10 }) }),
    User: fc.record({ admin: fc.boolean(), projects: fc.array(project, { maxLength: 2 }) }),
    Node: fc.record(
      {
        project: fc.oneof(project, fc.constant('')),
        obm: fc.constant(o({ type: 'mock', host: 'bmc-x' })),
        nics: fc.array(
          port.map((p) => o({ name: 'eth0', port: p })),
          { maxLength: 1 },
        ),
        power: fc.constantFrom('On', 'Off'),
      },
      { requiredKeys: ['project', 'obm'] },
    ),
    Network: fc.record(
      {
        owner: fc.oneof(project, fc.constant('')),
        public: fc.boolean(),
        accessProjects: fc.array(project, { maxLength: 2 }),
        vlan: fc.integer({ min: 1000, max: 1010 }).map((n) => new Num(String(n))),
      },
      { requiredKeys: ['owner'] },
    ),
    NetworkAttachment: fc.record({
      node: fc.constantFrom('n1', 'free1', 'fz-a'),
      nic: fc.constant('eth0'),
      network: fc.constantFrom('net1', 'pub', 'fz-a'),
      channel: fc.constantFrom('native', 'tagged'),
    }),
    Headnode: fc.record({
      project,
      baseImage: fc.constant('img'),
      hnics: fc.array(
        fc.constantFrom('net1', 'pub').map((n) => o({ name: 'h0', network: n })),
        { maxLength: 1 },
      ),
      running: fc.boolean(),
    }),
    Switch: fc.record({ type: fc.constant('mock'), address: fc.constant('mock://x') }),
    Port: fc.record({ switch: fc.constant('sw1'), interface: fc.stringMatching(/^gi2\/0\/[0-9]{1,2}$/) }),
  };
  return fc
    .record({
      r: only && specs[only.kind] ? fc.constant(only) : fc.constantFrom(...RESOURCES.filter((r) => specs[r.kind])),
      name,
      labels: fc.dictionary(fc.constantFrom('fz', 'a', 'x/y'), fc.constantFrom('yes', 'b', ''), { maxKeys: 2 }),
      fuzz: fc.option(
        fc.tuple(
          fc.constantFrom('spec', 'metadata', 'status'),
          fc.constantFrom(...FIELD_KEYS, ...SPECIAL_KEYS),
          json(names),
        ),
        { freq: 2 },
      ),
    })
    .chain(({ r, name, labels, fuzz }) =>
      specs[r.kind].map((spec) => {
        const parts: Record<string, [string, J][]> = {
          metadata: [
            ['name', name],
            ['labels', o(labels)],
          ],
          spec: Object.entries(spec),
          status: [],
        };
        if (fuzz) parts[fuzz[0]].push([fuzz[1], fuzz[2]]);
        const e: [string, J][] = [
          ['apiVersion', r.apiVersion],
          ['kind', r.kind],
          ['metadata', new Obj(parts.metadata)],
          ['spec', new Obj(parts.spec)],
        ];
        if (parts.status.length) e.push(['status', new Obj(parts.status)]);
        return new Obj(e);
      }),
    );
}

// ---- requests --------------------------------------------------------------------------------------------------

interface Req {
  caller: Caller;
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}
interface Res {
  status: number;
  text: string;
  contentType: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One request over node:http (garbage header values and raw paths reach the server as sent). */
function send(base: string, req: Req, streamMs = 150): Promise<Res | undefined> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    const auth = AUTH[req.caller];
    if (auth && headers.authorization === undefined) headers.authorization = auth;
    if (headers.authorization === '') delete headers.authorization;
    // Without a length node sends a GET or DELETE body unframed, and the server reads it as the next request.
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    let r: http.ClientRequest;
    try {
      r = http.request(`${base}${req.path}`, { method: req.method, headers, agent });
    } catch {
      resolve(undefined); // node refuses to send it (a path or header it cannot put on the wire)
      return;
    }
    const watchLike = /[?&]watch(=|&|$)/i.test(req.path) || /[?&]watch%/i.test(req.path);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      const finish = () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          contentType: String(res.headers['content-type'] ?? ''),
        });
      res.on('data', (c) => chunks.push(c));
      res.on('end', finish);
      res.on('error', () => {}); // aborted by us
      const timer = setTimeout(
        () => {
          finish();
          res.destroy();
          r.destroy();
        },
        watchLike ? streamMs : 15_000,
      );
      res.on('close', () => clearTimeout(timer));
    });
    r.on('error', (err: any) => {
      if (/Invalid character|ERR_INVALID|unescaped/i.test(`${err.code} ${err.message}`)) resolve(undefined);
      else reject(err);
    });
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

// ---- the suite -------------------------------------------------------------------------------------------------

describe(
  'fuzzing the API server (properties: no 5xx, no partial write, no leak, stays healthy)',
  { timeout: 600_000 + RUNS * 1_000 },
  () => {
    let srv: InProcessServer;
    const { must } = callers<Caller | 'u2'>(
      () => srv.url,
      (c): Record<string, string> => (AUTH[c] ? { authorization: AUTH[c] } : {}),
    );
    /** Markers a caller itself put into an object that was then written (it knows them, so they are no leak). */
    const known = new Set<string>();
    let p2Snapshot = '';
    let basicFailures = 0;
    /** Answers per caller and status, printed at the end: a fuzzer that only ever hears 400 tests little. */
    const stats = new Map<string, number>();
    const startWatches: { events: any[]; text: () => string; close: () => void }[] = [];

    const p2State = async () => {
      const parts: string[] = [];
      for (const r of RESOURCES) {
        const { items } = await srv.store.list(storeKeyOf(r.path));
        for (const i of items)
          if (MARKERS.some((m) => JSON.stringify(i.object).includes(m)))
            parts.push(`${r.kind}/${i.name}@${i.revision}`);
      }
      return parts.sort().join(' ');
    };

    before(async () => {
      srv = await startInProcessServer({ auth: 'database', requireAuthentication: false, watchTimeoutMs: 3_600_000 });
      await createAdminUser(srv.store, 'root', 'root-password');
      for (const p of ['p1', 'zqmark-proj'])
        await must(
          'admin',
          'POST',
          `${G}/projects`,
          hil('Project', p, { description: p === 'p1' ? 'one' : 'zqmarkdesc' }),
        );
      for (const [u, p, pw] of [
        ['u1', 'p1', 'u1-password'],
        ['zqmark-user', 'zqmark-proj', 'u2-password'],
      ] as const) {
        await must('admin', 'POST', `${G}/users`, hil('User', u, { projects: [p] }));
        await must('admin', 'PUT', `${G}/users/${u}/password`, { password: pw });
      }
      await must('admin', 'POST', `${G}/switches`, hil('Switch', 'sw1', { type: 'mock', address: 'mock://sw1' }));
      for (let i = 1; i <= 6; i++)
        await must('admin', 'POST', `${G}/ports`, hil('Port', `port-${i}`, { switch: 'sw1', interface: `gi1/0/${i}` }));
      const node = (
        name: string,
        project: string,
        port: string,
        extra: Record<string, unknown> = {},
        meta: Record<string, unknown> = {},
      ) =>
        hil(
          'Node',
          name,
          { project, obm: { type: 'mock', host: `bmc-${name}` }, nics: [{ name: 'eth0', port }], ...extra },
          meta,
        );
      await must('admin', 'POST', `${G}/nodes`, node('n1', 'p1', 'port-1'));
      await must(
        'admin',
        'POST',
        `${G}/nodes`,
        hil(
          'Node',
          'zqmark-node',
          {
            project: 'zqmark-proj',
            obm: { type: 'mock', host: 'zqmarkbmc' },
            nics: [{ name: 'eth0', port: 'port-2' }],
            metadata: { rack: 'zqmarkmeta' },
          },
          {
            labels: { team: 'zqmarklabel' },
            annotations: { note: 'zqmarkannotation' },
          },
        ),
      );
      await must('admin', 'POST', `${G}/nodes`, node('free1', '', 'port-3'));
      await must('admin', 'POST', `${G}/nodes`, node('free2', '', 'port-4'));
      await must('admin', 'POST', `${G}/networks`, hil('Network', 'net1', { owner: 'p1' }));
      await must('admin', 'POST', `${G}/networks`, hil('Network', 'pub', { owner: '', public: true }));
      await must(
        'admin',
        'POST',
        `${G}/networks`,
        hil('Network', 'zqmark-net', { owner: 'zqmark-proj' }, { labels: { team: 'zqmarklabel' } }),
      );
      await must(
        'admin',
        'POST',
        `${G}/networkattachments`,
        hil('NetworkAttachment', 'a1', { node: 'n1', nic: 'eth0', network: 'net1' }),
      );
      await must(
        'admin',
        'POST',
        `${G}/networkattachments`,
        hil(
          'NetworkAttachment',
          'zqmark-att',
          { node: 'zqmark-node', nic: 'eth0', network: 'zqmark-net' },
          { annotations: { note: 'zqmarkannotation' } },
        ),
      );
      await must(
        'admin',
        'POST',
        `${G}/headnodes`,
        hil('Headnode', 'hn1', { project: 'p1', baseImage: 'img', hnics: [{ name: 'h0', network: 'net1' }] }),
      );
      await must(
        'admin',
        'POST',
        `${G}/headnodes`,
        hil('Headnode', 'zqmark-hn', {
          project: 'zqmark-proj',
          baseImage: 'zqmarkimage',
          hnics: [{ name: 'h0', network: 'zqmark-net' }],
        }),
      );
      await must('admin', 'POST', '/api/v1/namespaces/default/events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'zqmark-ev', labels: { 'hil.io/project': 'zqmark-proj' } },
        involvedObject: { apiVersion: 'hil.io/v1alpha1', kind: 'Node', name: 'zqmark-node' },
        reason: 'Test',
        message: 'zqmarkmessage',
        type: 'Normal',
      });
      // Objects administrators' fuzzed writes may change or delete.
      for (const n of ['fz-a', 'fz-b']) {
        await must('admin', 'POST', `${G}/projects`, hil('Project', n, {}, { labels: { fz: 'yes' } }));
        await must(
          'admin',
          'POST',
          `${G}/nodes`,
          hil('Node', n, { project: '', obm: { type: 'mock', host: `bmc-${n}` }, nics: [] }, { labels: { fz: 'yes' } }),
        );
        await must('admin', 'POST', `${G}/networks`, hil('Network', n, { owner: 'p1' }, { labels: { fz: 'yes' } }));
        await must('admin', 'POST', '/api/v1/namespaces/hil-system/secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: n, labels: { fz: 'yes' } },
          stringData: { a: 'b' },
        });
      }
      await must('admin', 'POST', `${G}/users`, hil('User', 'fz-a', { projects: ['p1'] }, { labels: { fz: 'yes' } }));
      p2Snapshot = await p2State();
      // Watches opened before the fuzzing (property 4); u1's also must never show p2 (property 3).
      startWatches.push(await openWatch(srv.url, `${G}/projects?watch=true`, AUTH.admin!));
      startWatches.push(await openWatch(srv.url, `${G}/networks?watch=true`, AUTH.u1!));
      startWatches.push(await openWatch(srv.url, `${G}/nodes?watch=true`, AUTH.u1!));
    });

    after(async () => {
      for (const w of startWatches) w.close();
      agent.destroy();
      await srv.stop();
    });

    /** Properties 1–3 for one request. */
    async function check(req: Req): Promise<void> {
      // A failed Basic login counts against the caller's address: keep them few, so the others are not throttled.
      const auth = req.headers.authorization;
      if (auth !== undefined && /^basic/i.test(auth.trim()) && ++basicFailures > 10)
        req = { ...req, headers: { ...req.headers, authorization: 'Bearer not-a-token' } };
      const revBefore = await srv.store.currentRevision();
      const res = await send(srv.url, req);
      if (!res) return; // not sendable
      stats.set(`${req.caller} ${res.status}`, (stats.get(`${req.caller} ${res.status}`) ?? 0) + 1);
      if (process.env.HIL_FUZZ_DEBUG)
        console.log(`${req.caller} ${req.method} ${req.path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 160)}`);
      const where = `${req.caller} ${req.method} ${req.path.slice(0, 300)} [${JSON.stringify(req.headers).slice(0, 200)}] body ${(req.body ?? '').slice(0, 300)}\n→ ${res.status} ${res.text.slice(0, 600)}`;
      const allowed5xx = res.status === 504 || (res.status === 503 && /\/console(\?|$)/.test(req.path));
      assert.ok(res.status < 500 || allowed5xx, `5xx: ${where}`);
      assert.ok(res.status >= 200, where);
      if (res.status >= 400 && req.method !== 'HEAD') {
        let status: any;
        assert.doesNotThrow(() => (status = JSON.parse(res.text)), `error body is not JSON: ${where}`);
        assert.equal(status?.kind, 'Status', `error body is not a Status: ${where}`);
        assert.equal(status.code, res.status, `Status code differs from the HTTP status: ${where}`);
        const revAfter = await srv.store.currentRevision();
        assert.equal(revAfter, revBefore, `a failed request wrote to the store: ${where}`);
      }
      const requestText = `${decodeSafe(req.path)} ${req.path} ${req.body ?? ''} ${JSON.stringify(req.headers)}`;
      if (req.caller !== 'admin') {
        for (const m of MARKERS) {
          if (!known.has(m) && !requestText.includes(m))
            assert.ok(!res.text.includes(m), `leak of "${m}" to ${req.caller}: ${where}`);
        }
      }
      // A write that succeeded: whatever markers it named are the caller's own from now on.
      if (res.status < 400 && req.method !== 'GET') {
        for (const m of MARKERS) if (requestText.includes(m)) known.add(m);
        if (req.caller !== 'admin') {
          const now = await p2State();
          assert.equal(now, p2Snapshot, `${req.caller} changed p2's objects: ${where}`);
        }
      }
    }

    const callerArb = fc.constantFrom<Caller>('admin', 'u1', 'anon');
    /** Names a caller may use in paths and bodies: administrators write only their own fuzz objects. */
    const namesFor = (c: Caller) =>
      c === 'admin'
        ? ['fz-a', 'fz-b', 'fz-new', 'p1', 'port-5', 'port-6', 'sw1', 'net1', 'pub', 'hil-system']
        : [
            'p1',
            'n1',
            'free1',
            'free2',
            'net1',
            'pub',
            'a1',
            'hn1',
            'u1',
            'fz-a',
            'eth0',
            'port-1',
            'port-5',
            ...P2_NAMES,
          ];
    const projectsFor = (c: Caller) => (c === 'admin' ? ['p1', 'fz-a', 'fz-b'] : ['p1', 'zqmark-proj', 'fz-a']);
    /** Names administrators may write to (never the fixture's). */
    const writable = (c: Caller, n: string) => c !== 'admin' || !FIXTURE_NAMES.includes(n);
    const seg = (n: string) => pct(n);
    const opts = (extra: Partial<fc.Parameters<unknown>> = {}) => ({
      seed: SEED,
      numRuns: RUNS,
      includeErrorInReport: true,
      endOnFailure: process.env.HIL_FUZZ_NO_SHRINK === '1',
      ...extra,
    });

    test('1. created and replaced objects: random bodies', async () => {
      const arb = fc.tuple(callerArb, fc.constantFrom(...RESOURCES)).chain(([caller, r]) =>
        fc.record({
          caller: fc.constant(caller),
          r: fc.constant(r),
          method: fc.constantFrom('POST', 'POST', 'PUT'),
          name: fc.constantFrom(...namesFor(caller)),
          body: fc.oneof(
            { weight: 4, arbitrary: validBody(namesFor(caller), projectsFor(caller), r) },
            { weight: 3, arbitrary: objectBody(namesFor(caller), r) },
            { weight: 1, arbitrary: objectBody(namesFor(caller)) },
            { weight: 1, arbitrary: json(namesFor(caller)) },
          ),
          query: fc.constantFrom(
            '',
            '',
            '',
            '',
            '?dryRun=All',
            '?fieldManager=fz',
            '?fieldValidation=Strict',
            '?dryRun=None',
            '?fieldValidation=x',
          ),
          ct: fc.constantFrom('application/json', 'application/yaml', 'application/json; charset=utf-8'),
        }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async (a) => {
          let name = a.name;
          let body = a.body;
          // Administrators' PUTs go to their own fuzz objects; the body's name follows the path most of the time.
          if (a.method === 'PUT' && !writable(a.caller, name)) name = 'fz-a';
          if (a.caller === 'admin' && body instanceof Obj)
            body = new Obj(
              body.entries.map(([k, v]) => [k, k === 'metadata' && v instanceof Obj ? adminSafeMeta(v, name) : v]),
            );
          const path = a.method === 'PUT' ? `${a.r.path}/${seg(name)}` : a.r.path;
          await check({
            caller: a.caller,
            method: a.method,
            path: path + a.query,
            body: text(body),
            headers: { 'content-type': a.ct },
          });
        }),
        opts(),
      );
    });

    test('2. patches of all four types against existing objects', async () => {
      const ptypes = [
        'application/merge-patch+json',
        'application/json-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ];
      const pointer = (names: string[]) =>
        fc.oneof(
          fc.constantFrom(
            '/spec/project',
            '/spec/power',
            '/spec',
            '/metadata/labels/x',
            '/metadata/labels',
            '/metadata/annotations/hil.io~1power-cycle',
            '/metadata/finalizers/0',
            '/metadata/finalizers/-',
            '/spec/nics/0',
            '/spec/nics/-',
            '/spec/nics/0/port',
            '/metadata/__proto__',
            '/spec/constructor/prototype',
            '/__proto__/x',
            '',
            '/',
            '~1',
            '/~2',
            '/metadata/name',
            '/metadata/resourceVersion',
            '/status',
            '/spec/accessProjects/0',
            '/spec/owner',
            '/spec/metadata',
            '/metadata/uid',
            '/kind',
            '/apiVersion',
            '/spec/nics/99999999999',
          ),
          fc
            .array(fc.oneof(strings(names), fc.constantFrom('spec', 'metadata', '0', '-', '__proto__')), {
              maxLength: 4,
            })
            .map((p) => p.map((x) => `/${x.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')),
        );
      const arb = fc.tuple(callerArb, fc.constantFrom(...RESOURCES)).chain(([caller, r]) => {
        const names = namesFor(caller);
        const op = fc
          .record(
            {
              op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'nope', '_get'),
              path: pointer(names),
              from: pointer(names),
              value: json(names),
            },
            { requiredKeys: ['op'] },
          )
          .map((r) => o(r as Record<string, J>));
        return fc.record({
          caller: fc.constant(caller),
          r: fc.constant(r),
          name: fc.constantFrom(...names),
          ptype: fc.constantFrom(...ptypes),
          patch: fc.oneof(
            { weight: 3, arbitrary: validBody(names, projectsFor(caller), r) },
            { weight: 2, arbitrary: objectBody(names, r) },
            { weight: 2, arbitrary: fc.array(op, { maxLength: 4 }) },
            { weight: 1, arbitrary: json(names) },
          ),
          yamlGarbage: fc.oneof(
            { weight: 5, arbitrary: fc.constant(null) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                'a: &a [1]\nb: *a\n',
                '!!js/function "function(){}"\n',
                'metadata: {name: x}\nmetadata: {name: y}\n',
                'spec:\n\t- x\n',
                '<<: {metadata: {name: fz-a}}\n',
                '? [a, b]\n: c\n',
                '---\nkind: Node\n---\nkind: Project\n',
                'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata:\n  name: fz-a\n  labels: {__proto__: {x: y}}\n',
                'spec: !!binary aGVsbG8=\n',
                'a: 1e400\nb: .inf\nc: .nan\n',
              ),
            },
          ),
          query: fc.constantFrom(
            '?fieldManager=fz',
            '?fieldManager=fz',
            '?fieldManager=fz',
            '?fieldManager=fz&force=true',
            '',
            '?dryRun=All&fieldManager=fz',
            `?fieldManager=${'m'.repeat(129)}`,
            '?fieldManager=fz&force=maybe',
            '?fieldManager=%E2%9C%93',
          ),
          sub: fc.constantFrom('', '', '', '/status'),
        });
      });
      await fc.assert(
        fc.asyncProperty(arb, async (a) => {
          const name = writable(a.caller, a.name) ? a.name : 'fz-a';
          const body =
            a.ptype === 'application/apply-patch+yaml' && a.yamlGarbage !== null ? a.yamlGarbage : text(a.patch);
          await check({
            caller: a.caller,
            method: 'PATCH',
            path: `${a.r.path}/${seg(name)}${a.sub}${a.query}`,
            body,
            headers: { 'content-type': a.ptype },
          });
        }),
        opts(),
      );
    });

    test('3. lists, watches and collection deletes: label and field selectors, query strings', async () => {
      const labelSel = (names: string[]) =>
        fc
          .array(
            fc.oneof(
              fc.constantFrom(
                'a',
                'a=b',
                'a==b',
                'a!=b',
                'a in (x,y)',
                'a notin (x)',
                '!a',
                'fz=yes',
                'fz',
                'hil.io/project=p1',
                'hil.io/project!=p1',
                'team',
                'a in ()',
                '(',
                ')',
                '=',
                '!',
                'x/y/z=1',
                `${'k'.repeat(70)}=v`,
                'a=b=c',
                ' in (',
                'in',
              ),
              strings(names),
            ),
            { maxLength: 5 },
          )
          .chain((parts) => fc.constantFrom(',', ' ', ', ', '').map((j) => parts.join(j)));
      const fieldSel = (names: string[]) =>
        fc
          .array(
            fc.oneof(
              fc.constantFrom(
                'metadata.name=n1',
                'metadata.namespace=default',
                'spec.project=p1',
                'spec.project!=',
                'status.phase=Attached',
                'x=y',
                'metadata.name',
                '==',
                'spec.node==n1',
                'metadata.name!=a1',
                'spec.owner=',
                'involvedObject.name=n1',
                'metadata.labels=x',
              ),
              strings(names).map((v) => `metadata.name=${v}`),
            ),
            { maxLength: 3 },
          )
          .map((p) => p.join(','));
      const params = (names: string[]) =>
        fc.record(
          {
            labelSelector: labelSel(names),
            fieldSelector: fieldSel(names),
            resourceVersion: fc.oneof(
              {
                weight: 30,
                arbitrary: fc.constantFrom(
                  '',
                  '0',
                  '1',
                  '5',
                  '10',
                  'abc',
                  '-1',
                  '1.5',
                  ' 1',
                  '0x1',
                  'Infinity',
                  '99999999999999999999',
                  '1e1',
                  '%00',
                ),
              },
              { weight: 1, arbitrary: fc.constant('987654321') }, // from the future: 504 after a few seconds
            ),
            resourceVersionMatch: fc.constantFrom('NotOlderThan', 'Exact', 'x', ''),
            limit: fc.constantFrom('', '0', '1', '2', '-1', 'abc', '1.5', '1e309', '99999999999999999999', '1e3'),
            continue: fc.oneof(
              fc.constantFrom('', 'garbage', '%%%', 'bnVsbA', 'W10', 'e30'),
              fc
                .record({ rv: json(names), ns: json(names), name: json(names) })
                .map((t) => Buffer.from(text(o(t))).toString('base64url')),
            ),
            watch: fc.constantFrom('true', '1', 'True', 'yes', '', 'false', '0', 'TRUE'),
            allowWatchBookmarks: fc.constantFrom('true', 'x'),
            sendInitialEvents: fc.constantFrom('true', 'false', 'x'),
            timeoutSeconds: fc.constantFrom('1', '0', '-1', 'abc', '1e9', '99999999999', 'NaN', '0.001'),
            dryRun: fc.constantFrom('All', 'all', '', 'None'),
            fieldManager: fc.constantFrom('', 'fz', 'm'.repeat(129)),
            propagationPolicy: fc.constantFrom('Foreground', 'Background', 'Orphan', 'x'),
            gracePeriodSeconds: fc.constantFrom('0', '-1', 'x', '1e20'),
            includeObject: fc.constantFrom('None', 'Object', 'Metadata', 'x'),
            pretty: fc.constantFrom('true', 'x'),
            '__proto__[x]': fc.constant('1'),
            'constructor[prototype][y]': fc.constant('1'),
            'watch[]': fc.constant('true'),
          },
          { requiredKeys: [] },
        );
      const arb = callerArb.chain((caller) =>
        fc.record({
          caller: fc.constant(caller),
          r: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...RESOURCES.map((r) => r.path)) },
            { weight: 1, arbitrary: fc.constantFrom(...ODD_COLLECTIONS) },
          ),
          method: fc.constantFrom('GET', 'GET', 'GET', 'DELETE', 'HEAD'),
          params: params(namesFor(caller)),
          accept: fc.constantFrom(
            undefined,
            'application/json;as=Table;v=v1;g=meta.k8s.io',
            'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
            'application/vnd.kubernetes.protobuf',
            'application/yaml',
            'text/html',
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async (a) => {
          const params = { ...a.params };
          // Administrators delete collections of their fuzz objects only.
          if (a.method === 'DELETE' && a.caller === 'admin')
            params.labelSelector = params.labelSelector ? `fz=yes,${params.labelSelector}` : 'fz=yes';
          const q = Object.entries(params)
            .map(([k, v]) => `${k.includes('[') ? k : pct(k)}=${pct(v)}`)
            .join('&');
          await check({
            caller: a.caller,
            method: a.method,
            path: `${a.r}${q ? `?${q}` : ''}`,
            headers: a.accept ? { accept: a.accept } : {},
          });
        }),
        opts(),
      );
    });

    test('4. resource names in paths: encodings, dots, slashes, unicode, very long', async () => {
      const name = (names: string[]) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...names).map(seg) },
          { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map(seg) },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).map((s) => seg(s)) },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              '.',
              '..',
              '%2E',
              '%2e%2e',
              'a.b',
              'a%2Fb',
              'a/b',
              '%zz',
              '%',
              '%00',
              '%C0%AE',
              '%E0%A4%A',
              '%FF',
              'n1%20',
              '%20n1',
              'N1',
              'n1.',
              '-n1',
              'n1-',
              'n1;x',
              'n1%3Fwatch=true',
              'n1%23frag',
              '%252e',
              'ü',
              '%C3%BC',
              '__proto__',
              'constructor',
              'prototype',
              'toString',
              'hasOwnProperty',
              'a'.repeat(253),
              'a'.repeat(254),
              'a'.repeat(64),
              'b'.repeat(5_000),
              '%41'.repeat(3_000),
              'n1/status',
              'n1/console',
              'n1/password',
              'n1/token',
              'n1/scale',
              'n1/status/x',
              '',
              '/',
            ),
          },
        );
      const arb = callerArb.chain((caller) =>
        fc.record({
          caller: fc.constant(caller),
          r: fc.constantFrom(...RESOURCES),
          name: name(namesFor(caller)),
          sub: fc.constantFrom('', '', '', '/status', '/password', '/token', '/console', '/scale', '/'),
          method: fc.constantFrom('GET', 'GET', 'DELETE', 'PUT', 'PATCH', 'POST', 'OPTIONS', 'HEAD'),
          body: fc.option(objectBody(namesFor(caller)), { freq: 2 }),
          ct: fc.constantFrom('application/json', 'application/merge-patch+json'),
          query: fc.constantFrom('', '?dryRun=All', '?watch=true', '?fieldManager=fz'),
        }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async (a) => {
          let n = a.name;
          let sub = a.sub;
          const write = !['GET', 'HEAD', 'OPTIONS'].includes(a.method);
          // (An empty name is the collection: DELETE …/users/ would delete every user, the fixture's too.)
          const first = decodeSafe(n).split('/')[0];
          if (write && a.caller === 'admin' && (!writable('admin', first) || first === '')) n = 'fz-b';
          // Nobody fuzzes the fixture users' own passwords (u1 may set its own: that would lock the suite out).
          if ((sub === '/password' || n.includes('password')) && a.r.kind === 'User' && a.method === 'PUT') sub = '';
          if (n.endsWith('/password')) n = n.replace('/password', '/token');
          const body = a.body === null ? undefined : text(a.body);
          await check({
            caller: a.caller,
            method: a.method,
            path: `${a.r.path}/${n}${sub}${a.query}`,
            body,
            headers: body ? { 'content-type': a.ct } : {},
          });
        }),
        opts(),
      );
    });

    test('5. headers: content types, accept, authorization and impersonation garbage', async () => {
      const arb = callerArb.chain((caller) =>
        fc.record({
          caller: fc.constant(caller),
          r: fc.constantFrom(...RESOURCES),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
          name: fc.constantFrom(...namesFor(caller)),
          body: fc.oneof(
            objectBody(namesFor(caller)).map(text),
            fc.constantFrom(
              '',
              'not json',
              '\u0000\u0001\u0002',
              '{"a":',
              '[]',
              'null',
              '0',
              '"x"',
              '\ufeff{}',
              '\n\n\x08\x12\x04\n\x02v1\x12\x06Secret',
            ),
          ),
          ct: fc.oneof(
            fc.constantFrom(
              'application/json',
              'application/json; charset=utf-8',
              'application/json; charset=latin1',
              'application/merge-patch+json',
              'application/json-patch+json',
              'application/strategic-merge-patch+json',
              'application/apply-patch+yaml',
              'application/yaml',
              'application/x-yaml',
              'text/plain',
              '',
              'application/vnd.kubernetes.protobuf',
              '*/*',
              'APPLICATION/JSON',
              'application/json;;;',
              'multipart/form-data; boundary=x',
              'application/x-www-form-urlencoded',
              'application/json-patch+json; charset=utf-16',
              'application/apply-patch+yaml; charset=utf-8',
            ),
            fc.string({ maxLength: 30 }),
          ),
          accept: fc.oneof(
            fc.constantFrom(
              'application/json',
              'application/json;as=Table;v=v1;g=meta.k8s.io',
              'application/json;as=Table;g=meta.k8s.io;v=v1beta1',
              'application/vnd.kubernetes.protobuf',
              'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io',
              'application/yaml',
              '*/*',
              'text/html',
              '',
              'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
              'application/json;as=Table;v=v1;g=meta.k8s.io;includeObject=Object',
              'application/json;as=Table;g=;v=',
            ),
            fc.string({ maxLength: 30 }),
          ),
          auth: fc.oneof(
            { weight: 7, arbitrary: fc.constant(null) },
            {
              weight: 1,
              arbitrary: fc.oneof(
                fc.constantFrom(
                  'Bearer ',
                  'Bearer x',
                  'Bearer ' + 'x'.repeat(5_000),
                  'Negotiate abc',
                  'bearer',
                  'Token abc',
                  'Basic',
                  'Basic !!!',
                  'Basic ' + Buffer.from('u1:wrong').toString('base64'),
                  'Basic ' + Buffer.from('root').toString('base64'),
                  'Basic ' + Buffer.from(':').toString('base64'),
                  'Basic ' + Buffer.from('zqmark-user:u2-password').toString('base64').slice(0, 8),
                ),
                fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
              ),
            },
          ),
          extra: fc.oneof(
            { weight: 3, arbitrary: fc.constant([] as [string, string][]) },
            {
              weight: 1,
              arbitrary: fc.subarray(
                [
                  ['impersonate-user', 'root'],
                  ['impersonate-group', 'system:masters'],
                  ['x-remote-user', 'root'],
                  ['x-forwarded-for', '10.0.0.1'],
                  ['x-http-method-override', 'DELETE'],
                  ['content-encoding', 'gzip'],
                  ['expect', '100-continue'],
                ] as [string, string][],
                { maxLength: 2 },
              ),
            },
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async (a) => {
          const name = ['POST'].includes(a.method) || writable(a.caller, a.name) ? a.name : 'fz-a';
          const headers: Record<string, string> = { 'content-type': a.ct, accept: a.accept };
          for (const [k, v] of a.extra) headers[k] = v;
          if (a.auth !== null) headers.authorization = a.auth;
          if (a.extra.some(([k]) => k === 'expect')) return; // node's client waits for 100 Continue itself
          const path = a.method === 'POST' ? a.r.path : `${a.r.path}/${seg(name)}`;
          await check({
            caller: a.caller,
            method: a.method,
            path,
            body: ['GET'].includes(a.method) ? undefined : a.body,
            headers,
          });
        }),
        opts(),
      );
    });

    test('6. after all that: healthy, p2 untouched, and the watches opened first still stream', async () => {
      const h = await send(srv.url, { caller: 'anon', method: 'GET', path: '/healthz', headers: {} });
      assert.equal(h?.status, 200);
      assert.equal(await p2State(), p2Snapshot, "p2's objects are as the fixture made them");
      await must('admin', 'POST', `${G}/projects`, hil('Project', 'fz-final', {}));
      await must('u1', 'POST', `${G}/networks`, hil('Network', 'fz-final-net', { owner: 'p1' }));
      await must(
        'admin',
        'PATCH',
        `${G}/nodes/free2`,
        { metadata: { labels: { final: 'yes' } } },
        'application/merge-patch+json',
      );
      const seen = async (w: (typeof startWatches)[number], pred: (e: any) => boolean, what: string) => {
        const deadline = Date.now() + 5_000;
        while (!w.events.some(pred)) {
          assert.ok(Date.now() < deadline, `the watch opened first saw no ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await seen(startWatches[0], (e) => e.object?.metadata?.name === 'fz-final', 'ADDED fz-final');
      await seen(startWatches[1], (e) => e.object?.metadata?.name === 'fz-final-net', 'ADDED fz-final-net');
      await seen(startWatches[2], (e) => e.object?.metadata?.labels?.final === 'yes', 'MODIFIED free2');
      for (const w of startWatches.slice(1)) {
        for (const m of MARKERS) if (!known.has(m)) assert.ok(!w.text().includes(m), `u1's watch showed "${m}"`);
      }
      console.log(
        `fuzz: seed ${SEED}, ${RUNS} runs per property; answers: ${[...stats]
          .sort()
          .map(([k, n]) => `${k}×${n}`)
          .join(' ')}`,
      );
      if (known.size)
        console.log(
          `fuzz: markers written by the callers themselves (not checked for leaks): ${[...known].join(', ')}`,
        );
    });
  },
);

function storeKeyOf(path: string): string {
  const m = /^\/apis?\/(?:([^/]+)\/)?v[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)$/.exec(path);
  if (path.startsWith('/api/')) return `core/${path.split('/').pop()}`;
  return `${m![1]}/${m![2]}`;
}

/** encodeURIComponent that also takes lone surrogates (as their UTF-8 replacement character, as a client would). */
function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** metadata for an administrator's create or replace: its name is never one of the fixture's. */
function adminSafeMeta(meta: Obj, pathName: string): Obj {
  return new Obj(
    meta.entries.map(([k, v]) => [
      k,
      k === 'name' && typeof v === 'string' && FIXTURE_NAMES.includes(v) ? pathName : v,
    ]),
  );
}

/** A watch read in the background for as long as the suite runs. */
async function openWatch(url: string, path: string, authorization: string) {
  const ctl = new AbortController();
  const r = await fetch(`${url}${path}`, { headers: { authorization }, signal: ctl.signal });
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  const events: any[] = [];
  let all = '';
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = new TextDecoder().decode(value);
        all += chunk;
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, text: () => all, close: () => ctl.abort() };
}
