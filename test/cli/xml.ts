/**
 * A tiny, strict XML reader for the CLI's SVG plots (no XML parser is a dependency of this repository):
 * elements, attributes, character data, comments and the XML declaration. It throws on anything not
 * well-formed that the plots could get wrong: unbalanced or mismatched tags, unquoted or repeated attributes,
 * a bare '&' or '<', unknown entities, text outside the root.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}

function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = src.slice(0, i).split('\n').length;
    throw new Error(`XML not well-formed at line ${line}: ${why}`);
  };
  const skipSpace = () => {
    while (i < src.length && isSpace(src[i])) i++;
  };
  const name = (): string => {
    const start = i;
    if (!isNameStart(src[i] ?? '')) fail(`name expected, got '${src[i]}'`);
    while (i < src.length && isNameChar(src[i])) i++;
    return src.slice(start, i);
  };
  const decode = (raw: string): string => {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k];
      if (c === '<') fail("'<' in character data or attribute value");
      if (c !== '&') {
        out += c;
        continue;
      }
      const end = raw.indexOf(';', k);
      if (end < 0) fail("'&' without ';'");
      const ref = raw.slice(k + 1, end);
      if (ref.startsWith('#x')) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
      else if (ref.startsWith('#')) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
      else if (ENTITIES[ref] !== undefined) out += ENTITIES[ref];
      else fail(`unknown entity &${ref};`);
      k = end;
    }
    return out;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail("'<' expected");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail(`space expected before attribute in <${el.name}>`);
      const attr = name();
      if (attr in el.attrs) fail(`attribute ${attr} repeated in <${el.name}>`);
      if (src[i] !== '=') fail(`'=' expected after ${attr}`);
      i++;
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`attribute ${attr} not quoted`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) fail(`attribute ${attr} not closed`);
      el.attrs[attr] = decode(src.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= src.length) fail(`<${el.name}> not closed`);
      if (src.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (src[i] !== '>') fail("'>' expected");
        i++;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        skipMisc();
        continue;
      }
      if (src[i] === '<') {
        el.children.push(element());
        continue;
      }
      const next = src.indexOf('<', i);
      const end = next < 0 ? src.length : next;
      el.text += decode(src.slice(i, end));
      i = end;
    }
  };

  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

/** Every element below (and including) `root`, document order. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** Elements whose class attribute lists `cls`. */
export function byClass(root: XmlElement, cls: string): XmlElement[] {
  return allElements(root).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));
}

/** All character data of an element and its descendants. */
export function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join('');
}
