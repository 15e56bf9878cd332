import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlError, elementsNamed, parseXml } from './xml-check.js';

describe('parseXml (the test checker itself)', () => {
  it('accepts a well-formed document and decodes references, CDATA and normalised attribute values', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><r xmlns:x="urn:x" x:a="1&amp;2&#10;3\t4"><e>a&lt;b&#x1F600;<![CDATA[<&>]]></e><e/></r>\r\n',
    );
    assert.equal(root.name, 'r');
    assert.equal(root.attributes.get('x:a'), '1&2\n3 4');
    assert.deepEqual(elementsNamed(root, 'e').map((e) => e.text), ['a<b😀<&>', '']);
  });

  const malformed: ReadonlyArray<[string, string]> = [
    ['a bare &', '<r>a & b</r>'],
    ['a bare < in an attribute', '<r a="<"/>'],
    ['an unknown entity', '<r>&nbsp;</r>'],
    ['a reference to a forbidden character', '<r>&#1;</r>'],
    ['a raw C0 control', '<r>\u0001</r>'],
    ['a lone surrogate', '<r>\ud800</r>'],
    ['U+FFFF', '<r a="\uffff"/>'],
    ['unbalanced tags', '<r><a></r>'],
    ['an unclosed root', '<r>'],
    ['two roots', '<r/><r/>'],
    ['a repeated attribute', '<r a="1" a="2"/>'],
    ['an unquoted attribute', '<r a=1/>'],
    [']]> in text', '<r>]]></r>'],
    ['an undeclared prefix', '<r xsi:a="1"/>'],
    ['a bad name', '<1r/>'],
    ['-- in a comment', '<r><!-- a -- b --></r>'],
    ['a late XML declaration', '<r/><?xml version="1.0"?>'],
  ];
  for (const [what, doc] of malformed) {
    it(`rejects ${what}`, () => assert.throws(() => parseXml(doc), XmlError));
  }
});
