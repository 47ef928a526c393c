/**
 * One rule for YAML scalars (issue 14 point 3): src/yaml/scalar.ts decides for every printer
 * whether a string is printed plain, double-quoted, and which characters are escaped, and each
 * printer's output reads back (yaml, YAML 1.2 and 1.1) as the same string. A table of code
 * point classes and ambiguous words through each printer: emit's block printer (printBlocks),
 * the yaml Document printer (generated nodes, and the source's own scalars), render's `q`
 * helper, init (its flow entries, its comment lines, and a whole init --adopt run), and the
 * Swarm version splice writes.
 */
import { Document, parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emit, printBlocks } from '../../src/emit/emit.js';
import { createNode, createPair } from '../../src/yaml/nodes.js';
import { commentText, generatedStyle, holdsEscaped, plainKey, plainValue, scalarKey, scalarValue, yamlQuote } from '../../src/yaml/scalar.js';
import { initBlock } from '../../src/init/init.js';
import { build } from '../../src/index.js';

const CLASSES: [string, string][] = [
  ['NEL U+0085', 'a\u0085b'], ['NEL alone', '\u0085'], ['soft hyphen U+00AD', 'soft\u00adhyphen'], ['soft hyphen alone', '\u00ad'],
  ['line separator U+2028', 'x\u2028y'], ['paragraph separator U+2029', 'p\u2029q'], ['BOM U+FEFF last', 'bom\ufeff'], ['BOM U+FEFF first', '\ufeffbom'],
  ['zero-width space', 'zw\u200bsp'], ['right-to-left override', 'rtl\u202eevil'], ['C0 bell', '\u0007bell'], ['DEL', 'del\u007f'], ['C1 CSI', 'csi\u009b'],
  ['tab', 'a\tb'], ['line feed', 'a\nb'], ['carriage return', 'a\rb'], ['no-break space', 'a\u00a0b'], ['ideographic space', 'a\u3000b'],
  ['leading space', ' lead'], ['trailing space', 'trail '], ['only spaces', '  '], ['empty', ''],
  ['colon space', 'a: b'], ['space hash', 'a #b'], ['hash first', '#x'], ['colon last', 'x:'], ['colon first', ':x'], ['dash space', '- x'], ['dash first', '-x'],
  ['indicators first', '@x'], ['backtick', '`x'], ['percent', '%x'], ['bang', '!x'], ['ampersand', '&x'], ['star', '*x'], ['pipe', '|x'], ['gt', '>x'],
  ['quotes', `'x"`], ['flow', '{x}'], ['list', '[x]'], ['comma', 'a,b'], ['question', '?x'],
  ['yes', 'yes'], ['no', 'No'], ['on', 'ON'], ['off', 'off'], ['y', 'y'], ['n', 'N'], ['true', 'True'], ['null', 'null'], ['tilde', '~'], ['merge key', '<<'], ['value key', '='],
  ['octal', '0755'], ['underscore number', '1_000'], ['base 60', '1:20'], ['exponent', '1e3'], ['dot float', '.5'], ['hex', '0x1F'], ['inf', '-.inf'], ['date', '2001-12-14'],
  ['accented', 'caf\u00e9'], ['emoji', 'emoji \u{1F600}'], ['path', '/var/lib/postgresql/data'], ['image', 'postgres:16'], ['variable', '${VAR}'],
];

const read = (text: string): { '1.1': unknown; '1.2': unknown } => ({
  '1.1': parse(text, { version: '1.1', uniqueKeys: false }),
  '1.2': parse(text, { version: '1.2', uniqueKeys: false }),
});

/** The text each printer writes for the string, and the data it must read back as. */
function printers(s: string): { printer: string; text: string; expected: unknown }[] {
  const generated = (v: unknown): string => {
    const d = new Document({});
    d.contents = createNode(d, v) as never;
    return emit(d, ['src.yaml'], 'compose');
  };
  const generatedPair = (): string => {
    const d = new Document({});
    d.contents = createNode(d, {}) as never;
    (d.contents as unknown as { items: unknown[] }).items.push(createPair(d, s, [s]));
    return emit(d, ['src.yaml'], 'compose');
  };
  // The source's own scalars (a double-quoted key and value and a list item), kept in yaml's Document.
  const source = (): string => emit(parseDocument(`${JSON.stringify(s)}: ${JSON.stringify(s)}\nlist:\n  - ${JSON.stringify(s)}\n`), ['src.yaml'], 'compose');
  return [
    { printer: 'printBlocks', text: printBlocks([{ value: s, list: [s], [s]: 'v' }])[0]!, expected: { value: s, list: [s], [s]: 'v' } },
    { printer: 'Document, generated', text: generated({ value: s, list: [s] }), expected: { value: s, list: [s] } },
    { printer: 'Document, generated key', text: generatedPair(), expected: { [s]: [s] } },
    { printer: 'Document, source scalars', text: source(), expected: { [s]: s, list: [s] } },
    // render's q helper writes every template value; templates put it after a key and in list items.
    { printer: 'render q', text: `k: ${yamlQuote(s)}\nl:\n  - ${yamlQuote(s)}\nf: { x: ${yamlQuote(s)} }\n`, expected: { k: s, l: [s], f: { x: s } } },
    // init's block entries (flow mappings) and its comment lines, followed by data that must stay as it is.
    { printer: 'init flow entry', text: `- { target: ${scalarKey(s)}, name: ${scalarKey(s)} }\n`, expected: [{ target: s, name: s }] },
    { printer: 'init comment', text: `${commentText(`# note ${s} end`)}\nafter: 1\n`, expected: { after: 1 } },
  ];
}

describe('scalar.ts is the one rule, and every printer reads back', () => {
  it.each(CLASSES)('%s: every printer reads back as the same string in YAML 1.1 and 1.2', (_, s) => {
    for (const p of printers(s)) {
      const r = read(p.text);
      expect(r['1.2'], `${p.printer}, YAML 1.2:\n${p.text}`).toEqual(p.expected);
      expect(r['1.1'], `${p.printer}, YAML 1.1:\n${p.text}`).toEqual(p.expected);
    }
  });

  it.each(CLASSES)('%s: no printer leaves a character raw that the rule escapes', (_, s) => {
    for (const p of printers(s)) expect(holdsEscaped(p.text), `${p.printer}:\n${p.text}`).toBe(false);
  });

  it.each(CLASSES)('%s: the Document printer and the text printers agree on plain or quoted', (_, s) => {
    expect(generatedStyle(s, 'value')).toBe(plainValue(s) ? 'PLAIN' : 'QUOTE_DOUBLE');
    expect(generatedStyle(s, 'key')).toBe(plainKey(s) ? 'PLAIN' : 'QUOTE_DOUBLE');
    // A generated value yaml prints is plain exactly when printBlocks prints it plain.
    const d = new Document({});
    d.contents = createNode(d, { v: s }) as never;
    const line = d.toString({ lineWidth: 1_000_000 });
    expect(line.startsWith(`v: ${s}\n`) && s !== '', line).toBe(scalarValue(s) === s && s !== '');
  });

  it('U+0085 and U+00AD: escaped by every printer (they were a line break to YAML 1.1, and invisible)', () => {
    for (const s of ['a\u0085b', 'soft\u00adhyphen']) {
      expect(scalarValue(s)).toBe(JSON.stringify(s).replace(/\u0085/, '\\u0085').replace(/\u00ad/, '\\u00ad'));
      for (const p of printers(s)) expect(p.text, p.printer).not.toMatch(/[\u0085\u00ad]/);
    }
  });

  it('init --adopt writes a bind source by the rule, and the block reads back with it', () => {
    const sources = ['./soft\u00adhyphen', './bom\ufeff', './rtl\u202eevil', './yes', './a #b', './1_000', './trail '];
    for (const src of sources) {
      const text = `services:\n  db:\n    image: postgres:16\n    volumes:\n      - type: bind\n        source: ${yamlQuote(src)}\n        target: /var/lib/postgresql/data\n`;
      const r = initBlock({ file: 'compose.yaml', text }, { adopt: true });
      expect(r.diagnostics.filter((d) => d.severity === 'error'), src).toEqual([]);
      expect(holdsEscaped(r.text!), r.text).toBe(false);
      for (const version of ['1.1', '1.2'] as const) {
        const block = (parse(r.text!, { version }) as { 'x-persistence': { services: { db: { mounts: { source?: string }[] } } } })['x-persistence'];
        expect(block.services.db.mounts.map((m) => m.source), `${version}:\n${r.text}`).toContain(src);
      }
    }
  });

  it('the Swarm version splice writes is double-quoted by the rule', () => {
    const r = build([{ file: 'compose.persist.yaml', text: 'version: "3"\nservices:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db:\n      pattern: volume\n' }], { target: 'swarm' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const version = (parse(r.text!) as { version: unknown }).version;
    expect(typeof version).toBe('string');
    expect(r.text).toContain(`version: ${yamlQuote(String(version))}`);
  });
});
