// The whole of `hil-admin import-hil SOURCE`: read the HIL database completely (a bad source fails here, before
// anything is written), then import it, and print the plan or what was done.
import { join } from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { Registry } from '../registry.js';
import { importHil, type ImportOptions, type ImportReport, type PlanEntry } from './import.js';
import { readHilSite } from './read.js';
import { openHilSource, SourceError } from './source.js';

export { SourceError };

export async function importHilDatabase(
  source: string,
  o: Omit<ImportOptions, 'registry'> & { registry?: Registry },
): Promise<ImportReport> {
  const src = await openHilSource(source);
  let site;
  try {
    site = await readHilSite(src);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`cannot read ${src.description}: ${(err as Error).message}`);
  } finally {
    await src.close().catch(() => {});
  }
  return importHil(site, { ...o, registry: o.registry ?? Registry.fromCrdDir(join(packageRoot(), 'crds')) });
}

const WORDS: Record<PlanEntry['action'], [string, string]> = {
  create: ['would create', 'created'],
  update: ['would update', 'updated'],
  unchanged: ['unchanged', 'unchanged'],
  skip: ['not imported', 'not imported'],
};

/** The plan (dry run) or what was done, one line per object, then the notes and a summary. */
export function formatReport(r: ImportReport, dryRun: boolean): string {
  const rows = r.entries.map((e) => [WORDS[e.action][dryRun ? 0 : 1], e.kind, e.hil, e.name ?? '-', e.detail ?? '']);
  const head = ['ACTION', 'KIND', 'HIL', 'NAME', 'DETAIL'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]) =>
    x
      .map((c, i) => (i === x.length - 1 ? c : c.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  const count = (a: PlanEntry['action']) => r.entries.filter((e) => e.action === a).length;
  return [
    line(head),
    ...rows.map(line),
    '',
    ...r.notes.map((n) => `note: ${n}`),
    `${dryRun ? 'dry run, nothing written: ' : ''}${count('create')} ${dryRun ? 'to create' : 'created'}, ${count('update')} ${dryRun ? 'to update' : 'updated'}, ${count('unchanged')} unchanged, ${count('skip')} not imported`,
  ].join('\n');
}
