// v0 projects (hil/api.py: list_projects, project_create, project_delete, project_connect_node,
// project_detach_node, list_project_nodes, list_project_networks) on Project and Node.spec.project.
import { specOf } from '../object.js';
import { hil } from './errors.js';
import { hilNameOf } from './names.js';
import type { Call } from './transport.js';

const sorted = (names: string[]) => [...names].sort();

export const projectCalls: Call[] = [
  {
    name: 'list_projects',
    method: 'GET',
    path: '/projects',
    async run(s) {
      s.requireAdmin();
      return { body: sorted((await s.list('projects')).map(hilNameOf)) };
    },
  },
  {
    name: 'project_create',
    method: 'PUT',
    path: '/project/:project',
    async run(s, a) {
      s.requireAdmin();
      await s.checkFree('projects', 'Project', a.project);
      await s.create('projects', { kind: 'Project', metadata: s.metadataFor(a.project), spec: {} });
    },
  },
  {
    name: 'project_delete',
    method: 'DELETE',
    path: '/project/:project',
    async run(s, a) {
      s.requireAdmin();
      const p = await s.mustFind('projects', 'Project', a.project);
      const name = p.metadata.name!;
      if ((await s.list('nodes', { path: ['spec', 'project'], value: name })).length)
        throw hil.blocked('Project has nodes still');
      const networks = await s.list('networks');
      if (networks.some((n) => specOf(n).owner === name)) throw hil.blocked('Project still has networks');
      if (networks.some((n) => (specOf(n).accessProjects ?? []).includes(name)))
        throw hil.blocked('Project can still access networks');
      if ((await s.list('headnodes', { path: ['spec', 'project'], value: name })).length)
        throw hil.blocked('Project still has a headnode');
      await s.remove('projects', name);
      // HIL drops the db-auth memberships with the project; a project made again later starts with no members.
      for (const u of await s.list('users')) {
        const projects: string[] = specOf(u).projects ?? [];
        if (projects.includes(name))
          await s.patchFound('users', u, { spec: { projects: projects.filter((x) => x !== name) } });
      }
    },
  },
  {
    name: 'project_connect_node',
    method: 'POST',
    path: '/project/:project/connect_node',
    args: { node: 'string' },
    async run(s, a) {
      const p = await s.mustFind('projects', 'Project', a.project);
      s.requireAccess(p.metadata.name);
      const node = await s.mustFind('nodes', 'Node', a.node);
      if (specOf(node).project) throw hil.blocked('Node is already owned by a project.');
      await s.patchFound('nodes', node, { spec: { project: p.metadata.name } });
    },
  },
  {
    name: 'project_detach_node',
    method: 'POST',
    path: '/project/:project/detach_node',
    args: { node: 'string' },
    async run(s, a) {
      const p = await s.mustFind('projects', 'Project', a.project);
      s.requireAccess(p.metadata.name);
      const node = await s.mustFind('nodes', 'Node', a.node);
      if (specOf(node).project !== p.metadata.name) throw hil.notFound('Node not in project');
      // HIL: the OBM must be disabled first. An obmd node's is enabled unless spec.obm.enabled is false; other
      // types (which had no such switch before HIL 0.4) only when it was explicitly enabled.
      const obm = specOf(node).obm ?? {};
      if (obm.enabled === true || (obm.type === 'obmd' && obm.enabled !== false))
        throw hil.blocked("Node's obm is enabled.");
      const attachments = await s.list('networkattachments', { path: ['spec', 'node'], value: node.metadata.name! });
      if (attachments.length) {
        // A detach still under way is HIL's pending action; anything else is an attachment.
        if (attachments.every((x) => x.metadata.deletionTimestamp))
          throw hil.blocked('Node has pending network actions');
        throw hil.blocked('Node attached to a network');
      }
      await s.patchFound('nodes', node, { spec: { project: '' } });
    },
  },
  {
    name: 'list_project_nodes',
    method: 'GET',
    path: '/project/:project/nodes',
    async run(s, a) {
      const p = await s.mustFind('projects', 'Project', a.project);
      s.requireAccess(p.metadata.name);
      return {
        body: sorted((await s.list('nodes', { path: ['spec', 'project'], value: p.metadata.name! })).map(hilNameOf)),
      };
    },
  },
  {
    name: 'list_project_networks',
    method: 'GET',
    path: '/project/:project/networks',
    async run(s, a) {
      const p = await s.mustFind('projects', 'Project', a.project);
      const name = p.metadata.name!;
      s.requireAccess(name);
      // HIL's access list of a project-owned network holds its owner; public networks are not listed.
      const nets = (await s.list('networks')).filter(
        (n) => specOf(n).owner === name || (specOf(n).accessProjects ?? []).includes(name),
      );
      return { body: sorted(nets.map(hilNameOf)) };
    },
  },
];
