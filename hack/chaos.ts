// The chaos run: the whole system on the OVS netns lab — PostgreSQL, two `hil-admin serve` replicas, two controller
// daemons with leader election — driven by a seeded random sequence of operations while the isolation checker
// (test/support/invariants/) watches every port of the switch. At every quiet point (no kill pending, the switch
// back, every attachment settled, every Port in sync, hand edits corrected) the full ping matrix must equal network
// membership.
//
//   hack/chaos.sh --minutes 30 --seed 42        (or: node --import tsx hack/chaos.ts --minutes 30 --seed 42)
//
// It stops by itself and prints the seed, the operations (done / refused, by kind), the kills, the quiet points, and
// every violation with the operations since the last quiet point before it (the shortest sequence known to lead
// there). Exit code 1 on any violation or mismatched quiet point. Needs root and the lab's tools, like the isolation
// test (hack/install-test-deps.sh).
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { labUnavailable, startLab, type Lab } from './lab/lab.js';
import { H, startDaemon, writeHilCfg, type Daemon } from '../test/support/controllers.js';
import { describeEpisode, IsolationChecker, type Episode } from '../test/support/invariants/checker.js';
import type { Violation } from '../test/support/invariants/decide.js';
import { mayUse } from '../test/support/invariants/decide.js';
import { labInventoryYaml, matrixMismatches, portYaml } from '../test/support/lab-api.js';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.js';
import { api, startChildServer, type ChildServer } from '../test/support/server.js';
import yaml from 'js-yaml';

export interface ChaosOptions {
  seed: number;
  /** Stop starting operations after this long (then one last quiet point). */
  minutes: number;
  /** Lab nodes (default 6). */
  nodes?: number;
  /** Controller resync period, seconds (drift correction; default 3). */
  resyncS?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface OpRecord {
  i: number;
  /** ms since the run started */
  t: number;
  kind: string;
  detail: string;
  outcome: string;
}

export interface QuietPoint {
  t: number;
  afterOp: number;
  converged: boolean;
  convergeMs: number;
  mismatches: string[];
  violationsNow: Violation[];
  detail?: string;
}

export interface ChaosResult {
  seed: number;
  minutes: number;
  durationMs: number;
  ops: OpRecord[];
  counts: Record<string, { done: number; refused: number; failed: number }>;
  kills: { controllerLeader: number; apiReplica: number; switchBreaks: number; handEdits: number; daemonExits: number };
  quietPoints: QuietPoint[];
  episodes: Episode[];
  unconfirmed: Violation[];
  evaluations: number;
  /** Human report. */
  report: string;
  ok: boolean;
}

/** mulberry32: a small seeded PRNG (the run is reproducible in its choices, not in its timing). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(next() * xs.length)] : undefined),
    chance: (p: number) => next() < p,
  };
}

const PROJECTS = ['alpha', 'beta', 'gamma'] as const;
/** The networks the run creates and re-creates (name → spec). */
const CATALOGUE: Record<string, { owner: string; accessProjects?: string[]; public?: boolean }> = {
  a1: { owner: 'alpha' },
  a2: { owner: 'alpha', accessProjects: ['beta'] },
  b1: { owner: 'beta' },
  g1: { owner: 'gamma' },
  pub: { owner: '', public: true },
  adm: { owner: '', accessProjects: ['gamma'] },
};
const INITIAL_PROJECT: Record<string, string> = {
  n1: 'alpha',
  n2: 'alpha',
  n3: 'beta',
  n4: 'beta',
  n5: 'gamma',
  n6: '',
};
const SWITCH = 'lab';
const MERGE = 'application/merge-patch+json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const networkObject = (name: string) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Network',
  metadata: { name },
  spec: { ...CATALOGUE[name] },
});

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => undefined);
  const R = rng(opts.seed);
  const resyncS = opts.resyncS ?? 3;
  const t0 = Date.now();
  const ops: OpRecord[] = [];
  const counts: ChaosResult['counts'] = {};
  const kills = { controllerLeader: 0, apiReplica: 0, switchBreaks: 0, handEdits: 0, daemonExits: 0 };
  const quietPoints: QuietPoint[] = [];
  let lab: Lab | undefined;
  let db: TestDatabase | undefined;
  const replicas: (ChildServer | undefined)[] = [undefined, undefined];
  const replicaPorts: number[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  let checker: IsolationChecker | undefined;
  let cfg: ReturnType<typeof writeHilCfg> | undefined;
  let switchStopped = false;
  let stopping = false;

  // ---- the API, through whichever replica is up ----
  async function call(
    method: string,
    path: string,
    body?: unknown,
    ct?: string,
  ): Promise<{ status: number; body: any }> {
    // Not from the seeded PRNG: how many calls an operation makes depends on timing.
    const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
    let last: unknown;
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const i of order) {
        const srv = replicas[i];
        if (!srv) continue;
        try {
          return await api(srv.url, method, path, body, ct);
        } catch (err) {
          last = err;
        }
      }
      await sleep(250);
    }
    throw new Error(`no API replica answered ${method} ${path}: ${String(last)}`);
  }
  const list = async (plural: string): Promise<any[]> => {
    const r = await call('GET', `${H}/${plural}`);
    if (r.status !== 200) throw new Error(`list ${plural}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.items;
  };

  // ---- controller daemons: two, with leader election, each on its own replica; restarted when they exit ----
  const daemonArgs = (id: string) => [
    '--config',
    cfg!.path,
    '--resync',
    String(resyncS),
    '--lease-duration',
    '3',
    '--identity',
    id,
    '--driver-timeout',
    '3',
  ];
  const slots: { name: string; replica: number; gen: number; daemon?: Daemon; identity?: string }[] = [
    { name: 'ctl-a', replica: 0, gen: 0 },
    { name: 'ctl-b', replica: 1, gen: 0 },
  ];
  async function startSlot(s: (typeof slots)[number]): Promise<void> {
    for (let tries = 0; ; tries++) {
      while (!replicas[s.replica]) await sleep(100);
      const identity = `${s.name}-${++s.gen}`;
      try {
        const d = await startDaemon(replicas[s.replica]!.url, daemonArgs(identity), { waitReady: false });
        s.daemon = d;
        s.identity = identity;
        void d.exited.then(() => {
          if (stopping || s.daemon !== d || d.process.signalCode === 'SIGKILL') return;
          // Exited by itself (lost its lease while its replica was down, say): restart it, as a supervisor would.
          kills.daemonExits++;
          s.daemon = undefined;
          void track(startSlot(s));
        });
        return;
      } catch (err) {
        if (tries >= 5) throw err;
        await sleep(500);
      }
    }
  }
  async function leaderSlot() {
    const r = await call('GET', '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases/hil-controllers');
    const holder = r.status === 200 ? r.body.spec?.holderIdentity : undefined;
    return slots.find((s) => s.daemon && s.identity === holder);
  }

  // ---- the ops ----
  let seq = 0;
  const record = (kind: string, detail: string, outcome: string) => {
    const rec: OpRecord = { i: ops.length + 1, t: Date.now() - t0, kind, detail, outcome };
    ops.push(rec);
    const c = (counts[kind] ??= { done: 0, refused: 0, failed: 0 });
    if (outcome === 'ok') c.done++;
    else if (outcome.startsWith('refused')) c.refused++;
    else c.failed++;
    return rec;
  };
  const outcomeOf = (r: { status: number; body: any }) =>
    r.status < 300
      ? 'ok'
      : [403, 404, 409, 422].includes(r.status)
        ? `refused ${r.status}${r.body?.message ? `: ${String(r.body.message).slice(0, 160)}` : ''}`
        : `failed ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`;
  const labNodes = () => lab!.nodes.map((n) => n.name);

  interface World {
    nodes: any[];
    networks: any[];
    attachments: any[];
    ports: any[];
  }
  async function world(): Promise<World> {
    const [nodes, networks, attachments, ports] = await Promise.all(
      ['nodes', 'networks', 'networkattachments', 'ports'].map(list),
    );
    return { nodes: nodes, networks: networks, attachments: attachments, ports: ports };
  }

  type Op = { kind: string; run: () => Promise<void> };
  function chooseOp(w: World): Op {
    const live = (xs: any[]) => xs.filter((x) => !x.metadata.deletionTimestamp);
    const inProject = w.nodes.filter((n) => n.spec.project);
    const free = w.nodes.filter((n) => !n.spec.project);
    const nets = live(w.networks);
    const atts = live(w.attachments);
    const usable = (node: any) => nets.filter((n) => node.spec.project && mayUse(n, node.spec.project));
    const simple = (kind: string, detail: string, method: string, path: string, body?: unknown, ct?: string): Op => ({
      kind,
      run: async () => void record(kind, detail, outcomeOf(await call(method, path, body, ct))),
    });
    const attach = (node: any, net: any, channel: string): Op =>
      simple('attach', `${node.metadata.name} → ${net.metadata.name} (${channel})`, 'POST', `${H}/networkattachments`, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name: `${node.metadata.name}-${net.metadata.name}-${++seq}` },
        spec: { node: node.metadata.name, nic: 'eth0', network: net.metadata.name, channel },
      });
    const menu: [number, () => Op | undefined][] = [
      [
        10,
        () => {
          const node = R.chance(0.9) ? R.pick(inProject) : R.pick(w.nodes);
          const net = node && (R.chance(0.8) ? R.pick(usable(node)) : R.pick(nets));
          return node && net ? attach(node, net, R.chance(0.8) ? 'native' : 'tagged') : undefined;
        },
      ],
      [
        6,
        () => {
          const a = R.pick(atts);
          return a && simple('detach', a.metadata.name, 'DELETE', `${H}/networkattachments/${a.metadata.name}`);
        },
      ],
      [
        5,
        () => {
          const a = R.pick(atts.filter((x) => (x.spec.channel ?? 'native') === 'native'));
          const node = a && w.nodes.find((n) => n.metadata.name === a.spec.node);
          const net = node && R.pick(usable(node).filter((n) => n.metadata.name !== a.spec.network));
          if (!a || !net) return undefined;
          return {
            kind: 'move',
            run: async () => {
              const detail = `${a.spec.node}: ${a.spec.network} → ${net.metadata.name}`;
              const d = await call('DELETE', `${H}/networkattachments/${a.metadata.name}`);
              if (d.status >= 300) return void record('move', detail, outcomeOf(d));
              const deadline = Date.now() + 8000;
              while (
                Date.now() < deadline &&
                (await call('GET', `${H}/networkattachments/${a.metadata.name}`)).status !== 404
              )
                await sleep(100);
              const r = await call('POST', `${H}/networkattachments`, {
                apiVersion: 'hil.io/v1alpha1',
                kind: 'NetworkAttachment',
                metadata: { name: `${a.spec.node}-${net.metadata.name}-${++seq}` },
                spec: { node: a.spec.node, nic: 'eth0', network: net.metadata.name, channel: 'native' },
              });
              record('move', detail, outcomeOf(r));
            },
          };
        },
      ],
      [
        4,
        () => {
          const net = R.pick(nets.filter((n) => n.spec.owner || !n.spec.public));
          const p =
            net && R.pick(PROJECTS.filter((x) => x !== net.spec.owner && !(net.spec.accessProjects ?? []).includes(x)));
          return p
            ? simple(
                'grant',
                `${p} on ${net.metadata.name}`,
                'PATCH',
                `${H}/networks/${net.metadata.name}`,
                { spec: { accessProjects: [...(net.spec.accessProjects ?? []), p] } },
                MERGE,
              )
            : undefined;
        },
      ],
      [
        4,
        () => {
          const net = R.pick(nets.filter((n) => (n.spec.accessProjects ?? []).length));
          const p = net && R.pick(net.spec.accessProjects as string[]);
          return p
            ? simple(
                'revoke',
                `${p} from ${net.metadata.name}`,
                'PATCH',
                `${H}/networks/${net.metadata.name}`,
                { spec: { accessProjects: net.spec.accessProjects.filter((x: string) => x !== p) } },
                MERGE,
              )
            : undefined;
        },
      ],
      [
        3,
        () => {
          const n = R.pick(free);
          const p = R.pick(PROJECTS);
          return (
            n &&
            simple(
              'claim',
              `${n.metadata.name} → ${p}`,
              'PATCH',
              `${H}/nodes/${n.metadata.name}`,
              { spec: { project: p } },
              MERGE,
            )
          );
        },
      ],
      [
        3,
        () => {
          const n = R.pick(inProject);
          return (
            n &&
            simple(
              'release',
              `${n.metadata.name} from ${n.spec.project}`,
              'PATCH',
              `${H}/nodes/${n.metadata.name}`,
              { spec: { project: '' } },
              MERGE,
            )
          );
        },
      ],
      [
        2,
        () => {
          const n = R.pick(inProject);
          const q = n && R.pick(PROJECTS.filter((x) => x !== n.spec.project));
          return q
            ? simple(
                'moveNode',
                `${n.metadata.name}: ${n.spec.project} → ${q}`,
                'PATCH',
                `${H}/nodes/${n.metadata.name}`,
                { spec: { project: q } },
                MERGE,
              )
            : undefined;
        },
      ],
      [
        2,
        () => {
          const p = R.pick(live(w.ports));
          return p && simple('deletePort', p.metadata.name, 'DELETE', `${H}/ports/${p.metadata.name}`);
        },
      ],
      [
        3,
        () => {
          const have = new Set(w.ports.map((p) => p.metadata.name));
          const port = R.pick(lab!.nodes.map((n) => n.port).filter((p) => !have.has(`${SWITCH}-${p}`)));
          return port
            ? simple('recreatePort', `${SWITCH}-${port}`, 'POST', `${H}/ports`, yaml.load(portYaml(SWITCH, port)))
            : undefined;
        },
      ],
      [
        2,
        () => {
          const n = R.pick(nets);
          return n && simple('deleteNetwork', n.metadata.name, 'DELETE', `${H}/networks/${n.metadata.name}`);
        },
      ],
      [
        3,
        () => {
          const have = new Set(w.networks.map((n) => n.metadata.name));
          const name = R.pick(Object.keys(CATALOGUE).filter((n) => !have.has(n)));
          return name ? simple('recreateNetwork', name, 'POST', `${H}/networks`, networkObject(name)) : undefined;
        },
      ],
      [
        2,
        () => {
          const n = R.pick(w.nodes.filter((x) => x.spec.nics?.[0]?.port));
          return (
            n &&
            simple(
              'unplugNic',
              `${n.metadata.name} eth0 off ${n.spec.nics[0].port}`,
              'PATCH',
              `${H}/nodes/${n.metadata.name}`,
              { spec: { nics: [{ name: 'eth0', macAddress: n.spec.nics[0].macAddress }] } },
              MERGE,
            )
          );
        },
      ],
      [
        2,
        () => {
          const n = R.pick(w.nodes.filter((x) => !x.spec.nics?.[0]?.port));
          if (!n) return undefined;
          const port = `${SWITCH}-${lab!.node(n.metadata.name).port}`;
          return simple(
            'replugNic',
            `${n.metadata.name} eth0 → ${port}`,
            'PATCH',
            `${H}/nodes/${n.metadata.name}`,
            { spec: { nics: [{ name: 'eth0', macAddress: n.spec.nics[0].macAddress, port }] } },
            MERGE,
          );
        },
      ],
      [
        2,
        () => {
          if (switchStopped) return undefined;
          const ms = R.int(1000, 5000);
          return {
            kind: 'breakSwitch',
            run: async () => {
              const pid = lab!.daemonPid('ovsdb-server');
              process.kill(pid, 'SIGSTOP');
              switchStopped = true;
              kills.switchBreaks++;
              record('breakSwitch', `ovsdb-server stopped for ${ms} ms`, 'ok');
              void track(
                sleep(ms).then(() => {
                  process.kill(pid, 'SIGCONT');
                  switchStopped = false;
                }),
              );
            },
          };
        },
      ],
      [
        3,
        () => {
          if (switchStopped) return undefined;
          const managed = new Set(live(w.ports).map((p) => p.spec.interface));
          const port = R.pick(lab!.nodes.map((n) => n.port).filter((p) => managed.has(p)));
          const vlans = [
            ...new Set([...nets.map((n) => n.status?.vlan).filter((v) => typeof v === 'number'), R.int(100, 119)]),
          ];
          const vlan = R.pick(vlans);
          if (!port || vlan === undefined) return undefined;
          return {
            kind: 'handEdit',
            run: async () => {
              // Excused until one resync has passed: the controllers must have put it back by then.
              checker!.excuse(port, Date.now() + (resyncS + 5) * 1000);
              if (switchStopped) return void record('handEdit', `${port} tag=${vlan}`, 'failed: switch stopped');
              await lab!.vsctl('set', 'port', port, `tag=${vlan}`, 'vlan_mode=access', 'trunks=[]');
              checker!.excuse(port, Date.now() + (resyncS + 5) * 1000);
              kills.handEdits++;
              record('handEdit', `${port} tag=${vlan}`, 'ok');
            },
          };
        },
      ],
      [
        2,
        () => {
          const [delay, down] = [R.int(0, 300), R.int(300, 2000)];
          return {
            kind: 'killLeader',
            run: async () => {
              await sleep(delay); // mid-batch
              const s = await leaderSlot();
              if (!s?.daemon) return void record('killLeader', 'no leader', 'failed: no leader to kill');
              const d = s.daemon;
              s.daemon = undefined;
              await d.stop('SIGKILL');
              kills.controllerLeader++;
              record('killLeader', `SIGKILL ${s.identity}`, 'ok');
              void track(sleep(down).then(() => startSlot(s)));
            },
          };
        },
      ],
      [
        2,
        () => {
          const i = R.int(0, 1);
          if (!replicas[i] || !replicas[1 - i]) return undefined;
          const [delay, down] = [R.int(0, 300), R.int(300, 2000)];
          return {
            kind: 'killApi',
            run: async () => {
              await sleep(delay);
              const srv = replicas[i];
              // Another kill in the same batch may have taken a replica down already: keep one up.
              if (!srv || !replicas[1 - i])
                return void record('killApi', `replica ${i}`, 'failed: a replica is already down');
              replicas[i] = undefined;
              await srv.stop('SIGKILL');
              kills.apiReplica++;
              record('killApi', `SIGKILL replica ${i} (:${srv.port})`, 'ok');
              void track(sleep(down).then(() => startReplica(i)));
            },
          };
        },
      ],
    ];
    const total = menu.reduce((s, [w]) => s + w, 0);
    for (let tries = 0; tries < 50; tries++) {
      let x = R.next() * total;
      for (const [wt, make] of menu) {
        x -= wt;
        if (x <= 0) {
          const op = make();
          if (op) return op;
          break;
        }
      }
    }
    return { kind: 'noop', run: async () => undefined };
  }

  async function startReplica(i: number): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        replicas[i] = await startChildServer({
          databaseUri: db!.uri,
          port: replicaPorts[i],
          extraArgs: ['--auth', 'null', '--log-level', 'warn'],
        });
        return;
      } catch (err) {
        if (tries >= 5) throw err;
        await sleep(500);
      }
    }
  }

  // ---- quiet points ----
  async function quietPoint(): Promise<QuietPoint> {
    const start = Date.now();
    while (pending.size) await Promise.allSettled([...pending]);
    for (const s of slots) while (!s.daemon) await sleep(100);
    let detail = '';
    let converged = false;
    let stableSince: string | undefined;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const w = await world();
      const problems: string[] = [];
      for (const a of w.attachments) {
        const reason = a.status?.conditions?.find((c: any) => c.type === 'Ready')?.reason;
        if (a.metadata.deletionTimestamp) problems.push(`${a.metadata.name} deleting`);
        else if (a.status?.observedGeneration !== a.metadata.generation)
          problems.push(`${a.metadata.name} not observed`);
        else if (a.status?.phase === 'Pending' && ['Applying', 'Paused', 'VlanPending', undefined].includes(reason))
          problems.push(`${a.metadata.name} Pending ${reason}`);
        else if (!['Attached', 'Failed', 'Pending'].includes(a.status?.phase))
          problems.push(`${a.metadata.name} ${a.status?.phase}`);
      }
      for (const p of w.ports) {
        const c = p.status?.conditions?.find((x: any) => x.type === 'InSync');
        if (c?.status !== 'True' || p.status?.observedGeneration !== p.metadata.generation)
          problems.push(`port ${p.metadata.name} ${c?.reason ?? 'unsynced'}`);
      }
      const excusedLeft = checker!.excusedUntil() - Date.now();
      if (excusedLeft > 0) problems.push(`hand edit being corrected (${excusedLeft} ms left)`);
      const fingerprint = JSON.stringify(
        [w.attachments, w.ports, w.nodes, w.networks].map((l) => l.map((o) => o.metadata.resourceVersion)),
      );
      if (problems.length === 0) {
        if (stableSince === fingerprint) {
          converged = true;
          break;
        }
        stableSince = fingerprint;
        await sleep(600);
        continue;
      }
      stableSince = undefined;
      detail = problems.slice(0, 8).join('; ');
      await sleep(300);
    }
    const q: QuietPoint = {
      t: Date.now() - t0,
      afterOp: ops.length,
      converged,
      convergeMs: Date.now() - start,
      mismatches: [],
      violationsNow: [],
      detail: converged ? undefined : `not converged in 90 s: ${detail}`,
    };
    // The matrix: two nodes reach each other exactly when both are Attached natively to the same network.
    const w = await world();
    const plan: Record<string, string | undefined> = {};
    for (const n of labNodes()) plan[n] = undefined;
    for (const a of w.attachments)
      if ((a.spec.channel ?? 'native') === 'native' && a.status?.phase === 'Attached')
        plan[a.spec.node] = a.spec.network;
    const r = await lab!.reachability();
    q.mismatches = matrixMismatches(r, labNodes(), plan);
    if (q.mismatches.length) q.detail = `${q.detail ? `${q.detail}\n` : ''}ping matrix:\n${r.format()}`;
    q.violationsNow = checker!.current();
    quietPoints.push(q);
    log(
      `quiet point ${quietPoints.length} after op ${ops.length}: ${converged ? `converged in ${q.convergeMs} ms` : 'NOT converged'}, matrix ${q.mismatches.length ? `WRONG (${q.mismatches.length} pairs)` : 'ok'}, ${checker!.episodes().length} violation episode(s) so far`,
    );
    return q;
  }

  // ---- the run ----
  const t = Date.now();
  try {
    [lab, db] = await Promise.all([startLab({ nodes: opts.nodes ?? 6, switch: 'ovs' }), createTestDatabase()]);
    cfg = writeHilCfg('100-119');
    await startReplica(0); // first alone: it creates the schema
    replicaPorts[0] = replicas[0]!.port;
    await startReplica(1);
    replicaPorts[1] = replicas[1]!.port;
    const inventory = [
      ...PROJECTS.map(
        (p) => `apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata: {name: ${p}}\nspec: {description: chaos}`,
      ),
      labInventoryYaml(lab, { switchName: SWITCH, vlanRange: '100-199', projectOf: (n) => INITIAL_PROJECT[n] ?? '' }),
    ];
    for (const doc of yaml.loadAll(inventory.join('\n---\n'))) {
      const o = doc as any;
      const plural = { Project: 'projects', Switch: 'switches', Port: 'ports', Node: 'nodes' }[o.kind as string];
      const r = await call('POST', `${H}/${plural}`, o);
      if (r.status >= 300)
        throw new Error(`create ${o.kind}/${o.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    for (const name of Object.keys(CATALOGUE)) await call('POST', `${H}/networks`, networkObject(name));
    checker = new IsolationChecker({
      switchName: SWITCH,
      ovsdb: lab.ovsdb!.tcp,
      apiUrls: replicas.map((r) => r!.url),
      onViolation: (e) => log(`VIOLATION ${describeEpisode(e, t0)}`),
    });
    await checker.start();
    await Promise.all(slots.map(startSlot));
    log(
      `chaos: seed ${opts.seed}, lab ${lab.name}, replicas ${replicas.map((r) => r!.url).join(' ')}, set up in ${Date.now() - t} ms`,
    );
    await quietPoint();

    const endAt = Date.now() + opts.minutes * 60_000;
    let untilQuiet = R.int(3, 8);
    while (Date.now() < endAt) {
      const w = await world();
      const batch = Array.from({ length: R.int(1, 4) }, () => chooseOp(w));
      await Promise.all(
        batch.map((op) =>
          op.run().catch((err) => {
            record(op.kind, 'exception', `failed: ${(err as Error).message.slice(0, 200)}`);
          }),
        ),
      );
      await sleep(R.int(0, 400));
      if (--untilQuiet <= 0) {
        await quietPoint();
        untilQuiet = R.int(3, 8);
      }
    }
    await quietPoint();
  } finally {
    stopping = true;
    if (switchStopped && lab) {
      try {
        process.kill(lab.daemonPid('ovsdb-server'), 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    await checker?.stop();
    await Promise.allSettled(slots.map((s) => Promise.resolve(s.daemon?.stop('SIGKILL'))));
    await Promise.allSettled(replicas.map((r) => Promise.resolve(r?.stop('SIGKILL'))));
    await lab?.stop();
    await db?.drop().catch(() => undefined);
    cfg?.cleanup();
  }

  const episodes = checker.episodes();
  const result: ChaosResult = {
    seed: opts.seed,
    minutes: opts.minutes,
    durationMs: Date.now() - t0,
    ops,
    counts,
    kills,
    quietPoints,
    episodes,
    unconfirmed: checker.unconfirmed,
    evaluations: checker.evaluations,
    report: '',
    ok:
      episodes.length === 0 &&
      quietPoints.every((q) => q.converged && q.mismatches.length === 0 && q.violationsNow.length === 0),
  };
  result.report = formatReport(result, t0);
  return result;
}

/** The operations since the last quiet point before `t` (ms since the start), up to `t`. */
export function sequenceBefore(r: Pick<ChaosResult, 'ops' | 'quietPoints'>, t: number): OpRecord[] {
  const q = [...r.quietPoints].reverse().find((x) => x.t <= t);
  const from = q?.afterOp ?? 0;
  return r.ops.filter((o) => o.i > from && o.t <= t);
}

export function formatReport(r: ChaosResult, t0: number): string {
  const lines: string[] = [];
  const total = r.ops.length;
  const refused = Object.values(r.counts).reduce((s, c) => s + c.refused, 0);
  const failed = Object.values(r.counts).reduce((s, c) => s + c.failed, 0);
  lines.push(
    `chaos run: seed ${r.seed}, ${(r.durationMs / 60000).toFixed(1)} min (asked ${r.minutes}), ${total} operations (${refused} refused, ${failed} failed)`,
  );
  lines.push(`  ${'kind'.padEnd(16)}${'done'.padStart(6)}${'refused'.padStart(9)}${'failed'.padStart(8)}`);
  for (const [k, c] of Object.entries(r.counts).sort())
    lines.push(
      `  ${k.padEnd(16)}${String(c.done).padStart(6)}${String(c.refused).padStart(9)}${String(c.failed).padStart(8)}`,
    );
  const refusals = new Map<string, number>();
  // Grouped by kind and reason, with object names taken out.
  const reasonOf = (o: OpRecord) =>
    `${o.kind}: ${o.outcome
      .replace(/"[^"]*"/g, '…')
      .replace(/\([^)]*\)/g, '(…)')
      .slice(0, 110)}`;
  for (const o of r.ops)
    if (o.outcome.startsWith('refused')) refusals.set(reasonOf(o), (refusals.get(reasonOf(o)) ?? 0) + 1);
  if (refusals.size) {
    lines.push('  refusals by kind and reason:');
    for (const [k, n] of [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 12))
      lines.push(`    ${String(n).padStart(4)} × ${k}`);
  }
  lines.push(
    `kills: controller leader ${r.kills.controllerLeader}, API replica ${r.kills.apiReplica}; switch breaks ${r.kills.switchBreaks}; hand edits ${r.kills.handEdits}; daemons that exited by themselves and were restarted ${r.kills.daemonExits}`,
  );
  const bad = r.quietPoints.filter((q) => !q.converged || q.mismatches.length || q.violationsNow.length);
  lines.push(
    `quiet points: ${r.quietPoints.length} checked, ping matrix matched at ${r.quietPoints.filter((q) => q.mismatches.length === 0).length}, converged at ${r.quietPoints.filter((q) => q.converged).length}; median convergence ${median(r.quietPoints.map((q) => q.convergeMs))} ms`,
  );
  lines.push(
    `checker: ${r.evaluations} instants evaluated; ${r.episodes.length} violation episode(s); ${r.unconfirmed.length} flagged then cleared by a fresh API read (observation skew)`,
  );
  for (const e of r.episodes) {
    lines.push(`VIOLATION ${describeEpisode(e, t0)}`);
    lines.push('  operations since the last quiet point before it:');
    for (const o of sequenceBefore(r, e.firstSeen - t0))
      lines.push(`    #${o.i} t+${(o.t / 1000).toFixed(1)}s ${o.kind} ${o.detail} → ${o.outcome}`);
  }
  for (const q of bad) {
    lines.push(
      `QUIET POINT after op ${q.afterOp} (t+${(q.t / 1000).toFixed(1)}s): ${q.converged ? 'converged' : 'NOT converged'}${q.mismatches.length ? `; matrix wrong: ${q.mismatches.join('; ')}` : ''}${q.violationsNow.length ? `; violations now: ${q.violationsNow.map((v) => v.message).join('; ')}` : ''}`,
    );
    if (q.detail) lines.push(`  ${q.detail.replace(/\n/g, '\n  ')}`);
    const prev = [...r.quietPoints].reverse().find((x) => x.afterOp < q.afterOp);
    for (const o of r.ops.filter((x) => x.i > (prev?.afterOp ?? 0) && x.i <= q.afterOp))
      lines.push(`    #${o.i} ${o.kind} ${o.detail} → ${o.outcome}`);
  }
  lines.push(r.ok ? 'RESULT: no violation' : 'RESULT: VIOLATIONS FOUND');
  return lines.join('\n');
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '5' },
      seed: { type: 'string' },
      json: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const minutes = Number(values.minutes);
  if (!Number.isInteger(seed) || !(minutes > 0))
    throw new Error('usage: hack/chaos.sh --minutes N --seed S [--json FILE] [--quiet]');
  const why = labUnavailable('ovs', ['ping']);
  if (why) throw new Error(`the OVS lab cannot run here: ${why}`);
  console.log(`chaos: seed ${seed}, ${minutes} min (re-run with: hack/chaos.sh --minutes ${minutes} --seed ${seed})`);
  const r = await runChaos({
    seed,
    minutes,
    log: values.quiet ? undefined : (l) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`),
  });
  console.log(r.report);
  if (values.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(values.json, JSON.stringify(r, null, 2));
  }
  return r.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`chaos: ${(err as Error).stack ?? err}`);
      process.exit(2);
    },
  );
}
