/**
 * Issue 14 ("one edit model"): a kind of generated entry (a key a pattern's template may
 * render) is one module under src/entries/, with its line in the table there. Render and the
 * merge planner walk the table and name no kind; a kind added as a module (and used by a
 * template) builds end to end with no other edit. (That src/entries/ imports only leaves is
 * import-direction.test.ts's rank 0.)
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ENTRY_KEYS, ENTRY_KINDS } from '../../src/entries/index.js';
import { runInTreeCopy } from '../helpers/tree-copy.js';

const ROOT = resolve(__dirname, '../..');

// Modules that must stay kind-agnostic: render's reading and joining of fragments, the edit
// planner, and the two appliers of its edits.
const GENERIC = ['src/render/render.ts', 'src/merge/edits.ts', 'src/merge/document.ts', 'src/emit/splice.ts'];

// Every name a kind goes by: its template key, its Fragment field, the top-level key it adds to.
// Not `services`: it is also where a Compose file keeps its services, which the planner and
// the splicer address (['services', name]) whatever the kinds are.
const NAMES = [...new Set(ENTRY_KINDS.flatMap((k) => [k.key, k.field, ...('top' in k ? [k.top.key] : [])]))].filter((n) => n !== 'services');
// A name as a word, not a call (`fragments.set(plan, f)` is a Map's).
const named = new RegExp(`\\b(?:${NAMES.join('|')})\\b(?!\\s*\\()`);

/** The code of a file without its comments (which may explain a kind by name). */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('no generic module names a kind of generated entry', () => {
  it('the table holds the kinds render allowed before, in that order', () => {
    expect(ENTRY_KEYS).toEqual(['volumes', 'volumes_from', 'depends_on', 'set', 'services', 'top_volumes']);
  });

  it('the check finds such a name (it would fail on the code before the table)', () => {
    expect(named.test("  list('volumes_from', f.volumesFrom);")).toBe(true);
    expect(named.test('    topVolumes: asMapping(d.top_volumes) as Fragment[\'topVolumes\'],')).toBe(true);
    expect(named.test("  edits.push(...entriesAdded(['volumes'], index.written(['volumes']), x));")).toBe(true);
    expect(named.test('  for (const [k, v] of Object.entries(f.set)) svc[k] = v;')).toBe(true);
    expect(named.test('    fragments.set(plan, fragment);')).toBe(false);
    expect(code("const a = 1; // volumes_from: why\n/* top_volumes */ const b = 'x://y';")).toBe("const a = 1; \n const b = 'x://y';");
  });

  it.each(GENERIC)('%s names none outside comments', (file) => {
    const lines = code(readFileSync(join(ROOT, file), 'utf8')).split('\n');
    expect(lines.flatMap((line, i) => (named.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))).toEqual([]);
  });
});

// A kind a test adds: tmpfs mounts, appended to the service's tmpfs:.
const TMPFS_MODULE = `/** \`tmpfs\` (a test's): tmpfs mounts appended to the service's tmpfs:. */
import type { ServiceEntryKind } from './types.js';

export const tmpfs: ServiceEntryKind<'tmpfs', string[]> = {
  key: 'tmpfs',
  field: 'tmpfs',
  read: (rendered) => (Array.isArray(rendered) ? rendered.map(String) : []),
  combine: (first, second) => [...first, ...second.filter((t) => !first.includes(t))],
  change: (items) => (items.length ? { op: 'append', key: 'tmpfs', items } : undefined),
};
`;

// The volume pattern's template, using it.
const USES_TMPFS = '\ntmpfs:\n  - {{q (concat "/run/" service)}}\n';

const ENTRY = `import { runBuild } from './src/pipeline.ts';
import { compileUserTemplate, renderUserPlans } from './src/render/render.ts';
const text = [
  'x-base: &base',
  '  tmpfs: [/tmp]',
  'services:',
  '  app:',
  '    image: example/app:1',
  '    tmpfs: [/cache]',
  '  web:',
  '    <<: *base',
  '    image: example/web:1',
  'x-persistence:',
  '  services:',
  '    app: {pattern: volume, mounts: [/data]}',
  '    web: {pattern: volume, mounts: [/srv]}',
  '',
].join('\\n');
const r = runBuild([{ file: 'compose.persist.yaml', text }]);
// A user pattern's template writing the new kind: refused, no check of it is written.
const plan = r.plan.services[0];
const user = renderUserPlans([{ ...plan, pattern: 'mine', level: 'none' }], 'compose', new Map([['mine', { file: 'mine.yaml.hbs', render: compileUserTemplate('tmpfs:\\n  - /x\\n') }]]), 'compose.persist.yaml');
// The kind's own rule for user patterns (its module's userProblems, set here as that module would):
// the template's tmpfs only under /run/.
const { tmpfs } = await import('./src/entries/tmpfs.ts');
tmpfs.userProblems = (items) => items.filter((t) => !t.startsWith('/run/')).map((t) => \`mounts a tmpfs at \${t}; a template mounts one only under /run/\`);
const ruled = ['tmpfs:\\n  - /x\\n', 'tmpfs:\\n  - /run/x\\n'].map((t) => renderUserPlans([{ ...plan, pattern: 'mine', level: 'none' }], 'compose', new Map([['mine', { file: 'mine.yaml.hbs', render: compileUserTemplate(t) }]]), 'compose.persist.yaml').diagnostics.map((d) => d.message));
process.stdout.write(JSON.stringify({ text: r.text, diagnostics: r.diagnostics, user: user.diagnostics.map((d) => d.message), ruled }));
`;

describe('a kind added as a module', () => {
  it('works end to end through runBuild, with its module, its line in the table and a template using it', () => {
    const out = runInTreeCopy<{
      text?: string;
      diagnostics: { severity: string; code: string }[];
      user: string[];
      ruled: string[][];
    }>('cp-entry-', (tree) => {
      // The new kind: one module...
      tree.write('src/entries/tmpfs.ts', TMPFS_MODULE);
      // ...and its line in the table.
      tree.replaceLine('src/entries/index.ts', 'ENTRY_KINDS = [volumes, volumesFrom, dependsOn, set, services, topVolumes] as const', (l) => l.replace('] as const', ', tmpfs] as const'), "import { tmpfs } from './tmpfs.js';\n");
      // A template that renders it.
      tree.write('src/patterns/volume/template.yaml.hbs', tree.read('src/patterns/volume/template.yaml.hbs') + USES_TMPFS);
    }, ENTRY);
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const data = parse(out.text!, { merge: true }) as { 'x-base': unknown; services: Record<string, { tmpfs?: unknown[]; volumes?: unknown[] }> };
    // Appended to the list the service has; one it inherits through << is written in full, the anchor untouched.
    expect(data.services.app).toMatchObject({ tmpfs: ['/cache', '/run/app'], volumes: [{ type: 'volume', source: 'app-data', target: '/data' }] });
    expect(data.services.web).toMatchObject({ tmpfs: ['/tmp', '/run/web'], volumes: [{ type: 'volume', source: 'web-srv', target: '/srv' }] });
    expect(data['x-base']).toEqual({ tmpfs: ['/tmp'] });
    // As printed: the kind's entries where the generic rule puts them.
    expect(out.text!.slice(out.text!.indexOf('x-base:'))).toBe([
      'x-base: &base', '  tmpfs: [/tmp]', 'services:',
      '  app:', '    image: example/app:1', '    tmpfs:', '      - /cache', '      - /run/app', '    volumes:', '      - type: volume', '        source: app-data', '        target: /data',
      '  web:', '    <<: *base', '    image: example/web:1', '    volumes:', '      - type: volume', '        source: web-srv', '        target: /srv', '    tmpfs:', '      - /tmp', '      - /run/web',
      'volumes:', '  app-data: {}', '  web-srv: {}', '',
    ].join('\n'));
    expect(out.user).toEqual(['the template mine.yaml.hbs writes tmpfs:, which a user pattern may not (only the built-in patterns write it) for service app']);
    // With a rule in the kind's module, that rule decides: refused at /x, allowed under /run/.
    expect(out.ruled).toEqual([['the template mine.yaml.hbs mounts a tmpfs at /x; a template mounts one only under /run/ for service app'], []]);
  }, 60_000);
});
