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
    const sec = /^\[([^\]]+)\]\s*$/.exec(line);
    if (sec) {
      const name = sec[1]!.trim();
      section = cfg.get(name) ?? new Map();
      cfg.set(name, section);
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*(?:[=:]\s*(.*))?$/.exec(line);
    if (!kv) throw new ConfigError(`${source}:${i + 1}: cannot parse "${line}"`);
    if (!section) throw new ConfigError(`${source}:${i + 1}: "${kv[1]}" is outside any [section]`);
    lastKey = kv[1]!.trim().toLowerCase();
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
  if (found[0] === 'mock') throw new ConfigError('[extensions] hil.ext.auth.mock is for HIL\'s own tests and is not supported');
  return found[0] as AuthBackend | undefined;
}
