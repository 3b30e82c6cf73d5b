// How the daemon keeps project counts: informational, so it lags on purpose (one write per project per half second
// at most, low priority). A project is recounted when it, or a node, network or headnode that names it (now or
// before the change), changes; and every project each resync.
import type { Controller } from '../runtime/controller.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { ProjectStatusReconciler } from './project-status-reconciler.js';

const DELAY_MS = 500;

export function wireProjectStatus(w: Wiring): Controller {
  const { inf } = w;
  const controller = addController(
    w,
    'project-status',
    new ProjectStatusReconciler({ client: w.client, cache: w.cache }),
    1,
  );
  const later = (project: string | undefined) => project && controller.enqueueAfter(project, DELAY_MS, 'low');
  /** The project each object named when last seen, per kind: a move recounts both projects. */
  const follow = (projectOf: (o: any) => string | undefined) => {
    const last = new Map<string, string | undefined>();
    return (o: { metadata: { name?: string } }, deleted = false) => {
      const name = o.metadata.name!;
      const now = deleted ? undefined : projectOf(o);
      later(last.get(name));
      later(now);
      if (deleted) last.delete(name);
      else last.set(name, now);
    };
  };
  const onNode = follow((n) => n.spec?.project);
  const onNetwork = follow((n) => n.spec?.owner);
  const onHeadnode = follow((h) => h.spec?.project);
  for (const [informer, on] of [
    [inf.nodes, onNode],
    [inf.networks, onNetwork],
    [inf.headnodes, onHeadnode],
  ] as const) {
    informer.on('add', (o) => on(o));
    informer.on('update', (o) => on(o));
    informer.on('delete', (o) => on(o, true));
  }
  inf.projects.on('change', (p) => later(p.metadata.name));
  everyResync(w, () => inf.projects.list().forEach((p) => controller.enqueue(p.metadata.name!, 'low')));
  return controller;
}
