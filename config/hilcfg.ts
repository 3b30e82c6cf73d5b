// HIL's configuration file (hil.cfg): Python ConfigParser's INI format, with HIL's rule that a config file
// readable by group or others is refused (it holds database and switch passwords).
import { readFileSync, statSync } from 'node:fs';

export type HilConfig = Map<string, Map<string, string>>;

export class ConfigError extends Error {}

/** Parses ConfigParser INI: [sections], `key = value` or `key: value`, # and ; comments, indented continuations. */
export function parseHilConfig(text: string, source = 'hil.cfg'): HilConfig {
  const cfg: HilConfig = new Map();
  let section: Map<string, string> | undefined;
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*([#;].*)?$/.test(line)) return;
    if (/^\s/.test(line) && section && lastKey !== undefined) {
      section.set(lastKey, `${section.get(lastKey)}\n${line.trim()}`.trim());
      return;
    }
    // ConfigParser ignores what follows the closing bracket (HIL's example writes `[general] # Optional`).
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      const name = sec[1].trim();
      section = cfg.get(name) ?? new Map();
      cfg.set(name, section);
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*(?:[=:]\s*(.*))?$/.exec(line);
    if (!kv) throw new ConfigError(`${source}:${i + 1}: cannot parse "${line}"`);
    if (!section) throw new ConfigError(`${source}:${i + 1}: "${kv[1]}" is outside any [section]`);
    lastKey = kv[1].trim().toLowerCase();
    section.set(lastKey, (kv[2] ?? '').trim());
  });
  return cfg;
}

export function loadHilConfig(path: string): HilConfig {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ConfigError(`config file ${path} not found`);
  }
  if (st.mode & 0o077) {
    throw new ConfigError(
      `config file ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); it may hold passwords: chmod 600 ${path}`,
    );
  }
  return parseHilConfig(readFileSync(path, 'utf8'), path);
}

export function cfgGet(cfg: HilConfig | undefined, section: string, key: string): string | undefined {
  return cfg?.get(section)?.get(key.toLowerCase());
}

export function cfgBool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  throw new ConfigError(`not a boolean: "${value}"`);
}

export type AuthBackend = 'null' | 'database' | 'keystone';

/** The auth backend named by [extensions] (exactly one, as HIL requires). */
export function authBackendOf(cfg: HilConfig | undefined): AuthBackend | undefined {
  const ext = cfg?.get('extensions');
  if (!ext) return undefined;
  const found = [...ext.keys()]
    .map((k) => /^hil\.ext\.auth\.(null|database|keystone|mock)$/.exec(k)?.[1])
    .filter((x): x is string => !!x);
  if (found.length > 1) throw new ConfigError(`[extensions] names more than one auth backend: ${found.join(', ')}`);
  if (found[0] === 'mock')
    throw new ConfigError("[extensions] hil.ext.auth.mock is for HIL's own tests and is not supported");
  return found[0] as AuthBackend | undefined;
}

/** What hil.cfg may hold: HIL's sections and extensions, and ours ([server]). */
const KNOWN_SECTIONS = new Set([
  'general',
  'auth',
  'headnode',
  'client',
  'database',
  'devel',
  'maintenance',
  'network-daemon',
  'extensions',
  'server',
]);
const EXTENSIONS: Record<string, string> = {
  'hil.ext.auth.null': 'auth backend null',
  'hil.ext.auth.database': 'auth backend database',
  'hil.ext.auth.keystone': 'auth backend keystone',
  'hil.ext.network_allocators.vlan_pool': 'the VLAN pool ([hil.ext.network_allocators.vlan_pool] vlans)',
  'hil.ext.switches.mock': 'Switch type mock',
  'hil.ext.switches.ovs': 'Switch type ovs',
  'hil.ext.switches.dell': 'Switch type dell-powerconnect',
  'hil.ext.switches.n3000': 'Switch type dell-n3000',
  'hil.ext.switches.nexus': 'Switch type cisco-nexus',
  'hil.ext.switches.brocade': 'Switch type brocade',
  'hil.ext.switches.dellnos9': 'Switch type dellnos9',
  'hil.ext.obm.ipmi': 'Node obm type ipmi',
  'hil.ext.obm.mock': 'Node obm type mock',
};

/**
 * Notes on an existing HIL config: extensions and sections we map or ignore. Switch drivers need no extension
 * here (a Switch names its type), so those entries are accepted and only noted.
 */
export function reviewHilConfig(cfg: HilConfig): { warnings: string[] } {
  const warnings: string[] = [];
  for (const name of cfg.keys()) {
    if (KNOWN_SECTIONS.has(name) || name in EXTENSIONS) continue;
    warnings.push(`hil.cfg: section [${name}] is not used by this version and is ignored`);
  }
  for (const ext of cfg.get('extensions')?.keys() ?? []) {
    if (ext === 'hil.ext.network_allocators.null') {
      warnings.push(
        'hil.cfg: [extensions] hil.ext.network_allocators.null is not supported (networks are always VLANs); the VLAN pool is used',
      );
    } else if (!(ext in EXTENSIONS)) {
      warnings.push(`hil.cfg: [extensions] ${ext} is unknown and ignored`);
    }
  }
  if (cfg.get('devel')?.has('dry_run'))
    warnings.push('hil.cfg: [devel] dry_run is ignored; use the mock switch and OBM types for a dry run');
  return { warnings };
}
