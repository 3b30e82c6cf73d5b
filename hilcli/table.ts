// PrettyTable's default look, which HIL's CLI prints its lists and records with.
export function table(fields: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? 'None' : String(c))));
  const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const row = (r: string[], align: 'center' | 'left') =>
    `|${widths
      .map((w, i) => {
        const v = r[i] ?? '';
        if (align === 'left') return ` ${v.padEnd(w)} `;
        const left = Math.floor((w - v.length) / 2);
        return ` ${' '.repeat(left)}${v}${' '.repeat(w - v.length - left)} `;
      })
      .join('|')}|`;
  return [line, row(fields, 'center'), line, ...cells.map((r) => row(r, 'center')), line].join('\n');
}
