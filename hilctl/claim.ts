// `hilctl project claim NODE [--project P]` and `hilctl project release NODE` — HIL's project_connect_node /
// project_detach_node, written as Node spec.project. Both patch with the resourceVersion they read, so two
// people claiming the same free node cannot both win.
import { collectionPath, objectPath, objectRef } from './discovery.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { CliError, StatusError } from './errors.js';
import type { Session } from './session.js';

export interface ClaimOptions {
  project?: string;
  dryRun?: string;
}

/** --project, or the caller's only project (list is filtered by authorization, so a member sees only theirs). */
export async function chooseProject(s: Session, given: string | undefined): Promise<string> {
  if (given) return given;
  const d = await s.discovery();
  const l = await s.client.get(collectionPath(d.hil('Project')));
  const names: string[] = (l?.items ?? []).map((p: any) => p.metadata.name);
  if (names.length === 1) return names[0];
  if (!names.length) throw new CliError('you have no project to claim the node for; pass --project P');
  throw new CliError(`you can act for several projects (${names.join(', ')}); say which with --project P`);
}

function conflictText(err: unknown, node: string): never {
  if (err instanceof StatusError && err.httpStatus === 409 && /modified/.test(err.message)) {
    throw new CliError(
      `node "${node}" changed while claiming it (someone else was quicker?); look again with "hilctl get hn ${node}"`,
    );
  }
  throw err;
}

export async function runClaim(s: Session, node: string, o: ClaimOptions): Promise<number> {
  const dryRun = parseDryRun(o.dryRun);
  const d = await s.discovery();
  const r = d.hil('Node');
  const path = objectPath(r, node);
  const n = await s.client.get(path);
  const project = await chooseProject(s, o.project);
  const ref = objectRef(r, node);
  const current: string = n.spec?.project ?? '';
  if (current === project) {
    s.out(`${ref} already belongs to project ${project} (unchanged)`);
    return 0;
  }
  if (current) throw new CliError(`node "${node}" belongs to project "${current}"; it must be released first`);
  try {
    await s.client.request('PATCH', path, {
      query: { fieldManager: 'hilctl-claim', dryRun: dryRun === 'server' ? 'All' : undefined },
      body: { metadata: { resourceVersion: n.metadata.resourceVersion }, spec: { project } },
      contentType: 'application/merge-patch+json',
    });
  } catch (err) {
    conflictText(err, node);
  }
  s.out(`${ref} claimed by project ${project}${dryRunSuffix(dryRun)}`);
  return 0;
}

export async function runRelease(s: Session, node: string, o: ClaimOptions): Promise<number> {
  const dryRun = parseDryRun(o.dryRun);
  const d = await s.discovery();
  const r = d.hil('Node');
  const path = objectPath(r, node);
  const n = await s.client.get(path);
  const ref = objectRef(r, node);
  const current: string = n.spec?.project ?? '';
  if (!current) {
    s.out(`${ref} is already free (unchanged)`);
    return 0;
  }
  if (o.project && o.project !== current)
    throw new CliError(`node "${node}" belongs to project "${current}", not "${o.project}"`);
  // HIL's rule, said before the server says it: a node leaves its project only with no attachments left.
  const atts = d.hil('NetworkAttachment');
  const l = await s.client.get(collectionPath(atts), { fieldSelector: `spec.node=${node}` });
  const left: any[] = l?.items ?? [];
  const attached = left.filter((a) => !a.metadata?.deletionTimestamp);
  if (attached.length) {
    const lines = attached.map((a) => `  hilctl detach ${node} ${a.spec?.nic} ${a.spec?.network}`);
    throw new CliError(
      `node "${node}" is still attached to ${attached.length === 1 ? 'a network' : `${attached.length} networks`}; detach first:\n${lines.join('\n')}`,
    );
  }
  if (left.length) {
    // Detached, but the switch has not reverted the port yet (the attachment's finalizer is still there).
    const names = left.map((a) => a.metadata?.name).join(', ');
    throw new CliError(
      `node "${node}" is being detached (${names}): waiting for the switch to revert the port; try again shortly, or detach with --wait first`,
    );
  }
  try {
    await s.client.request('PATCH', path, {
      query: { fieldManager: 'hilctl-claim', dryRun: dryRun === 'server' ? 'All' : undefined },
      body: { metadata: { resourceVersion: n.metadata.resourceVersion }, spec: { project: '' } },
      contentType: 'application/merge-patch+json',
    });
  } catch (err) {
    conflictText(err, node);
  }
  s.out(`${ref} released from project ${current}${dryRunSuffix(dryRun)}`);
  return 0;
}
