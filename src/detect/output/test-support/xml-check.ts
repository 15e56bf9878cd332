/**
 * A small, strict XML 1.0 well-formedness checker for tests: it rejects what a conforming
 * parser (libxml2 in igraph, expat in networkx, Gephi's StAX) rejects, and returns the element
 * tree with attribute values and text decoded, so tests can check that values round-trip.
 * Covered: the Char production (no forbidden controls, no lone surrogates), names, the XML
 * declaration, comments, processing instructions, CDATA, balanced tags, unique attributes,
 * quoted attribute values without `<`, references (the five predefined entities and character
 * references to allowed characters only), `]]>` outside CDATA, line-end and attribute-value
 * normalisation, a single root, and declared namespace prefixes. Not covered: DTDs (rejected).
 */

export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own character data (not its descendants'), decoded. */
  text: string;
}

const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}:';
// The NameChar production includes combining marks (U+0300-U+036F) as a range, not as combined characters.
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`, 'u');
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Parses `doc` or throws an XmlError that says what is wrong and where. */
export function parseXml(doc: string): XmlElement {
  for (let i = 0; i < doc.length; i++) {
    const code = doc.codePointAt(i)!;
    if (!isXmlChar(code)) throw new XmlError(`character U+${code.toString(16).toUpperCase()} at ${i} is not allowed in XML 1.0`);
    if (code > 0xffff) i++;
  }
  // Line-end normalisation (XML 1.0 §2.11), before anything else, as a parser does.
  const src = doc.replace(/\r\n?/g, '\n');
  let pos = 0;
  const fail = (what: string): never => {
    throw new XmlError(`${what} at ${pos}: ${JSON.stringify(src.slice(pos, pos + 40))}`);
  };
  const skipSpace = (): boolean => {
    const start = pos;
    while (pos < src.length && ' \t\n'.includes(src[pos]!)) pos++;
    return pos > start;
  };
  const readName = (): string => {
    const match = NAME.exec(src.slice(pos, pos + 256));
    if (match === null) fail('expected a name');
    pos += match![0].length;
    return match![0];
  };
  const readReference = (): string => {
    const end = src.indexOf(';', pos);
    if (end < 0) fail('unterminated reference');
    const body = src.slice(pos + 1, end);
    let value: string;
    if (/^#x[0-9a-fA-F]+$/.test(body) || /^#[0-9]+$/.test(body)) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!isXmlChar(code)) fail(`character reference to a character XML forbids (${body})`);
      value = String.fromCodePoint(code);
    } else {
      const entity = PREDEFINED[body];
      if (entity === undefined) fail(`undeclared entity &${body};`);
      value = entity!;
    }
    pos = end + 1;
    return value;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', pos)) {
        const end = src.indexOf('-->', pos + 4);
        if (end < 0 || src.slice(pos + 4, end).includes('--')) fail('bad comment');
        pos = end + 3;
      } else if (src.startsWith('<?', pos)) {
        pos += 2;
        if (readName().toLowerCase() === 'xml') fail('XML declaration not at the start');
        const end = src.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else return;
    }
  };

  const declaration = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*\?>/.exec(src);
  if (src.startsWith('<?xml') && declaration === null) fail('malformed XML declaration');
  if (declaration !== null) pos = declaration[0].length;
  skipMisc();
  if (src.startsWith('<!DOCTYPE', pos)) fail('DTDs are not supported');
  if (src[pos] !== '<') fail('expected the root element');

  const parseElement = (scope: ReadonlySet<string>): XmlElement => {
    pos++; // '<'
    const name = readName();
    const attributes = new Map<string, string>();
    for (;;) {
      const spaced = skipSpace();
      if (src.startsWith('/>', pos) || src[pos] === '>') break;
      if (!spaced) fail('expected white space before an attribute');
      const attribute = readName();
      if (attributes.has(attribute)) fail(`attribute ${attribute} repeated`);
      skipSpace();
      if (src[pos] !== '=') fail('expected =');
      pos++;
      skipSpace();
      const quote = src[pos];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      pos++;
      let value = '';
      for (;;) {
        const c = src[pos];
        if (c === undefined) fail('unterminated attribute value');
        if (c === quote) break;
        if (c === '<') fail('< in an attribute value');
        if (c === '&') value += readReference();
        else {
          value += c === '\t' || c === '\n' ? ' ' : c;
          pos++;
        }
      }
      pos++;
      attributes.set(attribute, value);
    }
    const inScope = new Set(scope);
    for (const attribute of attributes.keys()) if (attribute.startsWith('xmlns:')) inScope.add(attribute.slice(6));
    for (const qualified of [name, ...[...attributes.keys()].filter((a) => a !== 'xmlns' && !a.startsWith('xmlns:'))]) {
      const colon = qualified.indexOf(':');
      if (colon >= 0 && qualified.slice(0, colon) !== 'xml' && !inScope.has(qualified.slice(0, colon))) fail(`undeclared namespace prefix in ${qualified}`);
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (src.startsWith('/>', pos)) {
      pos += 2;
      return element;
    }
    pos++; // '>'
    for (;;) {
      const c = src[pos];
      if (c === undefined) fail(`<${name}> is never closed`);
      if (src.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        if (src[pos] !== '>') fail('expected >');
        pos++;
        return element;
      }
      if (src.startsWith('<![CDATA[', pos)) {
        const end = src.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA');
        element.text += src.slice(pos + 9, end);
        pos = end + 3;
      } else if (src.startsWith('<!--', pos) || src.startsWith('<?', pos)) {
        skipMisc();
      } else if (c === '<') {
        element.children.push(parseElement(inScope));
      } else if (c === '&') {
        element.text += readReference();
      } else {
        if (src.startsWith(']]>', pos)) fail(']]> in character data');
        element.text += c;
        pos++;
      }
    }
  };

  const root = parseElement(new Set());
  skipMisc();
  if (pos !== src.length) fail('content after the root element');
  return root;
}

/** Depth-first, every element named `name`. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (element: XmlElement): void => {
    if (element.name === name) found.push(element);
    for (const child of element.children) visit(child);
  };
  visit(root);
  return found;
}
