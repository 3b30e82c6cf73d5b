// The little XML the REST switches speak: building request bodies from validated values (every text escaped), and
// reading their replies (elements, attributes, text; namespaces kept as written, looked up by local name). Not a
// general XML parser: no DTDs, no entities beyond the five predefined ones and character references, which is all
// a switch sends. A reply that is not well-formed by these rules is an error, never half-read.

export interface XmlElement {
  /** The name as written, prefix included (`y:self`); `local` is the part after the colon. */
  readonly name: string;
  readonly local: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (character data directly inside it, concatenated), entities decoded. */
  readonly text: string;
}

export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an element body or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** `el('vlan', el('add', '101-103'))` → `<vlan><add>101-103</add></vlan>`; strings are escaped, elements nest. */
export function el(name: string, ...content: (string | number | boolean | XmlNode)[]): XmlNode {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`bad XML element name ${JSON.stringify(name)}`);
  const inner = content.map((c) => (c instanceof XmlNode ? c.xml : escapeXml(String(c)))).join('');
  return new XmlNode(`<${name}>${inner}</${name}>`);
}

/** Built XML, kept apart from strings so that a string is always escaped. */
export class XmlNode {
  constructor(readonly xml: string) {}
  toString(): string {
    return this.xml;
  }
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref as 'amp'];
  });
}

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
const ATTR = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function finish(b: Building): XmlElement {
  const colon = b.name.indexOf(':');
  return {
    name: b.name,
    local: colon < 0 ? b.name : b.name.slice(colon + 1),
    attributes: b.attributes,
    children: b.children,
    text: decode(b.text),
  };
}

/** Parses one XML document into its root element. Line ends are normalised to `\n`, as XML says. */
export function parseXml(source: string): XmlElement {
  const s = source.replace(/\r\n?/g, '\n');
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = lt < 0 ? s.slice(i) : s.slice(i, lt);
    if (text.length) {
      if (stack.length) stack[stack.length - 1].text += text;
      else if (text.trim()) throw new XmlParseError('text outside the root element');
    }
    if (lt < 0) break;
    if (s.startsWith('<?', lt)) {
      const end = s.indexOf('?>', lt);
      if (end < 0) throw new XmlParseError('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt);
      if (end < 0) throw new XmlParseError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt);
      if (end < 0 || !stack.length) throw new XmlParseError('bad CDATA section');
      // Escaped so that decode() leaves it as written.
      stack[stack.length - 1].text += escapeXml(s.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    if (s.startsWith('<!', lt)) throw new XmlParseError('DTDs are not accepted');
    const m = TAG.exec(s.slice(lt));
    if (!m) throw new XmlParseError(`malformed tag at offset ${lt}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    i = lt + whole.length;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || attrText.trim() || selfClosing)
        throw new XmlParseError(`unexpected </${name}>${open ? ` (open: <${open.name}>)` : ''}`);
      const done = finish(open);
      if (stack.length) stack[stack.length - 1].children.push(done);
      else root = done;
      continue;
    }
    if (root) throw new XmlParseError('more than one root element');
    const attributes: Record<string, string> = {};
    for (const a of attrText.matchAll(ATTR)) attributes[a[1]] = decode(a[2] ?? a[3] ?? '');
    const b: Building = { name, attributes, children: [], text: '' };
    if (selfClosing) {
      const done = finish(b);
      if (stack.length) stack[stack.length - 1].children.push(done);
      else root = done;
    } else stack.push(b);
  }
  if (stack.length) throw new XmlParseError(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new XmlParseError('no root element');
  return root;
}

/** The first child with this local name, following a path (`child(e, 'allowed', 'vlan', 'add')`). */
export function child(e: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = e;
  for (const p of path) cur = cur?.children.find((c) => c.local === p);
  return cur;
}

/** Every element with this local name below `e` (depth first, `e` included). */
export function descendants(e: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (x: XmlElement) => {
    if (x.local === local) out.push(x);
    x.children.forEach(walk);
  };
  walk(e);
  return out;
}

/** The text of the first element at this path, trimmed; undefined when absent. */
export function textAt(e: XmlElement | undefined, ...path: string[]): string | undefined {
  const x = child(e, ...path);
  return x === undefined ? undefined : x.text.trim();
}

/**
 * The switch's own words from an error body: the `error-message` elements of a NETCONF/ConfD-style `<errors>`
 * reply (what both Brocade NOS and Dell OS9 send), else the body's text content; undefined when there is none.
 */
export function errorMessageOf(body: string): string | undefined {
  const trimmed = body.trim();
  if (!trimmed) return undefined;
  try {
    const root = parseXml(trimmed);
    const messages = descendants(root, 'error-message')
      .map((m) => m.text.trim())
      .filter(Boolean);
    if (messages.length) return messages.join('; ');
    const all: string[] = [];
    const walk = (x: XmlElement) => {
      if (x.text.trim()) all.push(x.text.trim());
      x.children.forEach(walk);
    };
    walk(root);
    return all.join(' ').replace(/\s+/g, ' ').slice(0, 300) || undefined;
  } catch {
    // Not XML (an HTML error page from a proxy, plain text): its text, tags stripped.
    return (
      trimmed
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300) || undefined
    );
  }
}
