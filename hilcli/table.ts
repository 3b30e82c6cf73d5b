// PrettyTable's default look, which HIL's CLI prints its lists and records with: every cell centred, a cell with
// newlines spread over several lines (top-aligned), and HIL's make_table rule that a one-column table's heading
// carries the row count ("Projects (3)").
export function table(fields: string[], rows: unknown[][], options: { sortBy?: number } = {}): string {
  const heading = fields.length === 1 ? [`${fields[0]} (${rows.length})`] : fields;
  let cells = rows.map((r) => heading.map((_, i) => (r[i] === null || r[i] === undefined ? 'None' : String(r[i]))));
  if (options.sortBy !== undefined) {
    const k = options.sortBy;
    cells = [...cells].sort((a, b) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0));
  }
  const lines = (c: string) => c.split('\n');
  const widths = heading.map((f, i) => Math.max(f.length, ...cells.flatMap((r) => lines(r[i]).map((l) => l.length))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const centre = (v: string, w: number) => {
    const left = Math.floor((w - v.length) / 2);
    return ` ${' '.repeat(left)}${v}${' '.repeat(w - v.length - left)} `;
  };
  const row = (r: string[]) => {
    const split = r.map(lines);
    const height = Math.max(...split.map((l) => l.length));
    return Array.from(
      { length: height },
      (_, j) => `|${widths.map((w, i) => centre(split[i][j] ?? '', w)).join('|')}|`,
    );
  };
  return [rule, ...row(heading), rule, ...cells.flatMap(row), rule].join('\n');
}
