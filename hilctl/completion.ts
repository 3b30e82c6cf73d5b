// Shell completion. `hilctl completion bash|zsh` prints a small script; the script asks hilctl itself
// (`hilctl __complete WORD…`) for candidates, so commands and flags come from the command tree, kinds from the
// server's discovery, and object names (nodes, NICs of a node, networks, …) from the server.
import type { Command, Option } from 'commander';
import { resolveConnection, type GlobalOptions } from './connection.js';
import { collectionPath, Discovery, objectPath } from './discovery.js';
import { loadKubeconfig } from './kubeconfig.js';
import { Session, type Io } from './session.js';

export const BASH_SCRIPT = `# bash completion for hilctl. Load it with:  source <(hilctl completion bash)
_hilctl_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -r -a words <<< "$line"
    if [[ "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
    local cur="\${words[\${#words[@]}-1]}"
    local IFS=$'\\n'
    local -a candidates
    candidates=($("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null)) || return 0
    # bash splits words at = and :, so complete only the part after the last of them.
    local prefix=""
    if [[ "$cur" == *[=:]* ]]; then prefix="\${cur%"\${cur##*[=:]}"}"; fi
    COMPREPLY=()
    local c
    for c in "\${candidates[@]}"; do
        if [[ "$c" == "$cur"* ]]; then COMPREPLY+=("\${c#"$prefix"}"); fi
    done
    if [[ \${#COMPREPLY[@]} -eq 1 && ( "\${COMPREPLY[0]}" == */ || "\${COMPREPLY[0]}" == *= ) ]]; then compopt -o nospace 2>/dev/null; fi
    return 0
}
complete -o default -F _hilctl_complete hilctl
`;

export const ZSH_SCRIPT = `#compdef hilctl
# zsh completion for hilctl. Load it with:  source <(hilctl completion zsh)   (after compinit)
_hilctl() {
    local -a candidates
    local IFS=$'\\n'
    candidates=($("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null))
    if (( \${#candidates} == 0 )); then
        _files
        return
    fi
    local -a plain slashed
    local c
    for c in "\${candidates[@]}"; do
        if [[ "$c" == */ || "$c" == *= ]]; then slashed+=("$c"); else plain+=("$c"); fi
    done
    (( \${#plain} )) && compadd -Q -- "\${plain[@]}"
    (( \${#slashed} )) && compadd -Q -S '' -- "\${slashed[@]}"
}
if [[ "\${funcstack[1]}" == "_hilctl" ]]; then
    _hilctl "$@"
else
    compdef _hilctl hilctl
fi
`;

/** The hil kinds, for when the server cannot be asked. */
const OFFLINE_KINDS = [
  'projects',
  'users',
  'switches',
  'ports',
  'nodes',
  'networks',
  'networkattachments',
  'headnodes',
  'hproj',
  'husr',
  'hsw',
  'hport',
  'hn',
  'hnet',
  'hna',
  'hhn',
  'secrets',
  'events',
];

const OUTPUTS = ['wide', 'yaml', 'json', 'name', 'jsonpath=', 'custom-columns='];

function longName(o: Option): string | undefined {
  return o.long ?? undefined;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function findOption(cmds: Command[], word: string): Option | undefined {
  for (const c of cmds) {
    const o = c.options.find((x) => x.long === word || x.short === word);
    if (o) return o;
  }
  return undefined;
}

/** The global connection flags found among the words, so names come from the server the user points at. */
function globalsFrom(words: string[]): GlobalOptions {
  const g: GlobalOptions = {};
  const map: Record<string, keyof GlobalOptions> = {
    '--server': 'server',
    '-s': 'server',
    '--context': 'context',
    '--kubeconfig': 'kubeconfig',
    '--token': 'token',
    '--namespace': 'namespace',
    '-n': 'namespace',
    '--certificate-authority': 'certificateAuthority',
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const eq = w.indexOf('=');
    const flag = eq > 0 ? w.slice(0, eq) : w;
    const key = map[flag];
    if (key) (g as any)[key] = eq > 0 ? w.slice(eq + 1) : words[++i];
    if (w === '--insecure-skip-tls-verify') g.insecureSkipTlsVerify = true;
  }
  return g;
}

class Names {
  private session?: Session;
  private disc?: Promise<Discovery | undefined>;

  constructor(
    private readonly words: string[],
    private readonly io: Io,
  ) {}

  private s(): Session | undefined {
    if (!this.session) {
      try {
        const opts = { ...globalsFrom(this.words), requestTimeout: '3s' };
        resolveConnection(opts, this.io.env);
        this.session = new Session(opts, this.io);
      } catch {
        return undefined;
      }
    }
    return this.session;
  }

  discovery(): Promise<Discovery | undefined> {
    return (this.disc ??= (async () => {
      const s = this.s();
      if (!s) return undefined;
      try {
        return await s.discovery();
      } catch {
        return undefined;
      }
    })());
  }

  async kinds(): Promise<string[]> {
    const d = await this.discovery();
    if (!d) return OFFLINE_KINDS;
    const out = new Set<string>();
    for (const r of d.resources) {
      if (!r.verbs.includes('list')) continue;
      out.add(r.name);
      for (const sn of r.shortNames) out.add(sn);
      if (r.group) out.add(`${r.name}.${r.group}`);
    }
    out.add('hil');
    return [...out].sort();
  }

  async objects(kind: string): Promise<any[]> {
    const d = await this.discovery();
    const s = this.s();
    if (!d || !s) return [];
    try {
      const r = d.resolveOne(kind);
      const l = await s.client.get(collectionPath(r, r.namespaced ? s.namespace : undefined));
      return l?.items ?? [];
    } catch {
      return [];
    }
  }

  async names(kind: string): Promise<string[]> {
    return (await this.objects(kind)).map((o) => o.metadata?.name).filter(Boolean);
  }

  async nics(node: string): Promise<string[]> {
    const d = await this.discovery();
    const s = this.s();
    if (!d || !s) return [];
    try {
      const n = await s.client.get(objectPath(d.hil('Node'), node));
      return (n?.spec?.nics ?? []).map((x: any) => x.name);
    } catch {
      return [];
    }
  }

  namespaces(): Promise<string[]> {
    return this.names('namespaces');
  }

  close(): void {
    this.session?.close();
  }
}

function optionValues(opt: Option, names: Names, io: Io, words: string[]): Promise<string[]> | string[] {
  switch (opt.long) {
    case '--output':
      return OUTPUTS;
    case '--for':
      return ['condition=Ready', 'condition=', 'delete', 'create', 'jsonpath='];
    case '--dry-run':
      return ['none', 'server'];
    case '--namespace':
      return names.namespaces();
    case '--project':
      return names.names('projects');
    case '--context':
      try {
        return loadKubeconfig(globalsFrom(words).kubeconfig, io.env).contexts.map((c) => c.name);
      } catch {
        return [];
      }
    case '--wait':
      return ['true', 'false'];
    default:
      return []; // files and free text: the shell's default completion
  }
}

/**
 * Candidates for the last word. `words` are the arguments after `hilctl`, the last one being the word under the
 * cursor (possibly empty).
 */
export async function complete(program: Command, words: string[], io: Io): Promise<string[]> {
  const cur = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const chain: Command[] = [program];
  const positional: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const w = before[i];
    const cmd = chain[chain.length - 1];
    if (w.startsWith('-')) {
      if (w.includes('=')) continue;
      const opt = findOption(chain, w);
      if (opt && takesValue(opt) && !opt.optional) i++;
      continue;
    }
    const sub =
      positional.length === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) chain.push(sub);
    else positional.push(w);
  }
  const cmd = chain[chain.length - 1];
  const names = new Names(words, io);
  try {
    let out: string[];
    const prev = before[before.length - 1];
    const prevOpt = prev && prev.startsWith('-') && !prev.includes('=') ? findOption(chain, prev) : undefined;
    if (prevOpt && takesValue(prevOpt) && !prevOpt.optional) {
      out = await optionValues(prevOpt, names, io, words);
    } else if (cur.startsWith('-') && cur.includes('=')) {
      const flag = cur.slice(0, cur.indexOf('='));
      const opt = findOption(chain, flag);
      out = opt ? (await optionValues(opt, names, io, words)).map((v) => `${flag}=${v}`) : [];
    } else if (cur.startsWith('-')) {
      out = [];
      for (const c of chain) for (const o of c.options) if (!o.hidden && longName(o)) out.push(longName(o)!);
      out.push('--help');
    } else if (cmd.commands.length) {
      out = cmd.commands.filter((c) => !(c as any)._hidden).map((c) => c.name());
    } else {
      out = await positionalValues(cmd, positional, cur, names);
    }
    return [...new Set(out)].filter((c) => c.startsWith(cur));
  } finally {
    names.close();
  }
}

async function positionalValues(cmd: Command, pos: string[], cur: string, names: Names): Promise<string[]> {
  const path: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) path.unshift(c.name());
  const name = path.join(' ');
  switch (name) {
    case 'get':
    case 'describe':
    case 'delete':
    case 'edit':
    case 'wait':
      if (pos.length === 0) {
        if (cur.includes('/')) {
          const kind = cur.slice(0, cur.indexOf('/'));
          return (await names.names(kind)).map((n) => `${kind}/${n}`);
        }
        const kinds = await names.kinds();
        return name === 'get' || name === 'describe' || name === 'delete'
          ? kinds
          : [...kinds, ...kinds.map((k) => `${k}/`)];
      }
      if (pos[0].includes('/')) return [];
      return names.names(pos[0]);
    case 'node power':
    case 'power':
      if (pos.length === 0) return ['on', 'off', 'cycle', 'status'];
      return names.names('nodes.hil.io');
    case 'node console':
      return pos.length === 0 ? names.names('nodes.hil.io') : [];
    case 'attach':
    case 'detach':
      if (pos.length === 0) return names.names('nodes.hil.io');
      if (pos.length === 1) return names.nics(pos[0]);
      if (pos.length === 2) {
        if (name === 'attach') return names.names('networks.hil.io');
        return (await names.objects('networkattachments.hil.io'))
          .filter((a) => a.spec?.node === pos[0] && a.spec?.nic === pos[1])
          .map((a) => a.spec.network);
      }
      return [];
    case 'project claim':
    case 'claim':
      return pos.length === 0
        ? (await names.objects('nodes.hil.io')).filter((n) => !n.spec?.project).map((n) => n.metadata.name)
        : [];
    case 'project release':
    case 'release':
      return pos.length === 0
        ? (await names.objects('nodes.hil.io')).filter((n) => n.spec?.project).map((n) => n.metadata.name)
        : [];
    case 'user set-password':
      return pos.length === 0 ? names.names('users.hil.io') : [];
    case 'completion':
      return pos.length === 0 ? ['bash', 'zsh'] : [];
    default:
      return [];
  }
}
