// A unified diff of two texts (Myers' O(ND) algorithm, three lines of context), as `diff -u` prints it.

type Op = { t: ' ' | '-' | '+'; line: string };

export function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[k - 1 + off] < v[k + 1 + off]) ? v[k + 1 + off] : v[k - 1 + off] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + off] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const tv = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && tv[k - 1 + off] < tv[k + 1 + off]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : tv[prevK + off];
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ t: ' ', line: a[x - 1] });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ t: '+', line: b[y - 1] });
      else ops.push({ t: '-', line: a[x - 1] });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function range(start: number, len: number): string {
  if (len === 1) return `${start}`;
  return `${len === 0 ? start - 1 : start},${len}`;
}

/** The hunks of a unified diff (no file header); '' when the texts are equal. */
export function unifiedHunks(oldText: string, newText: string, context = 3): string {
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  if (!ops.some((o) => o.t !== ' ')) return '';
  const out: string[] = [];
  let i = 0;
  // Positions (1-based) of each op in the old and new files.
  const posA: number[] = [];
  const posB: number[] = [];
  let la = 1;
  let lb = 1;
  for (const o of ops) {
    posA.push(la);
    posB.push(lb);
    if (o.t !== '+') la++;
    if (o.t !== '-') lb++;
  }
  while (i < ops.length) {
    while (i < ops.length && ops[i].t === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i;
    // Extend while changes are within 2×context of each other.
    for (;;) {
      while (end < ops.length && ops[end].t !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next].t === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = Math.min(ops.length, end + context);
      break;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${range(posA[start], aLen)} +${range(posB[start], bLen)} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}
