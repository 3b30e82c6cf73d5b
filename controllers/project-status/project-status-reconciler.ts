// Project status: how many nodes are lent to the project, how many networks it owns and how many headnodes it has —
// the NODES, NETWORKS and HEADNODES columns of `kubectl get projects` (HIL's list_project_nodes and friends, counted).
// Key: the project name. Reads only the cache; writes status only when a count changes.
import { deepEqual } from '../../api/meta/equal.js';
import { lookup, type ObjectCache } from '../cache.js';
import { isNotFound, type HilClient } from '../client.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';

export function projectCounts(
  name: string,
  cache: ObjectCache,
): { nodes: number; networks: number; headnodes: number } {
  return {
    nodes: lookup(cache, 'nodesByProject', name).length,
    networks: lookup(cache, 'networksByOwner', name).length,
    headnodes: lookup(cache, 'headnodesByProject', name).length,
  };
}

export class ProjectStatusReconciler implements Reconciler {
  constructor(private readonly o: { client: HilClient; cache: ObjectCache }) {}

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    const project = this.o.cache.get('projects', req.key);
    if (!project || project.metadata.deletionTimestamp || signal.aborted) return {};
    const counts = projectCounts(req.key, this.o.cache);
    const st = project.status ?? {};
    if (deepEqual(counts, { nodes: st.nodes, networks: st.networks, headnodes: st.headnodes })) return {};
    try {
      await this.o.client.patchStatus('projects', req.key, {
        ...counts,
        observedGeneration: project.metadata.generation,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return {};
  }
}
