/**
 * XML 1.0 text for values that come from untrusted input (account ids, labels, trace names).
 *
 * Two steps. First, characters XML 1.0 cannot carry at all, even as character references (C0
 * controls other than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF), are written as
 * U+FFFD followed by the four hex digits of the code unit, and a literal U+FFFD is written the
 * same way (U+FFFD + "FFFD"). The mapping is injective, so two different account ids stay two
 * different node ids, and reversible. Second, markup characters become entity or character
 * references: `& < > " '`, and tab, LF and CR (which attribute-value normalisation would turn
 * into spaces, and CR which line-end normalisation would drop). Emoji, CJK and every other
 * character are written as they are (the documents are UTF-8).
 */

/** Code units that need the first step: the forbidden ones, and U+FFFD itself. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MARKUP = /[&<>"'\t\n\r]/g;
const REFERENCE: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

/** The marker that starts an encoded code unit (see the file comment). */
export const XML_ESCAPE_MARK = '\ufffd';

/**
 * `value` as the content of an XML attribute (in double or single quotes) or of an element.
 * @example xmlText('a&b\u0001') // 'a&amp;b\uFFFD0001'
 */
export function xmlText(value: string): string {
  return value.replace(NOT_XML, encodeUnit).replace(MARKUP, (c) => REFERENCE[c]!);
}

/** Reverses the first step of `xmlText` on a string an XML parser has already decoded. */
export function decodeXmlSafe(text: string): string {
  return text.replace(/\ufffd([0-9A-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function encodeUnit(unit: string): string {
  return XML_ESCAPE_MARK + unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
