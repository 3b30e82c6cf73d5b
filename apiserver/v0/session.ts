// One v0 request's view of the stored resources. Lookups read the store (HIL reveals whether an object exists
// before it checks rights, so these reads are what decides between HIL's 404 and 401); every write goes through the
// resource handlers with the caller's UserInfo, so the authorization, admission and invariants are the resource
// API's own. HIL's two authorization primitives (admin; access to a project) are here only to give HIL's errors in
// HIL's order before a write is tried.
import type { ConsoleBackend } from '../handlers/console.js';
import type { ResourceHandlers, RequestInfo } from '../handlers/resources.js';
import type { UserCredentials } from '../handlers/users.js';
import type { KObject } from '../object.js';
import type { Registry, ResourceType } from '../registry.js';
import type { CredentialStore, Store } from '../store/store.js';
import type { UserInfo } from '../auth/user.js';
import { ADMIN_ONLY, hil, NO_PROJECT_ACCESS } from './errors.js';
import { hilNameAnnotations, hilNameOf, isKeptName, looksMapped, resourceName } from './names.js';

export const SYSTEM_NAMESPACE = 'hil-system';

export interface V0Deps {
  store: Store & CredentialStore;
  registry: Registry;
  handlers: ResourceHandlers;
  credentials: UserCredentials;
  /** The auth backend's name: the db-auth calls exist only with "database", as HIL's extension. */
  authBackend: string;
  /** hil.cfg [headnode] base_imgs (list_headnode_images; headnode_create's check). */
  headnodeBaseImages?: readonly string[];
  /** The serial console backend of nodes/NAME/console (show_console streams through the same endpoint code). */
  console?: ConsoleBackend;
  /** How long a power or boot-device call waits for the node controller to have done it (default 30 000 ms). */
  obmWaitMs?: number;
}

/** hil.io kinds by plural, and the core Secret. */
export type Plural =
  'projects' | 'nodes' | 'networks' | 'networkattachments' | 'switches' | 'ports' | 'users' | 'headnodes' | 'secrets';

/** The bookkeeping the v0 layer writes for itself (the networking-action records on Nodes) is written as this user. */
const V0_SYSTEM: UserInfo = { name: 'system:hil-v0', admin: true, projects: [] };

export class V0Session {
  constructor(
    readonly deps: V0Deps,
    readonly user: UserInfo,
  ) {}

  type(plural: Plural): ResourceType {
    const t =
      plural === 'secrets'
        ? this.deps.registry.lookup('', 'v1', 'secrets')
        : this.deps.registry.lookup('hil.io', 'v1alpha1', plural);
    if (!t) throw new Error(`v0: kind ${plural} is not registered`);
    return t;
  }

  private info(plural: Plural, name?: string, user = this.user): RequestInfo {
    return {
      type: this.type(plural),
      namespace: plural === 'secrets' ? SYSTEM_NAMESPACE : '',
      name,
      user,
      query: { fieldValidation: 'Strict' },
      contentType: 'application/merge-patch+json',
      accept: undefined,
      userAgent: 'hil-v0',
    };
  }

  private key(plural: Plural): string {
    return plural === 'secrets' ? 'core/secrets' : `hil.io/${plural}`;
  }

  // ---- reads -----------------------------------------------------------------------------------------------

  async get(plural: Plural, name: string): Promise<KObject | undefined> {
    return (await this.deps.store.get(this.key(plural), plural === 'secrets' ? SYSTEM_NAMESPACE : '', name))?.object;
  }

  async list(plural: Plural, fieldEquals?: { path: string[]; value: string }): Promise<KObject[]> {
    const r = await this.deps.store.list(this.key(plural), fieldEquals ? { fieldEquals } : {});
    // The database filter is a hint (it may match loosely); the exact comparison is made here.
    return r.items
      .map((i) => i.object)
      .filter((o) => !fieldEquals || fieldEquals.path.reduce<any>((v, k) => v?.[k], o) === fieldEquals.value);
  }

  /**
   * The object a HIL name names: the one under its mapped name that carries that HIL name. An object made through
   * the resource API under a name of the mapped shape (and so without the annotation) is found under its own name.
   */
  async find(plural: Plural, hilName: string): Promise<KObject | undefined> {
    const o = await this.get(plural, resourceName(hilName));
    if (o && hilNameOf(o) === hilName) return o;
    if (!isKeptName(hilName) && looksMapped(hilName) && hilName !== resourceName(hilName)) {
      const own = await this.get(plural, hilName);
      if (own && hilNameOf(own) === hilName) return own;
    }
    return undefined;
  }

  async mustFind(plural: Plural, cls: string, hilName: string): Promise<KObject> {
    const o = await this.find(plural, hilName);
    if (!o) throw hil.missing(cls, hilName);
    return o;
  }

  /** For a create: refuses a HIL name whose resource name is taken by an object of another HIL name (a hash collision). */
  async checkFree(plural: Plural, cls: string, hilName: string): Promise<void> {
    const name = resourceName(hilName);
    const o = await this.get(plural, name);
    if (!o) return;
    if (hilNameOf(o) === hilName) throw hil.exists(cls, hilName);
    throw hil.blocked(
      `${cls} ${hilName} cannot be created: its resource name ${name} is taken by ${cls} ${hilNameOf(o)}.`,
    );
  }

  /** metadata for a new object named by a HIL name. */
  metadataFor(hilName: string): KObject['metadata'] {
    const annotations = hilNameAnnotations(hilName);
    return { name: resourceName(hilName), ...(annotations ? { annotations } : {}) };
  }

  // ---- writes, through the resource handlers -----------------------------------------------------------------

  async create(plural: Plural, obj: Omit<KObject, 'apiVersion' | 'kind'> & { kind: string }): Promise<KObject> {
    const t = this.type(plural);
    const body = { apiVersion: t.group ? `${t.group}/${t.version}` : t.version, ...obj };
    const r = await this.deps.handlers.create({ ...this.info(plural), contentType: 'application/json' }, body);
    return r.body as KObject;
  }

  /** A JSON merge patch; with `resourceVersion`, only if the object is still at it (409 otherwise). */
  async patch(
    plural: Plural,
    name: string,
    patch: Record<string, unknown>,
    options: { resourceVersion?: string; asSystem?: boolean } = {},
  ): Promise<KObject> {
    const body = options.resourceVersion
      ? { ...patch, metadata: { ...((patch.metadata as object) ?? {}), resourceVersion: options.resourceVersion } }
      : patch;
    const r = await this.deps.handlers.patch(
      this.info(plural, name, options.asSystem ? V0_SYSTEM : this.user),
      Buffer.from(JSON.stringify(body)),
    );
    return r.body as KObject;
  }

  /** A JSON merge patch of an object read before: only if it is still at the version read (409 otherwise). */
  async patchFound(plural: Plural, found: KObject, patch: Record<string, unknown>): Promise<KObject> {
    return this.patch(plural, found.metadata.name!, patch, { resourceVersion: found.metadata.resourceVersion });
  }

  async remove(plural: Plural, name: string): Promise<void> {
    await this.deps.handlers.delete(this.info(plural, name), undefined);
  }

  /**
   * Deletes, then waits (up to `ms`) until the object is gone: HIL's deletes are synchronous, and a HIL script
   * deletes a project's networks and then the project; a controller's finalizer (a network's VLAN going back to
   * the pool, a headnode's VM) must not make that second call fail. After `ms` the deletion just goes on.
   */
  async removeAndWait(plural: Plural, found: KObject, ms = 10_000): Promise<void> {
    await this.remove(plural, found.metadata.name!);
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const o = await this.get(plural, found.metadata.name!);
      if (!o || o.metadata.uid !== found.metadata.uid) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Deletes if present (cleanup of what the v0 layer made beside an object, e.g. its credentials Secret). */
  async removeIfPresent(plural: Plural, name: string): Promise<void> {
    try {
      await this.remove(plural, name);
    } catch (err) {
      if (!(err && (err as { code?: number }).code === 404)) throw err;
    }
  }

  // ---- HIL's authorization primitives -------------------------------------------------------------------------

  get isAdmin(): boolean {
    return this.user.admin;
  }

  /** HIL's have_project_access: admins have access to every project; `null` (a free node, an admin-owned network) means admin only. */
  hasAccess(project: string | null | undefined): boolean {
    if (this.user.admin) return true;
    return !!project && this.user.projects.includes(project);
  }

  requireAdmin(): void {
    if (!this.user.admin) throw hil.unauthorized(ADMIN_ONLY);
  }

  requireAccess(project: string | null | undefined): void {
    if (!this.hasAccess(project)) throw hil.unauthorized(NO_PROJECT_ACCESS);
  }

  /** The HIL name of a referenced object (a project named in a spec), or the reference itself when it is gone. */
  async hilNameOfRef(plural: Plural, name: string): Promise<string> {
    const o = await this.get(plural, name);
    return o ? hilNameOf(o) : name;
  }
}
