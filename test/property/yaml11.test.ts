/**
 * YAML 1.1 readers (issue 17 point 2): docker-compose 1.29 reads with PyYAML (YAML 1.1), where
 * plain `2001-12-14` is a date, `y`/`on` booleans, `0755` octal, `1:20` base 60, `1_000` a
 * number. Every scalar a printer of the tool writes must read back as the same value in YAML 1.1
 * and 1.2. The printers: emit's block printer (printBlocks, the fast splice path), the yaml
 * Document printer (createNode + emit), and the one rule in src/yaml/scalar.ts that init's text
 * uses (scalarKey in flow mappings, scalarValue, commentText for its comment lines), the source's
 * own scalars through the Document printer, and render's q helper. Each output is read by `yaml` with
 * version '1.1' and '1.2' and, when the machine has it, by PyYAML itself (the reader of
 * docker-compose 1.29).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { Document, parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emit, printBlocks } from '../../src/emit/emit.js';
import { createNode } from '../../src/yaml/nodes.js';
import { commentText, scalarKey, scalarValue, yamlQuote } from '../../src/yaml/scalar.js';
import { build } from '../../src/index.js';
import { params, runs, SEED, TIMEOUT } from './support/run.js';

/** Strings YAML 1.1 and 1.2 read differently when plain, and their neighbours. */
const KNOWN = [
  '2001-12-14', '2001-1-4', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-14T21:59:43Z', '2002-12-14 1:00:00',
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'yEs', 'no', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'False', 'null', 'Null', '~', '',
  '0755', '0o755', '0O17', '09', '0_7', '0b101', '0B1', '-0b1', '0x1F', '0x_1', '0X1f', '+0x1',
  '1:20', '190:20:30', '190:20:30.15', '-1:20', '1000:1000', '0:30', '08:30', '1:2:3:4',
  '1_000', '1_', '_1', '1_0.5', '1__2', '1.', '.5', '1.5e3', '1e3', '1.0e+3', '+1', '-0', '1E5',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', '=', '<<',
  'a\u0085b', 'soft\u00adhyphen', 'x\u2028y', 'p\u2029q', 'bom\ufeff', 'rtl\u202eevil', 'zw\u200bsp', '\u0007bell', 'del\u007f',
  'emoji \u{1F600}', 'caf\u00e9', ' lead', 'trail ', 'a: b', 'a #b', '-x', '- x', ':x', 'x:', '#x', '${VAR}', '$$', 'a,b', '{x}', '[x]',
  '/var/lib/postgresql/data', 'postgres:16', 'example-volume_1', 'key=value', '10.0.0.5', 'v1.2.3',
];

/** A small alphabet that keeps hitting the number, time and word forms. */
const AMBIGUOUS_CHARS = [...'0123456789::--..__++eExXoObB yYnN~=<tTzZ'];

const year = fc.integer({ min: 1000, max: 9999 });
const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const one2 = fc.integer({ min: 0, max: 99 }).map(String);

const stringArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...KNOWN),
  fc.string({ unit: fc.constantFrom(...AMBIGUOUS_CHARS), maxLength: 12 }),
  // Dates and times in the shapes the 1.1 timestamp type takes (and near misses).
  fc.tuple(year, one2, one2, fc.option(fc.tuple(fc.constantFrom('T', 't', ' ', '  ', '\t'), one2, two, two, fc.constantFrom('', '.5', '.123'), fc.constantFrom('', 'Z', ' -5', '+01:00', '-05:00')))).map(
    ([y, m, d, t]) => `${y}-${m}-${d}${t ? `${t[0]}${t[1]}:${t[2]}:${t[3]}${t[4]}${t[5]}` : ''}`,
  ),
  // Words of the 1.1 bool and null types in any case.
  fc.tuple(fc.constantFrom('y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null'), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 })).map(([w, up]) =>
    [...w].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''),
  ),
  // Numbers with signs, underscores, bases, base 60 and exponents.
  fc.tuple(fc.constantFrom('', '-', '+'), fc.constantFrom('', '0', '0x', '0o', '0b', '.'), fc.stringMatching(/^[0-9_]{1,6}$/), fc.constantFrom('', ':30', ':5:9', '.', '.25', 'e5', 'e-3')).map((p) => p.join('')),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

const readers = (text: string): { '1.1': unknown; '1.2': unknown } => ({
  '1.1': parse(text, { version: '1.1', uniqueKeys: false }),
  '1.2': parse(text, { version: '1.2', uniqueKeys: false }),
});

/** The texts every printer writes for the string: as a value, a list item and a key. */
function printed(s: string): { printer: string; text: string; expected: unknown }[] {
  const value = { value: s, list: [s] };
  const keyed = { [s]: 'v' };
  const doc = (v: unknown): string => {
    const d = new Document({});
    d.contents = createNode(d, v) as never;
    return emit(d, ['src.yaml'], 'compose');
  };
  return [
    { printer: 'printBlocks value', text: printBlocks([value])[0]!, expected: value },
    { printer: 'printBlocks key', text: printBlocks([keyed])[0]!, expected: keyed },
    { printer: 'document value', text: doc(value), expected: value },
    { printer: 'document key', text: doc(keyed), expected: keyed },
    // init's text: keys and names through scalarKey (also in a flow mapping), values through scalarValue.
    { printer: 'scalar.ts flow', text: `- { target: ${scalarKey(s)}, name: ${scalarKey(s)} }\n`, expected: [{ target: s, name: s }] },
    { printer: 'scalar.ts block', text: `${scalarKey(s)}:\n  v: ${scalarValue(s)}\n  q: ${yamlQuote(s)}\n`, expected: { [s]: { v: s, q: s } } },
    // The source's own scalars kept in yaml's Document (emit forces double quotes on an escaped character).
    { printer: 'document source', text: emit(parseDocument(`k: ${JSON.stringify(s)}\nl:\n  - ${JSON.stringify(s)}\n`), ['src.yaml'], 'compose'), expected: { k: s, l: [s] } },
    // render's q helper in a flow mapping, and init's comment lines (then data that must stay as it is).
    { printer: 'render q flow', text: `f: { x: ${yamlQuote(s)} }\n`, expected: { f: { x: s } } },
    { printer: 'init comment', text: `${commentText(`# note ${s} end`)}\nafter: 1\n`, expected: { after: 1 } },
  ];
}

describe('property: every printed scalar reads the same in YAML 1.1 and 1.2', () => {
  it('the known ambiguous strings, through every printer', () => {
    for (const s of KNOWN) {
      for (const p of printed(s)) {
        const r = readers(p.text);
        expect(r['1.1'], `${p.printer} ${JSON.stringify(s)} read as YAML 1.1:\n${p.text}`).toEqual(p.expected);
        expect(r['1.2'], `${p.printer} ${JSON.stringify(s)} read as YAML 1.2:\n${p.text}`).toEqual(p.expected);
      }
    }
  });

  it('generated strings, through every printer', () => {
    fc.assert(
      fc.property(stringArb, (s) => {
        for (const p of printed(s)) {
          const r = readers(p.text);
          expect(r['1.1'], `${p.printer} ${JSON.stringify(s)} read as YAML 1.1:\n${p.text}`).toEqual(p.expected);
          expect(r['1.2'], `${p.printer} ${JSON.stringify(s)} read as YAML 1.2:\n${p.text}`).toEqual(p.expected);
        }
      }),
      params(1000),
    );
  }, TIMEOUT);

  it('a comment holding U+0085 or U+2028 cannot end early for a YAML 1.1 reader', () => {
    const d = new Document({ services: { a: { image: 'x' } } });
    d.commentBefore = ' note\u0085services: {evil: {image: y}}';
    const text = emit(d, ['src.yaml'], 'compose');
    expect(text).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(readers(text)['1.1']).toEqual({ services: { a: { image: 'x' } } });
  });

  it('a volume name such as 2001-12-14 or 1_000 is quoted in the output of build (both printers)', () => {
    for (const layout of ['block', 'flow']) {
      const services = layout === 'block' ? 'services:\n  db:\n    image: postgres:16\n' : 'services: { db: { image: "postgres:16" } }\n';
      const text = `${services}x-persistence:\n  services:\n    db:\n      pattern: volume\n      mounts:\n        - { target: /var/lib/postgresql/data, name: "2001-12-14" }\n        - { target: /b, name: "1_000" }\n        - { target: /c, name: "0755" }\n        - { target: /d, name: "y" }\n`;
      const r = build([{ file: 'compose.persist.yaml', text }]);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const v11 = readers(r.text!)['1.1'] as { volumes: Record<string, unknown>; services: { db: { volumes: { source: unknown }[] } } };
      expect(Object.keys(v11.volumes).sort(), r.text).toEqual(['0755', '1_000', '2001-12-14', 'y']);
      expect(v11.services.db.volumes.map((m) => m.source)).toEqual(['2001-12-14', '1_000', '0755', 'y']);
    }
  });

  // PyYAML is the reader of docker-compose 1.29; yaml's 1.1 mode is a model of it. When python3 has it, it reads the outputs too.
  const py = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  it.skipIf(py.status !== 0)('PyYAML reads every printed text as the same value', () => {
    const strings = [...KNOWN, ...fc.sample(stringArb, { seed: SEED, numRuns: runs(800) })];
    const cases = strings.flatMap((s) => printed(s).map((p) => ({ s, ...p })));
    const script = [
      'import json, sys, yaml',
      'out = []',
      'for t in json.load(sys.stdin):',
      '    try: out.append(json.dumps(yaml.safe_load(t), ensure_ascii=False))',
      '    except Exception as e: out.append("ERROR " + type(e).__name__ + ": " + str(e))',
      'json.dump(out, sys.stdout)',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases.map((c) => c.text)), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.status, r.stderr).toBe(0);
    const read = JSON.parse(r.stdout) as string[];
    const same = (got: string, expected: unknown): boolean => {
      if (got.startsWith('ERROR ')) return false;
      try {
        expect(JSON.parse(got)).toEqual(expected);
        return true;
      } catch {
        return false;
      }
    };
    const wrong = cases.flatMap((c, i) => (same(read[i]!, c.expected) ? [] : [`${c.printer} ${JSON.stringify(c.s)}: PyYAML read ${read[i]}\n${c.text}`]));
    expect(wrong.slice(0, 5), `${wrong.length} of ${cases.length} texts`).toEqual([]);
  }, TIMEOUT);
});
