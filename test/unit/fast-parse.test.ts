/**
 * The fast reader against the full parser (yaml): wherever the fast reader
 * accepts a file, the data and the position of every key and value must be
 * what the full parser gives. Inputs: every YAML file of the repository's
 * samples and tests, the shared corpus of real compose files, the benchmark
 * generator, generated YAML (fast-check), and single-character mutations of
 * real files (the edge of the subset is where a fast path goes wrong).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource, type SourceDoc } from '../../src/parse/parse.js';
import { fastParse, type FNode } from '../../src/yaml/fast-parse.js';
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../../bench/generate.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED = Number(process.env.FUZZ_SEED ?? 42);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

function yamlFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (name !== 'node_modules' && !name.startsWith('.')) yamlFiles(p, out);
    } else if (/\.ya?ml$/.test(name) && st.size < 2_000_000) out.push(p);
  }
  return out;
}

type Path = (string | number)[];

/** Every path the fast reader saw, keys and values (aliases not followed). */
function paths(n: FNode, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (n.kind === 'map') for (const p of n.pairs) if (!p.merge) paths(p.value, [...at, p.key], out);
  if (n.kind === 'seq') n.items.forEach((item, i) => paths(item, [...at, i], out));
  return out;
}

/**
 * Compares the fast reader with the full parser on one text. Returns whether
 * the fast reader accepted it; throws (an assertion) on any difference.
 */
function compare(text: string, name: string): boolean {
  const fast = fastParse(text);
  if (!fast) return false;
  const viaFast = parseSource({ file: name, text });
  const viaFull = parseSource({ file: name, text }, { fast: false });
  if (fast.duplicate) {
    // A repeated key: the same message at the same place as the full parser's check.
    expect(viaFast.diagnostics, `${name}: repeated key`).toEqual(viaFull.diagnostics);
    return true;
  }
  // The fast reader must never accept what the full parser refuses.
  expect(viaFull.diagnostics, `${name}: the full parser refuses what the fast reader read`).toEqual([]);
  const a = viaFast.value as SourceDoc;
  const b = viaFull.value as SourceDoc;
  if (a.fast === undefined) return false; // refused as an alias bomb: read by the full parser
  expect(a.data, `${name}: data`).toStrictEqual(b.data);
  for (const p of paths(fast.root)) {
    for (const preferKey of [false, true]) {
      expect(a.positionOf(p, preferKey), `${name}: position of ${JSON.stringify(p)}${preferKey ? ' (key)' : ''}`).toEqual(b.positionOf(p, preferKey));
      expect(a.index.offsetOf(p, preferKey), `${name}: offset of ${JSON.stringify(p)}${preferKey ? ' (key)' : ''}`).toBe(b.index.offsetOf(p, preferKey));
    }
    // What the planner of the output's edits reads: the same from both source indexes.
    expect(a.index.written(p), `${name}: what is written at ${JSON.stringify(p)}`).toEqual(b.index.written(p));
  }
  for (const key of ['services', 'volumes', 'x-persistence', 'persistence', 'nope']) expect(a.hasTopKey(key)).toBe(b.hasTopKey(key));
  return true;
}

describe('fast reader = full parser where it reads', () => {
  const files = [
    ...yamlFiles(join(ROOT, 'samples')),
    ...yamlFiles(join(ROOT, 'test')),
    ...yamlFiles(join(ROOT, '..', 'shared', 'corpus')),
  ];

  it('on every YAML file of the repository and the shared corpus', () => {
    let read = 0;
    for (const f of files) if (compare(readFileSync(f, 'utf8'), f)) read++;
    console.log(`fast reader: read ${read} of ${files.length} files; the rest went to the full parser`);
    // The point of the fast path: most real files are in its subset.
    expect(read).toBeGreaterThan(files.length / 2);
  });

  it('reports a repeated key as the full parser does: the first mapping (in document order) that has one', () => {
    const cases = [
      'a:\n  x: 1\n  x: 2\na: 3\n',
      'services:\n  db:\n    image: x\n    image: y\n  web: { image: a, image: b }\n',
      'services:\n  web: { image: a, image: b }\n  db:\n    image: x\n    image: y\n',
      'a: 1\n"a": 2\n',
      'x: &x\n  k: 1\n  k: 2\ny:\n  <<: *x\n  <<: *x\n',
    ];
    for (const text of cases) {
      expect(fastParse(text)?.duplicate, text).toBeDefined();
      expect(compare(text, text)).toBe(true);
    }
  });

  it('a merged key named like an Object member (toString, valueOf) is merged, as yaml merges it', () => {
    const text = 'x-a: &a\n  toString: 1\n  valueOf: 2\n  k: 3\ny:\n  <<: *a\n  k: 4\n';
    const want = { toString: 1, valueOf: 2, k: 4 };
    for (const fast of [true, false]) expect((parseSource({ file: 'f', text }, { fast }).value!.data as { y: unknown }).y).toEqual(want);
    expect(compare(text, text)).toBe(true);
  });

  it('on the benchmark input (block and flow styles, anchors, merges, interpolation)', () => {
    const text = generate(300, 1) as string;
    expect(compare(text, 'bench-300')).toBe(true);
  });

  it('on single-character mutations of real files', () => {
    const sources = files.filter((f) => /corpus|samples/.test(f)).map((f) => readFileSync(f, 'utf8')).filter((t) => t.length < 20_000);
    const alphabet = [' ', '\n', ':', '-', '#', '&', '*', '"', "'", '|', '>', '[', ']', '{', '}', ',', '<', '!', '%', '?', '\\', 'x', '0', '.'];
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('insert', 'replace', 'delete'), (which, where, ch, op) => {
        const src = sources[which % sources.length]!;
        const at = where % (src.length + 1);
        const text = op === 'insert' ? src.slice(0, at) + ch + src.slice(at) : op === 'replace' ? src.slice(0, at) + ch + src.slice(at + 1) : src.slice(0, at) + src.slice(at + 1);
        if (compare(text, `mutation ${op} ${JSON.stringify(ch)} at ${at}:\n${text.slice(Math.max(0, at - 200), at + 200)}`)) accepted++;
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
    console.log(`fast reader: ${accepted} of ${RUNS * 4} mutated files read fast, all equal to the full parser`);
  });

  it('on generated YAML (scalars of every kind, layouts, anchors, merges, comments)', () => {
    const plain = fc.constantFrom('a', 'web', 'yes', 'no', 'on', 'true', 'False', 'null', '~', 'NULL', '0', '-1', '+2', '007', '0o17', '0x1F', '0x', '1.5', '1.', '.5', '1e3', '-2.5E-3', '.inf', '-.Inf', '.nan', '1_000', '12:30', 'a:b', 'a b', 'http://x/y', './data:/var/lib/x:ro', '${VAR:-d}', '$$HOME', 'a#b', '?x', ':x', '-x', 'x]', 'x}', 'x,y', '<<', '=');
    const quotedText = fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', '\\', '"', "'", 'é', 'n', 'x', '-', '{', '}') , maxLength: 8 });
    const dq = quotedText.map((t) => JSON.stringify(t));
    const dqEsc = fc.constantFrom('"\\x41\\u00e9\\t\\n\\\\"', '"\\0"', '"\\e\\N\\_"', '"\\/"', '"\\U0001F600"', '"\\q"', '"a\\ b"');
    const sq = quotedText.map((t) => `'${t.replace(/'/g, "''")}'`);
    const scalar = fc.oneof(plain, dq, dqEsc, sq);
    const key = fc.oneof(fc.constantFrom('image', 'volumes', 'a', 'b', 'x-y', '"q"', "'s'", '1', 'true', '<<', 'k k', '"a"', '01', '1.0'), plain);
    const flow: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small' },
        fc.array(fc.oneof(scalar, tie('f')), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
        fc.array(fc.tuple(key, fc.oneof(scalar, tie('f'))), { maxLength: 3 }).map((ps) => `{ ${ps.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
      ),
    })).f;
    const block = fc.constantFrom('|\n  line one\n  line two\n', '|-\n  a\n\n  b\n\n', '>\n  folded\n  text\n\n  para\n', '>-\n  x\n', '|\n', '|+\n  kept\n\n', '|2\n   x\n', '>\n\n  lead\n', '|\n    deeper\n  less\n');
    type Tree = { kind: 'map'; pairs: [string, Tree][] } | { kind: 'seq'; items: Tree[] } | { kind: 'leaf'; text: string };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(scalar, flow, block).map((text) => ({ kind: 'leaf' as const, text })),
        fc.array(fc.tuple(key, tie('t')), { minLength: 1, maxLength: 4 }).map((pairs) => ({ kind: 'map' as const, pairs })),
        fc.array(tie('t'), { minLength: 1, maxLength: 3 }).map((items) => ({ kind: 'seq' as const, items })),
      ),
    })).t;
    const decorations = fc.record({ indent: fc.constantFrom(2, 4, 1), seqSameIndent: fc.boolean(), comments: fc.boolean(), blank: fc.boolean(), anchors: fc.boolean() });
    let accepted = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }), decorations, fc.nat(), (top, d, salt) => {
        let anchorNo = 0;
        const anchorsMade: string[] = [];
        const lines: string[] = [];
        const props = (): string => {
          if (!d.anchors || (salt + anchorNo) % 3 !== 0) return '';
          const name = `a${anchorNo++}`;
          anchorsMade.push(name);
          return `&${name} `;
        };
        const leafText = (t: string): string => (d.anchors && anchorsMade.length && (salt + lines.length) % 5 === 0 ? `*${anchorsMade[(salt + lines.length) % anchorsMade.length]}` : t);
        const emitValue = (t: Tree, col: number, lead: string): void => {
          // lead: "key:" or "-" already written at col
          if (t.kind === 'leaf') {
            const text = leafText(t.text);
            if (text.includes('\n')) {
              const [head, ...rest] = text.split('\n');
              lines.push(`${lead} ${props()}${head}`);
              for (const r of rest.slice(0, -1)) lines.push(r === '' ? '' : ' '.repeat(col) + r);
            } else lines.push(`${lead} ${props()}${text}${d.comments && text.length % 2 ? '  # note' : ''}`);
            return;
          }
          lines.push(`${lead}${props() ? ` ${props().trim()}` : ''}`);
          const inner = t.kind === 'seq' && d.seqSameIndent && lead.endsWith(':') ? col : col + d.indent;
          emitNode(t, inner);
        };
        const emitNode = (t: Tree, col: number): void => {
          const pad = ' '.repeat(col);
          if (t.kind === 'map') {
            for (const [k, v] of t.pairs) {
              if (d.blank && k.length % 3 === 0) lines.push('');
              if (d.comments && k.length % 4 === 0) lines.push(`${pad}# about ${k}`);
              emitValue(v, col, `${pad}${k}:`);
            }
          } else if (t.kind === 'seq') {
            for (const item of t.items) emitValue(item, col + 2, `${pad}-`);
          } else lines.push(`${pad}${t.text}`);
        };
        emitNode({ kind: 'map', pairs: top }, 0);
        const text = `${lines.join('\n')}\n`;
        total++;
        if (compare(text, `generated:\n${text}`)) accepted++;
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
    console.log(`fast reader: ${accepted} of ${total} generated files read fast, all equal to the full parser`);
    expect(accepted).toBeGreaterThan(total / 10);
  });
});
