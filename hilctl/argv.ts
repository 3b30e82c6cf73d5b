// kubectl spells boolean flags `--wait=false`, `--prune=true`; commander knows `--wait` and `--no-wait`.
// This rewrites the former into the latter before commander parses the command line.
import type { Command } from 'commander';

function booleanFlags(cmd: Command, into: { plain: Set<string>; negatable: Set<string> }): void {
  for (const o of cmd.options) {
    if (!o.long || o.required || o.optional) continue;
    if (o.negate) into.negatable.add(o.long.replace(/^--no-/, '--'));
    else into.plain.add(o.long);
  }
  for (const c of cmd.commands) booleanFlags(c, into);
}

export function normalizeBooleanFlags(program: Command, argv: string[]): string[] {
  const flags = { plain: new Set<string>(), negatable: new Set<string>() };
  booleanFlags(program, flags);
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') {
      out.push(...argv.slice(argv.indexOf(a)));
      break;
    }
    const m = a.match(/^(--[a-z0-9-]+)=(true|false|1|0|yes|no)$/i);
    if (!m || !(flags.plain.has(m[1]) || flags.negatable.has(m[1]))) {
      out.push(a);
      continue;
    }
    const on = ['true', '1', 'yes'].includes(m[2].toLowerCase());
    if (on) {
      if (flags.plain.has(m[1])) out.push(m[1]);
      // --flag=true for a flag that is on by default (only --no-flag exists): nothing to say.
    } else if (flags.negatable.has(m[1])) out.push(`--no-${m[1].slice(2)}`);
    // --flag=false for a flag that is off by default: simply leave it off.
  }
  return out;
}
