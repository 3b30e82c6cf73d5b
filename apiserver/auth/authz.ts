// Authorization: HIL's rules, per kind. Admins do everything. A project member sees and acts only within their
// projects: claim a free node and release it, power and boot it, create and delete networks their project owns and
// grant other projects access, attach their nodes to networks their project may use, manage their headnodes.
// Switches, Ports, Users (but their own), Secrets, Leases and Namespaces are admin-only. List and watch are
// filtered with the same rules. Every refusal is a 403 naming the rule.
import { ApiError } from '../errors.js';
import type { AdmissionPlugin, WriteOp } from '../handlers/resources.js';
import { deepEqual, specOf, type KObject } from '../object.js';
import type { ResourceType } from '../registry.js';
import { storeKey } from '../registry.js';
import type { StoreTx } from '../store/store.js';
import type { UserInfo } from './user.js';

/** The label the server stamps on attachments and events: the project they belong to. */
export const PROJECT_LABEL = 'hil.io/project';
export { POWER_CYCLE_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { HIL_HNIC_NAMES_ANNOTATION, POWER_CYCLE_ANNOTATION } from '../../api/v1alpha1/annotations.js';

const ADMIN_ONLY = new Set([
  'hil.io/switches',
  'hil.io/ports',
  'core/secrets',
  'coordination.k8s.io/leases',
  'core/namespaces',
]);

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export function forbidden(
  user: UserInfo,
  verb: string,
  t: ResourceType,
  name: string | undefined,
  rule: string,
): ApiError {
  const what = t.group ? `${t.plural}.${t.group}` : t.plural;
  const subject = name ? `${what} "${name}"` : what;
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${verb} resource "${t.plural}" in API group "${t.group}": ${rule}`,
    { name, group: t.group, kind: t.plural },
  );
}

const spec = specOf;

/** The project(s) an object belongs to, for visibility. undefined: visible to members of no project. */
function networkProjects(o: KObject): string[] {
  const s = spec(o);
  return [s.owner, ...(s.accessProjects ?? [])].filter((p): p is string => typeof p === 'string' && p !== '');
}

export function networkAccessibleBy(network: KObject, project: string): boolean {
  const s = spec(network);
  return s.public === true || s.owner === project || (s.accessProjects ?? []).includes(project);
}

export class Authorizer {
  /** Kind- and verb-level rules, before any object is read. Throws 403. */
  checkRequest(user: UserInfo, verb: Verb, t: ResourceType, name?: string, subresource?: string): void {
    if (user.admin) return;
    const key = storeKey(t);
    const reading = verb === 'get' || verb === 'list' || verb === 'watch';
    if (ADMIN_ONLY.has(key)) throw forbidden(user, verb, t, name, `${t.plural} are administrator-only`);
    if (verb === 'deletecollection') throw forbidden(user, verb, t, name, 'deleting collections is administrator-only');
    if (subresource === 'status' && !reading)
      throw forbidden(user, verb, t, name, 'status is written by the controllers (administrators) only');
    switch (key) {
      case 'hil.io/users':
        if (!reading) throw forbidden(user, verb, t, name, 'users are managed by administrators');
        if (verb === 'get' && name !== user.name)
          throw forbidden(user, verb, t, name, 'you may only read your own user');
        return;
      case 'hil.io/projects':
        if (!reading) throw forbidden(user, verb, t, name, 'projects are managed by administrators');
        if (verb === 'get' && name && !user.projects.includes(name))
          throw forbidden(user, verb, t, name, 'you are not a member of this project');
        return;
      case 'core/events':
        if (!reading)
          throw forbidden(user, verb, t, name, 'events are written by the controllers (administrators) only');
        return;
      default:
        return;
    }
  }

  /** Whether the user may see this object (get; list and watch filter with it). */
  visible(user: UserInfo, t: ResourceType, o: KObject): boolean {
    if (user.admin) return true;
    const mine = (p: unknown) => typeof p === 'string' && p !== '' && user.projects.includes(p);
    switch (storeKey(t)) {
      case 'hil.io/nodes':
        // Free nodes are visible to everyone, as in HIL (so members can find one to claim).
        return spec(o).project === '' || spec(o).project === undefined || mine(spec(o).project);
      case 'hil.io/networks':
        return spec(o).public === true || networkProjects(o).some(mine);
      case 'hil.io/networkattachments':
      case 'core/events':
        return mine(o.metadata.labels?.[PROJECT_LABEL]);
      case 'hil.io/headnodes':
        return mine(spec(o).project);
      case 'hil.io/projects':
        return mine(o.metadata.name);
      case 'hil.io/users':
        return o.metadata.name === user.name;
      default:
        return false;
    }
  }

  /**
   * Whether the caller may write this stored object at all, decided before the request's body is applied to it:
   * nothing of an object the caller may not write reaches them through a validation error, a failed JSON patch
   * `test`, a precondition or a conflict. The message names only what the caller sent (the object's name).
   */
  authorizeStored(user: UserInfo, op: 'update' | 'delete', t: ResourceType, old: KObject): void {
    if (user.admin) return;
    const mine = (p: unknown) => typeof p === 'string' && p !== '' && user.projects.includes(p);
    const deny = (rule: string) => forbidden(user, op, t, old.metadata.name, rule);
    switch (storeKey(t)) {
      case 'hil.io/nodes': {
        const project = spec(old).project ?? '';
        if (project !== '' && !mine(project)) throw deny('the node belongs to a project you are not a member of');
        return; // a free node: only claiming it is allowed (admitWrite)
      }
      case 'hil.io/networks': {
        const owner = spec(old).owner ?? '';
        if (owner === '') throw deny('admin-owned networks (spec.owner "") are managed by administrators');
        if (!mine(owner)) throw deny('the network is owned by a project you are not a member of');
        return;
      }
      case 'hil.io/networkattachments':
        if (!mine(old.metadata.labels?.[PROJECT_LABEL]))
          throw deny('the attachment belongs to a project you are not a member of');
        return;
      case 'hil.io/headnodes':
        if (!mine(spec(old).project)) throw deny('the headnode belongs to a project you are not a member of');
        return;
      default:
        throw deny('administrator-only');
    }
  }

  /** Write rules that need the object (and sometimes others): runs inside the write transaction. */
  readonly admission: AdmissionPlugin = {
    name: 'authorization',
    authorizeStored: ({ op, type, old, user }) => this.authorizeStored(user, op, type, old),
    admit: async ({ op, type: t, object, old, user, tx, subresource }) => {
      if (user.admin || subresource) return; // status writes were refused at the request level
      await this.admitWrite(op, t, user, tx, object, old);
    },
  };

  private async admitWrite(
    op: WriteOp,
    t: ResourceType,
    user: UserInfo,
    tx: StoreTx,
    object?: KObject,
    old?: KObject,
  ): Promise<void> {
    const name = (object ?? old)!.metadata.name;
    const verb = op;
    const mine = (p: unknown) => typeof p === 'string' && p !== '' && user.projects.includes(p);
    const deny = (rule: string) => forbidden(user, verb, t, name, rule);
    switch (storeKey(t)) {
      case 'hil.io/nodes': {
        if (op !== 'update') throw deny('nodes are enrolled and removed by administrators');
        const before = spec(old).project ?? '';
        const after = spec(object).project ?? '';
        if (before !== '' && !mine(before)) throw deny('the node belongs to a project you are not a member of');
        if (after !== '' && !mine(after))
          throw deny(`you may only claim a node for a project you are a member of, not "${after}"`);
        // A free node is nobody's: its power, boot device, labels and annotations are the administrators'.
        if (before === '' && after === '')
          throw deny('the node is free: members may only claim it (set spec.project to one of their projects)');
        const strip = (o: KObject | undefined) => {
          const { project: _p, power: _w, bootDevice: _b, obm, ...rest } = spec(o);
          // HIL's node_enable_obm / node_disable_obm are the project's: spec.obm.enabled, and only that, is theirs.
          const { enabled: _e, ...obmRest } = (obm ?? {}) as Record<string, unknown>;
          return { ...rest, obm: obmRest };
        };
        if (!deepEqual(strip(object), strip(old))) {
          throw deny(
            'project members may change only spec.project (claim or release), spec.power, spec.bootDevice and spec.obm.enabled of a node',
          );
        }
        checkMetadata(old!, object!, deny, [POWER_CYCLE_ANNOTATION]);
        return;
      }
      case 'hil.io/networks': {
        const owner = spec(op === 'create' ? object : old).owner ?? '';
        if (owner === '') throw deny('admin-owned networks (spec.owner "") are managed by administrators');
        if (!mine(owner)) throw deny(`the network is owned by project "${owner}", which you are not a member of`);
        if (op === 'update') {
          for (const f of ['owner', 'vlan', 'public']) {
            if (!deepEqual(spec(object)[f], spec(old)[f]))
              throw deny(`project members may not change spec.${f} of a network`);
          }
          checkMetadata(old!, object!, deny, []);
        }
        return;
      }
      case 'hil.io/networkattachments': {
        if (op !== 'create') {
          if (!mine(old!.metadata.labels?.[PROJECT_LABEL]))
            throw deny('the attachment belongs to a project you are not a member of');
          if (op === 'update') checkMetadata(old!, object!, deny, []);
          return;
        }
        const s = spec(object);
        const node = await tx.get('hil.io/nodes', '', String(s.node));
        const project = spec(node?.object).project ?? '';
        if (!node || !mine(project))
          throw deny(`node "${String(s.node)}" does not exist or is not in one of your projects`);
        const net = await tx.get('hil.io/networks', '', String(s.network));
        if (!net || !networkAccessibleBy(net.object, project)) {
          throw deny(`network "${String(s.network)}" does not exist or project "${project}" has no access to it`);
        }
        return;
      }
      case 'hil.io/headnodes': {
        for (const o of [old, object]) {
          if (o && !mine(spec(o).project))
            throw deny(`headnodes belong to a project; you are not a member of "${String(spec(o).project ?? '')}"`);
        }
        if (op === 'update') checkMetadata(old!, object!, deny, [HIL_HNIC_NAMES_ANNOTATION]);
        // Each hnic's network (new or changed ones): the headnode's project must have access, as for attachments.
        if (object) {
          const project = String(spec(object).project);
          const before = new Map(
            ((old && spec(old).hnics) ?? []).map((h: { name: string; network?: string }) => [h.name, h.network]),
          );
          for (const h of (spec(object).hnics ?? []) as { name: string; network?: string }[]) {
            if (!h.network || before.get(h.name) === h.network) continue;
            const net = await tx.get('hil.io/networks', '', h.network);
            if (!net || !networkAccessibleBy(net.object, project))
              throw deny(
                `network "${h.network}" of hnic "${h.name}" does not exist or project "${project}" has no access to it`,
              );
          }
        }
        return;
      }
      default:
        throw deny('administrator-only');
    }
  }
}

/** Members may change labels and annotations (kubectl apply keeps its own), but not finalizers or hil.io/ keys. */
function checkMetadata(old: KObject, next: KObject, deny: (rule: string) => ApiError, allowedHilKeys: string[]): void {
  if (!deepEqual(old.metadata.finalizers ?? [], next.metadata.finalizers ?? []))
    throw deny('finalizers are managed by the controllers');
  for (const field of ['labels', 'annotations'] as const) {
    const a = old.metadata[field] ?? {};
    const b = next.metadata[field] ?? {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (k.startsWith('hil.io/') && !allowedHilKeys.includes(k) && a[k] !== b[k]) {
        throw deny(`metadata.${field}["${k}"] is managed by HIL`);
      }
    }
  }
}
