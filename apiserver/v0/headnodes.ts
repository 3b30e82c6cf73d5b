// v0 headnodes (hil/api.py: headnode_create, headnode_delete, headnode_start, headnode_stop,
// headnode_create_hnic, headnode_delete_hnic, headnode_connect_network, headnode_detach_network, show_headnode,
// list_project_headnodes, list_headnode_images) on the Headnode resource, which the headnode controller turns
// into a VM.
//
// HIL's "dirty" headnode (never started, hnics still changeable) is one whose spec.running is false and that the
// controller has not frozen: headnode_create makes it with running: false, headnode_start sets running: true (the
// controller freezes it, clones the VM and starts it), headnode_stop sets running: false (it stays frozen, as in
// HIL). A Headnode made through the resource API runs by default, so it is started, and frozen, from the start.
// hnic labels map to hnic names as NIC labels do (names.ts).
import { DOMAIN_NAME_PATTERN } from '../../api/v1alpha1/names.js';
import { networkAccessibleBy } from '../auth/authz.js';
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hil, HilError } from './errors.js';
import { hilNameOf, hilNicLabels, nicLabelsPatch, nicName } from './names.js';
import type { V0Session } from './session.js';
import type { Call } from './transport.js';

type Hnic = { name: string; network?: string };

const hnicsOf = (h: KObject): Hnic[] => (specOf(h).hnics ?? []) as Hnic[];

/** Whether HIL would call the headnode dirty: not started yet, so its hnics can still change. */
function dirty(h: KObject): boolean {
  return specOf(h).running === false && !(h.status as { frozen?: boolean } | undefined)?.frozen;
}

/** HIL's IllegalStateError for a frozen headnode carries no message. */
const frozen = () => new HilError('IllegalStateError', '');

async function mustFindHeadnode(s: V0Session, label: string): Promise<KObject> {
  const h = await s.mustFind('headnodes', 'Headnode', label);
  s.requireAccess(specOf(h).project);
  return h;
}

function findHnic(h: KObject, label: string): Hnic | undefined {
  const labels = hilNicLabels(h, 'hnics');
  return hnicsOf(h).find((x) => x.name === nicName(label) && labels.get(x.name) === label);
}

function mustFindHnic(h: KObject, label: string): Hnic {
  const x = findHnic(h, label);
  if (!x) throw hil.notFound(`Hnic ${label} on Headnode ${hilNameOf(h)} does not exist.`);
  return x;
}

export const headnodeCalls: Call[] = [
  {
    name: 'headnode_create',
    method: 'PUT',
    path: '/headnode/:headnode',
    args: { project: 'string', base_img: 'string' },
    async run(s, a) {
      // HIL checks the image against [headnode] base_imgs before anything else, the caller's rights included.
      const images = s.deps.headnodeBaseImages ?? [];
      if (images.length ? !images.includes(a.base_img) : !DOMAIN_NAME_PATTERN.test(a.base_img))
        throw hil.badArgument('Provided image is not a valid image.');
      await s.checkFree('headnodes', 'Headnode', a.headnode);
      const p = await s.mustFind('projects', 'Project', a.project);
      s.requireAccess(p.metadata.name);
      await s.create('headnodes', {
        kind: 'Headnode',
        metadata: s.metadataFor(a.headnode),
        spec: { project: p.metadata.name, baseImage: a.base_img, hnics: [], running: false },
      });
    },
  },
  {
    name: 'headnode_delete',
    method: 'DELETE',
    path: '/headnode/:headnode',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      await s.removeAndWait('headnodes', h);
    },
  },
  {
    name: 'headnode_start',
    method: 'POST',
    path: '/headnode/:headnode/start',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      if (specOf(h).running !== true) await s.patchFound('headnodes', h, { spec: { running: true } });
    },
  },
  {
    name: 'headnode_stop',
    method: 'POST',
    path: '/headnode/:headnode/stop',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      if (specOf(h).running !== false) await s.patchFound('headnodes', h, { spec: { running: false } });
    },
  },
  {
    name: 'headnode_create_hnic',
    method: 'PUT',
    path: '/headnode/:headnode/hnic/:hnic',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      const name = nicName(a.hnic);
      const clash = hnicsOf(h).find((x) => x.name === name);
      if (clash) {
        if (hilNicLabels(h, 'hnics').get(clash.name) === a.hnic)
          throw hil.exists('Hnic', `${a.hnic} on Headnode ${a.headnode}`);
        throw hil.blocked(
          `Hnic ${a.hnic} cannot be added: its hnic name ${name} is taken by Hnic ${hilNicLabels(h, 'hnics').get(clash.name)}.`,
        );
      }
      if (!dirty(h)) throw frozen();
      await s.patchFound('headnodes', h, {
        metadata: { annotations: nicLabelsPatch(h, 'hnics', name, a.hnic) },
        spec: { hnics: [...hnicsOf(h), { name }] },
      });
    },
  },
  {
    name: 'headnode_delete_hnic',
    method: 'DELETE',
    path: '/headnode/:headnode/hnic/:hnic',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      const hnic = mustFindHnic(h, a.hnic);
      if (!dirty(h)) throw frozen();
      await s.patchFound('headnodes', h, {
        metadata: { annotations: nicLabelsPatch(h, 'hnics', hnic.name) },
        spec: { hnics: hnicsOf(h).filter((x) => x.name !== hnic.name) },
      });
    },
  },
  {
    name: 'headnode_connect_network',
    method: 'POST',
    path: '/headnode/:headnode/hnic/:hnic/connect_network',
    args: { network: 'string' },
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      const hnic = mustFindHnic(h, a.hnic);
      const net = await s.mustFind('networks', 'Network', a.network);
      // HIL's "allocated" network: its VLAN comes from the pool (the host has bridges only for those).
      if (specOf(net).vlan !== undefined)
        throw hil.badArgument('Headnodes may only be connected to networks allocated by the project.');
      if (!dirty(h)) throw frozen();
      if (!networkAccessibleBy(net, specOf(h).project))
        throw hil.projectMismatch('Project does not have access to given network.');
      await s.patchFound('headnodes', h, {
        spec: { hnics: hnicsOf(h).map((x) => (x.name === hnic.name ? { ...x, network: net.metadata.name } : x)) },
      });
    },
  },
  {
    name: 'headnode_detach_network',
    method: 'POST',
    path: '/headnode/:headnode/hnic/:hnic/detach_network',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      const hnic = mustFindHnic(h, a.hnic);
      if (!dirty(h)) throw frozen();
      if (hnic.network === undefined) return;
      await s.patchFound('headnodes', h, {
        spec: { hnics: hnicsOf(h).map((x) => (x.name === hnic.name ? { name: x.name } : x)) },
      });
    },
  },
  {
    name: 'show_headnode',
    method: 'GET',
    path: '/headnode/:headnode',
    async run(s, a) {
      const h = await mustFindHeadnode(s, a.headnode);
      const labels = hilNicLabels(h, 'hnics');
      const status = (h.status ?? {}) as { uuid?: string; vncPort?: number };
      return {
        body: {
          base_img: specOf(h).baseImage,
          hnics: hnicsOf(h).map((x) => labels.get(x.name) ?? x.name),
          name: hilNameOf(h),
          project: await s.hilNameOfRef('projects', specOf(h).project),
          // HIL's uuid is made with the headnode; the VM's (libvirt's) once it exists, else the object's own.
          uuid: status.uuid || h.metadata.uid,
          // HIL: none until the VM exists.
          vncport: dirty(h) ? null : (status.vncPort ?? null),
        },
      };
    },
  },
  {
    name: 'list_project_headnodes',
    method: 'GET',
    path: '/project/:project/headnodes',
    async run(s, a) {
      const p = await s.mustFind('projects', 'Project', a.project);
      s.requireAccess(p.metadata.name);
      const hs = await s.list('headnodes', { path: ['spec', 'project'], value: p.metadata.name! });
      return { body: hs.map(hilNameOf).sort() };
    },
  },
  {
    // HIL's URL has a trailing slash (Flask redirects the one without; both are answered here).
    name: 'list_headnode_images',
    method: 'GET',
    path: '/headnode_images/',
    async run(s) {
      return { body: [...(s.deps.headnodeBaseImages ?? [])].sort() };
    },
  },
];
