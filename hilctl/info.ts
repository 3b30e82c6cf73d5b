// `hilctl api-resources` (what KIND arguments the server understands) and `hilctl version`.
import { HILCTL_VERSION } from './client.js';
import { ColumnWriter } from './printers.js';
import type { Session } from './session.js';

export async function runApiResources(s: Session, o: { output?: string; noHeaders?: boolean }): Promise<number> {
  const d = await s.discovery();
  const rs = [...d.resources].sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
  if (o.output === 'name') {
    s.write(rs.map((r) => `${r.group ? `${r.name}.${r.group}` : r.name}\n`).join(''));
    return 0;
  }
  const rows = rs.map((r) => [
    r.name,
    r.shortNames.join(','),
    r.group ? `${r.group}/${r.version}` : r.version,
    String(r.namespaced),
    r.kind,
  ]);
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'];
  s.write(new ColumnWriter().format(o.noHeaders ? rows : [header, ...rows]));
  return 0;
}

export async function runVersion(s: Session, o: { client?: boolean }): Promise<number> {
  s.out(`Client Version: ${HILCTL_VERSION}`);
  if (o.client) return 0;
  const v = await s.client.get('/version');
  s.out(`Server Version: ${v?.gitVersion ?? 'unknown'}`);
  s.out(`Server: ${s.conn.server} (from ${s.conn.serverSource})`);
  return 0;
}
