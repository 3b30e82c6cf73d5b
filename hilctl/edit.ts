// `hilctl edit KIND NAME`: the object as YAML in $KUBE_EDITOR / $EDITOR (vi), written back with an update that
// carries the resourceVersion it was read at (so a concurrent change is a conflict, not a silent overwrite).
// An error reopens the file with the server's message on top; saving it unchanged gives up and keeps a copy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { objectPath, objectRef } from './discovery.js';
import { CliError, formatError, StatusError } from './errors.js';
import { forDisplay, toYaml } from './printers.js';
import type { Session } from './session.js';
import { namespaceFor, parseTypeArgs } from './targets.js';

const HEADER = [
  "# Please edit the object below. Lines beginning with a '#' will be ignored,",
  '# and an empty file will abort the edit. If an error occurs while saving this file will be',
  '# reopened with the relevant failures.',
  '#',
];

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

function runEditor(s: Session, file: string): void {
  const editor = s.io.env.KUBE_EDITOR || s.io.env.EDITOR || 'vi';
  const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'hilctl-editor', file], { stdio: 'inherit', env: s.io.env });
  if (r.error) throw new CliError(`cannot run the editor "${editor}": ${r.error.message}`);
  if (r.status !== 0)
    throw new CliError(`the editor "${editor}" exited with ${r.status ?? r.signal}; nothing was changed`);
}

export async function runEdit(s: Session, args: string[]): Promise<number> {
  const d = await s.discovery();
  const groups = parseTypeArgs(d, args);
  if (groups.length !== 1 || groups[0].names.length !== 1)
    throw new CliError('edit takes one object: KIND NAME or KIND/NAME');
  const g = groups[0];
  const r = g.resource;
  const name = g.names[0];
  const path = objectPath(r, name, namespaceFor(s, g, 0));
  const live = await s.client.get(path);
  const shown = forDisplay(live);
  const dir = mkdtempSync(join(tmpdir(), 'hilctl-edit-'));
  const file = join(dir, `${r.kind.toLowerCase()}-${name}.yaml`);
  let keep = false;
  try {
    let previous = toYaml(shown);
    writeFileSync(file, `${HEADER.join('\n')}\n${previous}`, { mode: 0o600 });
    for (;;) {
      runEditor(s, file);
      const edited = stripComments(readFileSync(file, 'utf8'));
      if (!edited.trim()) {
        s.out('Edit cancelled, no changes made.');
        return 0;
      }
      let obj: any;
      try {
        obj = yaml.load(edited, { schema: yaml.CORE_SCHEMA });
      } catch (err: any) {
        obj = undefined;
        if (edited === previous)
          throw new CliError(`the edited file is not valid YAML: ${String(err?.message).split('\n')[0]}`);
        previous = edited;
        writeFileSync(
          file,
          `# The edited file is not valid YAML:\n# ${String(err?.message).split('\n')[0]}\n#\n${edited}`,
        );
        continue;
      }
      if (JSON.stringify(obj) === JSON.stringify(yaml.load(toYaml(shown), { schema: yaml.CORE_SCHEMA }))) {
        s.out('Edit cancelled, no changes made.');
        return 0;
      }
      if (edited === previous) {
        // Saved again without changes after an error: give up, keep the copy.
        keep = true;
        s.err(`error: ${objectRef(r, name)} was not changed; a copy of your changes has been stored to ${file}`);
        return 1;
      }
      try {
        await s.client.request('PUT', path, {
          query: { fieldManager: 'hilctl-edit', fieldValidation: 'Strict' },
          body: obj,
        });
        s.out(`${objectRef(r, name)} edited`);
        return 0;
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        if (err.httpStatus === 409) {
          keep = true;
          s.err(
            `${formatError(err)}\nerror: a copy of your changes has been stored to ${file}; run "hilctl edit" again to edit the current object`,
          );
          return 1;
        }
        previous = edited;
        const msg = formatError(err)
          .split('\n')
          .map((l) => `# ${l}`);
        writeFileSync(file, `${HEADER.join('\n')}\n${msg.join('\n')}\n#\n${edited}`);
        if (!s.io.stdin.isTTY && !s.io.env.KUBE_EDITOR && !s.io.env.EDITOR) {
          keep = true;
          s.err(`${formatError(err)}\nerror: a copy of your changes has been stored to ${file}`);
          return 1;
        }
        s.err(formatError(err));
      }
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
