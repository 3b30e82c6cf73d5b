// Splits a stream of concatenated JSON values (OVSDB JSON-RPC messages; `ip -j -batch` output) into complete texts,
// by tracking bracket depth outside strings.

/** Splits a stream of concatenated JSON values into complete texts. */
export class JsonStreamSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  /** Feeds text; returns the complete JSON texts it finished. Throws on garbage between messages. */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (; this.pos < this.buf.length; this.pos++) {
      const ch = this.buf[this.pos];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') continue;
        if (ch !== '{' && ch !== '[') throw new Error(`unexpected ${JSON.stringify(ch)} between JSON-RPC messages`);
        this.start = this.pos;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth++;
      else if (ch === '}' || ch === ']') {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.buf.slice(this.start, this.pos + 1));
          this.start = -1;
        }
      }
    }
    // Drop what has been consumed.
    const keepFrom = this.start >= 0 ? this.start : this.pos;
    if (keepFrom > 0) {
      this.buf = this.buf.slice(keepFrom);
      this.pos -= keepFrom;
      if (this.start >= 0) this.start = 0;
    }
    return out;
  }
}
