// `hilctl attach NODE NIC NETWORK [--tagged]` and `hilctl detach NODE NIC NETWORK` — HIL's
// node_connect_network / node_detach_network, written as NetworkAttachment objects: attach creates one named
// `<node>-<nic>-<network>`, detach deletes whichever attachment joins that NIC to that network.
import { createHash } from 'node:crypto';
import { collectionPath, objectPath, objectRef, type ResourceInfo } from './discovery.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { deletedName } from './delete.js';
import { CliError, StatusError } from './errors.js';
import type { Session } from './session.js';
import { deadlineFrom, describeFor, waitForObject, type WaitFor } from './wait.js';

/**
 * `<node>-<nic>-<network>`, made a valid object name: lower case, other characters become `-`. When that
 * changed anything (two NIC names could then collide) or the name is too long, a short hash keeps it unique.
 */
export function attachmentName(node: string, nic: string, network: string): string {
  const raw = `${node}-${nic}-${network}`;
  let name = raw
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (name !== raw || name.length > 253) {
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 6);
    name = `${name.slice(0, 253 - 7).replace(/[^a-z0-9]+$/, '')}-${hash}`;
  }
  return name;
}

async function findAttachments(
  s: Session,
  r: ResourceInfo,
  node: string,
  nic: string,
  network: string,
): Promise<any[]> {
  const l = await s.client.get(collectionPath(r), {
    fieldSelector: `spec.node=${node},spec.nic=${nic},spec.network=${network}`,
  });
  return l?.items ?? [];
}

export interface AttachOptions {
  tagged?: boolean;
  name?: string;
  wait?: boolean;
  timeout?: string;
  dryRun?: string;
}

export async function runAttach(
  s: Session,
  node: string,
  nic: string,
  network: string,
  o: AttachOptions,
): Promise<number> {
  const dryRun = parseDryRun(o.dryRun);
  const d = await s.discovery();
  const nodes = d.hil('Node');
  const nets = d.hil('Network');
  const atts = d.hil('NetworkAttachment');
  // HIL's checks first, so the error says what is wrong in HIL's terms.
  const n = await s.client.getIfExists(objectPath(nodes, node));
  if (!n) throw new CliError(`node "${node}" does not exist`);
  const nics: string[] = (n.spec?.nics ?? []).map((x: any) => x.name);
  if (!nics.includes(nic))
    throw new CliError(`node "${node}" has no NIC "${nic}" (it has: ${nics.join(', ') || 'none'})`);
  if (!(await s.client.getIfExists(objectPath(nets, network))))
    throw new CliError(`network "${network}" does not exist`);
  const existing = await findAttachments(s, atts, node, nic, network);
  if (existing.length) {
    throw new CliError(
      `${node}/${nic} is already attached to ${network} (${existing.map((a) => objectRef(atts, a.metadata.name)).join(', ')})`,
    );
  }
  const name = o.name ?? attachmentName(node, nic, network);
  const body = {
    apiVersion: `${atts.group}/${atts.version}`,
    kind: atts.kind,
    metadata: { name },
    spec: { node, nic, network, channel: o.tagged ? 'tagged' : 'native' },
  };
  await s.client.request('POST', collectionPath(atts), {
    query: {
      fieldManager: 'hilctl-attach',
      fieldValidation: 'Strict',
      dryRun: dryRun === 'server' ? 'All' : undefined,
    },
    body,
  });
  const ref = objectRef(atts, name);
  s.out(`${ref} created${dryRunSuffix(dryRun)}`);
  if (o.wait && dryRun === 'none') {
    const f: WaitFor = { t: 'condition', type: 'Ready', status: 'True' };
    const r = await waitForObject(s, atts, name, undefined, f, deadlineFrom(o.timeout, 60_000));
    if (r !== 'met') {
      s.err(`error: timed out waiting for ${describeFor(f)} on ${ref}; "hilctl describe hna ${name}" says why`);
      return 1;
    }
    s.out(`${ref} condition met`);
  }
  return 0;
}

export interface DetachOptions {
  wait?: boolean;
  timeout?: string;
  dryRun?: string;
}

export async function runDetach(
  s: Session,
  node: string,
  nic: string,
  network: string,
  o: DetachOptions,
): Promise<number> {
  const dryRun = parseDryRun(o.dryRun);
  const d = await s.discovery();
  const atts = d.hil('NetworkAttachment');
  const found = await findAttachments(s, atts, node, nic, network);
  if (!found.length) throw new CliError(`${node}/${nic} is not attached to ${network}`);
  let failed = false;
  for (const a of found) {
    try {
      const res = await s.client.request('DELETE', objectPath(atts, a.metadata.name), {
        query: { dryRun: dryRun === 'server' ? 'All' : undefined },
        body: { kind: 'DeleteOptions', apiVersion: 'v1' },
      });
      s.out(`${deletedName(atts, a.metadata.name)} deleted${dryRunSuffix(dryRun)}`);
      if (o.wait && dryRun === 'none') {
        const r = await waitForObject(
          s,
          atts,
          a.metadata.name,
          undefined,
          { t: 'delete' },
          deadlineFrom(o.timeout, 60_000),
          { uid: res.body?.metadata?.uid },
        );
        if (r !== 'met') {
          s.err(
            `error: timed out waiting for ${deletedName(atts, a.metadata.name)} to be deleted (the switch port is reverted first)`,
          );
          failed = true;
        }
      }
    } catch (err) {
      if (err instanceof StatusError && err.httpStatus === 404) continue;
      throw err;
    }
  }
  return failed ? 1 : 0;
}
