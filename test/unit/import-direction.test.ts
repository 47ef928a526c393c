/**
 * Imports point down the pipeline (README, "How it works"; issue 14 point 4): a stage may
 * import the leaves and the stages before it, never one after it, so each stage can be read,
 * tested and replaced knowing only what comes before. Every relative import in src/ (static,
 * `export ... from`, `import type` and dynamic `import()`) is read from the source text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', '..', 'src');

/**
 * Each module's rank, by its first path segment under src/. Leaves (rank 0) import only
 * leaves; any other module imports its own rank or lower.
 */
const RANK: Record<string, number> = {
  'strings.ts': 0, 'diagnostics.ts': 0, 'model.ts': 0, 'shell-quote.ts': 0,
  yaml: 0, generated: 0, compose: 0, patterns: 0, entries: 0,
  parse: 1,
  validate: 2,
  resolve: 3,
  plan: 4,
  render: 5,
  merge: 6,
  check: 7,
  emit: 8,
  // The commands over the pipeline: the engine (Docker) interface, explain, init, then the
  // data operations and the build pipeline, then the command line and the package entry.
  engine: 9, 'explain.ts': 9, init: 9,
  ops: 10, 'pipeline.ts': 10, 'output-file.ts': 10,
  cli: 11, 'index.ts': 11,
};

/**
 * Imports that point up today, each with why it is not moved yet. An entry no import matches
 * any more is harmless (the move happened); remove it then.
 */
const EXCEPTIONS: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/** An import or re-export opens a line (so doc comments quoting one do not count); import() may sit anywhere. */
const IMPORT = /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|(?<![/*] *)\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** The relative imports of a file's text, as paths under src/ of the .ts files they name. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    out.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const rankOf = (path: string): number | undefined => RANK[path.split('/')[0]!];

describe('imports point down the pipeline', () => {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f).split('\\').join('/'));

  it('every module of src/ has a rank', () => {
    expect(files.filter((f) => rankOf(f) === undefined)).toEqual([]);
  });

  it('the reader finds static, type, re-export and dynamic imports, and skips comments', () => {
    const text = [
      "import { a } from '../yaml/plain.js';",
      "import type { B } from './b.js';",
      "export { c } from '../strings.js';",
      'import {',
      '  d,',
      "} from '../compose/view.js';",
      "const m = await import('../ops/backup.js');",
      "// import { e } from '../emit/emit.js';",
      "/* import { f } from '../cli/main.js'; */",
    ].join('\n');
    expect(importsOf('render/x.ts', text)).toEqual(['yaml/plain.ts', 'render/b.ts', 'strings.ts', 'compose/view.ts', 'ops/backup.ts']);
  });

  it('no import points up the order (but the explained exceptions)', () => {
    const up: string[] = [];
    for (const file of files) {
      const from = rankOf(file)!;
      for (const target of importsOf(file, readFileSync(join(SRC, file), 'utf8'))) {
        const to = rankOf(target);
        const edge = `${file} -> ${target}`;
        const wrong = to === undefined || (from === 0 ? to !== 0 : to > from);
        if (wrong && !Object.hasOwn(EXCEPTIONS, edge)) up.push(`${edge} (rank ${from} imports rank ${to ?? '?'})`);
      }
    }
    expect(up).toEqual([]);
  });
});
