// Reading `-f PATH`: a file, a folder (`-R` for subfolders) or `-` (stdin); multi-document YAML and JSON, `List`
// objects expanded. Every object remembers where it came from (file, document number, first line) so an error
// can say exactly which document broke.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/** YAML 1.2 core types plus merge keys: timestamps stay strings (as kubectl sends them), `<<: *anchor` works. */
const SCHEMA = yaml.CORE_SCHEMA.extend([(yaml as any).types.merge]);

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
}

export interface ManifestDoc {
  object: KObject;
  /** The file path as given (joined with the folder), or `STDIN`. */
  source: string;
  /** 1-based document number within the file. */
  document: number;
  /** 1-based item number when the document is a List. */
  item?: number;
  /** First line of the document, when known. */
  line?: number;
}

export interface ReadResult {
  docs: ManifestDoc[];
  /** Files or documents that could not be read, one message each. */
  errors: string[];
}

/** `manifests/x.yaml (document 2, line 7)` */
export function whereIs(d: Pick<ManifestDoc, 'source' | 'document' | 'item' | 'line'>): string {
  const parts = [`document ${d.document}`];
  if (d.item !== undefined) parts.push(`item ${d.item}`);
  if (d.line !== undefined) parts.push(`line ${d.line}`);
  return `${d.source} (${parts.join(', ')})`;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** The files a path stands for: the file itself, or the manifests in a folder (recursively with -R), sorted. */
export function expandPath(path: string, recursive: boolean): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(path, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...expandPath(p, true));
    } else if (MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

/** The first line of each YAML document (1-based), as js-yaml splits them. */
export function documentStartLines(text: string): number[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let content = false;
  let current = 1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^---(\s|$)/.test(l)) {
      // A document starts on the separator's line when it has content there (`--- {a: 1}`), else on the next.
      const at = /^---\s*(#.*)?$/.test(l) ? i + 2 : i + 1;
      if (starts.length === 0 && !content) {
        current = at;
        content = true; // the explicit start of the first document
        continue;
      }
      starts.push(current);
      current = at;
      continue;
    }
    if (!content && l.trim() !== '' && !l.trim().startsWith('#')) content = true;
  }
  starts.push(current);
  return starts;
}

/** Parses one file's text into objects. */
export function parseManifestText(text: string, source: string): ReadResult {
  const docs: ManifestDoc[] = [];
  const errors: string[] = [];
  let values: unknown[];
  let lines: (number | undefined)[] = [];
  const trimmed = text.trimStart();
  try {
    if (/\.json$/i.test(source) || trimmed.startsWith('{')) {
      try {
        values = [JSON.parse(text)];
        lines = [1];
      } catch (jsonErr) {
        if (/\.json$/i.test(source)) throw jsonErr;
        values = yaml.loadAll(text, undefined, { schema: SCHEMA, filename: source });
        lines = documentStartLines(text);
      }
    } else {
      values = yaml.loadAll(text, undefined, { schema: SCHEMA, filename: source });
      lines = documentStartLines(text);
    }
  } catch (err: any) {
    const msg = String(err?.message ?? err).split('\n')[0];
    return { docs, errors: [`${source}: cannot parse: ${msg}`] };
  }
  if (lines.length !== values.length) lines = [];
  values.forEach((v, i) => {
    const document = i + 1;
    const line = lines[i];
    if (v === null || v === undefined) return;
    const where = { source, document, line };
    if (typeof v !== 'object' || Array.isArray(v)) {
      errors.push(`${whereIs(where)}: not an object (a manifest is a mapping with apiVersion, kind and metadata)`);
      return;
    }
    const o = v as Record<string, any>;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, j: number) => {
        // Items of a List share one document; a line number would point at its start, not at the item.
        const w = { source, document, item: j + 1 };
        const problem = checkObject(item);
        if (problem) errors.push(`${whereIs(w)}: ${problem}`);
        else docs.push({ object: item as KObject, ...w });
      });
      return;
    }
    const problem = checkObject(o);
    if (problem) errors.push(`${whereIs(where)}: ${problem}`);
    else docs.push({ object: o as KObject, ...where });
  });
  return { docs, errors };
}

function checkObject(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, any>;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof o[k] !== 'string' || !o[k]);
  if (missing.length) return `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`;
  if (!o.metadata || typeof o.metadata !== 'object' || typeof o.metadata.name !== 'string' || !o.metadata.name) {
    return `${o.kind}: metadata.name is missing`;
  }
  return undefined;
}

/** Reads every -f argument. `-` reads stdin (once). Unreadable paths become errors, not exceptions. */
export async function readManifests(
  paths: string[],
  recursive: boolean,
  readStdin: () => Promise<string>,
): Promise<ReadResult> {
  const out: ReadResult = { docs: [], errors: [] };
  for (const p of paths) {
    if (p === '-') {
      const r = parseManifestText(await readStdin(), 'STDIN');
      out.docs.push(...r.docs);
      out.errors.push(...r.errors);
      continue;
    }
    let files: string[];
    try {
      files = expandPath(p, recursive);
    } catch (err: any) {
      out.errors.push(`${p}: ${err?.code === 'ENOENT' ? 'no such file or folder' : (err?.message ?? err)}`);
      continue;
    }
    if (files.length === 0)
      out.errors.push(
        `${p}: no manifests (.yaml, .yml, .json) in this folder${recursive ? '' : ' (use -R for subfolders)'}`,
      );
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (err: any) {
        out.errors.push(`${f}: ${err?.message ?? err}`);
        continue;
      }
      const r = parseManifestText(text, f);
      out.docs.push(...r.docs);
      out.errors.push(...r.errors);
    }
  }
  return out;
}

export function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
