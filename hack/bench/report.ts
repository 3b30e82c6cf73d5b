// Shared reporting for every benchmark module: record() a figure, then print a table per store (human) or one JSON
// object per line (--json). Everything that is not a figure goes to stderr through log(), so stdout stays clean.

export type Store = 'sqlite' | 'postgres';

/** What we aim for: at least (>=) or at most (<=) / under (<) this value. */
export interface Aim {
  op: '>=' | '<=' | '<';
  value: number;
}

export interface Figure {
  bench: string;
  value: number;
  unit: string;
  store?: Store;
  aim?: Aim;
  /** Anything else worth keeping with the figure (counts, p50, concurrency…); goes into the JSON line. */
  extra: Record<string, unknown>;
}

/**
 * Above this share of the machine's CPU used by other processes during a measurement (extra.otherCpuPct), a figure
 * is marked as disturbed: on a 2-core machine someone else's work shows directly in latencies and rates.
 */
export const DISTURBED_OTHER_CPU_PCT = 15;

function note(f: Figure): string {
  const other = f.extra.otherCpuPct;
  return typeof other === 'number' && other > DISTURBED_OTHER_CPU_PCT
    ? `disturbed: other processes used ${Math.round(other)}% CPU`
    : '';
}

export function aimMet(f: Figure): boolean | undefined {
  if (!f.aim || !Number.isFinite(f.value)) return undefined;
  const { op, value } = f.aim;
  return op === '>=' ? f.value >= value : op === '<=' ? f.value <= value : f.value < value;
}

function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function fmtAim(aim: Aim | undefined): string {
  if (!aim) return '';
  const op = aim.op === '>=' ? '≥' : aim.op === '<=' ? '≤' : '<';
  return `${op} ${fmtNumber(aim.value)}`;
}

export class Reporter {
  readonly figures: Figure[] = [];
  private currentStore?: Store;

  constructor(readonly json: boolean) {}

  /** Figures recorded from now on belong to this store (until the next call). */
  setStore(store: Store | undefined): void {
    this.currentStore = store;
  }

  record(bench: string, value: number, unit: string, extra: Record<string, unknown> & { aim?: Aim } = {}): Figure {
    const { aim, ...rest } = extra;
    const f: Figure = { bench, value, unit, store: this.currentStore, aim, extra: rest };
    this.figures.push(f);
    const met = aimMet(f);
    const n = note(f);
    log(
      `  ${bench} = ${fmtNumber(value)} ${unit}${aim ? ` (aim ${fmtAim(aim)}: ${met ? 'met' : 'missed'})` : ''}${n ? ` [${n}]` : ''}`,
    );
    if (this.json) process.stdout.write(JSON.stringify(toJson(f)) + '\n');
    return f;
  }

  /** The human-readable tables, one per store (stdout, unless --json). */
  printTables(): void {
    if (this.json) return;
    const stores = [...new Set(this.figures.map((f) => f.store))];
    for (const store of stores) {
      const rows = this.figures.filter((f) => f.store === store);
      const cells = rows.map((f) => {
        const met = aimMet(f);
        return [
          f.bench,
          fmtNumber(f.value),
          f.unit,
          fmtAim(f.aim),
          met === undefined ? '' : met ? 'yes' : 'NO',
          note(f),
        ];
      });
      const header = ['figure', 'value', 'unit', 'aim', 'met', 'note'];
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
      const line = (c: string[]) =>
        c
          .map((v, i) => (i === 1 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
          .join('  ')
          .trimEnd();
      const out = [
        `\n${store ?? 'general'}`,
        line(header),
        widths.map((w) => '-'.repeat(w)).join('  '),
        ...cells.map(line),
      ];
      process.stdout.write(out.join('\n') + '\n');
    }
  }
}

function toJson(f: Figure): Record<string, unknown> {
  const o: Record<string, unknown> = { bench: f.bench, value: round(f.value), unit: f.unit };
  if (f.store) o.store = f.store;
  if (f.aim) {
    o.aim = `${f.aim.op} ${f.aim.value}`;
    o.met = aimMet(f);
  }
  for (const [k, v] of Object.entries(f.extra)) if (!(k in o)) o[k] = typeof v === 'number' ? round(v) : v;
  return o;
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v;
}

/** Progress and diagnostics: always stderr. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}
