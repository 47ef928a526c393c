/**
 * Issue 14.3: a pattern is one module. Its row, hooks and template live in its folder under
 * src/patterns/; no stage chooses behaviour by comparing a pattern's name, and a pattern
 * added as a folder (plus its line in the table) works through runBuild with no other edit.
 * (That src/patterns/ imports only leaves is import-direction.test.ts's rank 0.)
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runInTreeCopy } from '../helpers/tree-copy.js';
import { parse } from 'yaml';
import { BUILTIN_PATTERNS } from '../../src/patterns/index.js';

const ROOT = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');

describe('no stage names a built-in pattern', () => {
  const names = BUILTIN_PATTERNS.map((p) => p.name.replace(/-/g, '\\-')).join('|');
  // `x.name === 'bind'`, `s.pattern !== 'none'`, and the same the other way round.
  const branch = new RegExp(`(?:\\bname|\\bpattern)\\s*[!=]==?\\s*(['"\`])(?:${names})\\1|(['"\`])(?:${names})\\2\\s*[!=]==?\\s*[A-Za-z_$][\\w$.?]*(?:name|pattern)\\b`);

  it('the check finds such a branch (it would fail on the code before issue 14)', () => {
    expect(branch.test("if (pattern.name === 'bind') {")).toBe(true);
    expect(branch.test("const sidecar = options.pattern === 'data-container';")).toBe(true);
    expect(branch.test(".filter((s) => s.pattern !== 'none' && x)")).toBe(true);
    expect(branch.test("if ('plugin' === mp.name)")).toBe(true);
    expect(branch.test("if (m.kind === 'volume')")).toBe(false);
  });

  it('outside src/patterns/, no source file compares a pattern name with a built-in one', () => {
    const found = sourceFiles(join(ROOT, 'src'))
      .filter((f) => !rel(f).startsWith('src/patterns/') && !rel(f).startsWith('src/generated/'))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (branch.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });

  it('every built-in pattern is a folder of its own name, with its module and template', () => {
    const folders = readdirSync(join(ROOT, 'src/patterns'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(folders).toEqual(BUILTIN_PATTERNS.map((p) => p.name).sort());
    for (const name of folders) expect(readdirSync(join(ROOT, 'src/patterns', name)).sort()).toEqual(['index.ts', 'template.yaml.hbs']);
  });
});

const CACHE_MODULE = `/** Pattern cache (a test's): a named volume per mount, labelled as a cache. */
import type { BuiltinPattern } from '../types.js';

export const cache: BuiltinPattern = {
  name: 'cache', seedName: '(test)', level: 'container', needsMounts: true,
  summary: 'a named volume per mount, labelled as a cache',
  keys: ['mounts'], mountKeys: ['name', 'read_only'], swarm: 'per-node', keepable: true,
};
`;

const CACHE_TEMPLATE = `{{!-- cache: a named volume per mount, labelled. --}}
{{> _named-volumes}}
top_volumes:
{{#each volumes}}
  {{q name}}:
    labels:
      dev.example.cache: "true"
{{/each}}
{{> _placement}}
`;

const ENTRY = `import { runBuild } from './src/pipeline.ts';
const text = 'services:\\n  app:\\n    image: example/app:1\\nx-persistence:\\n  services:\\n    app: {pattern: cache, mounts: [/var/cache/app]}\\n';
const r = runBuild([{ file: 'compose.persist.yaml', text }]);
process.stdout.write(JSON.stringify({ text: r.text, diagnostics: r.diagnostics, plan: r.plan }));
`;

describe('a pattern added as a module', () => {
  it('works end to end through runBuild, with its folder and its line in the table only', () => {
    const out = runInTreeCopy<{
      text?: string;
      diagnostics: { severity: string; code: string }[];
      plan: { services: { pattern: string; level: string; generated: string[] }[] };
    }>('cp-pattern-', (tree) => {
      // The new pattern: one folder...
      mkdirSync(join(tree.dir, 'src/patterns/cache'));
      tree.write('src/patterns/cache/index.ts', CACHE_MODULE);
      tree.write('src/patterns/cache/template.yaml.hbs', CACHE_TEMPLATE);
      // ...and its line in the table.
      tree.replaceLine('src/patterns/index.ts', 'BUILTIN_PATTERNS: readonly AnyBuiltinPattern[] = [none, volume, dataContainer, bind, shared, plugin]', (l) => l.replace(/]$/, ', cache]'), "import { cache } from './cache/index.js';\n");
    }, ENTRY);
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(out.plan.services).toMatchObject([{ pattern: 'cache', level: 'container', generated: ['volume app-app -> /var/cache/app'] }]);
    const data = parse(out.text!) as { services: Record<string, { volumes?: unknown[] }>; volumes: Record<string, unknown> };
    expect(data.services.app!.volumes).toEqual([{ type: 'volume', source: 'app-app', target: '/var/cache/app' }]);
    expect(data.volumes).toEqual({ 'app-app': { labels: { 'dev.example.cache': 'true' } } });
    expect(out.text).not.toContain('x-persistence');
  }, 60_000);
});
