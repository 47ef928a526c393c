/**
 * Issue 14.3: Swarm specifics live in one target object (src/check/targets.ts, src/check/swarm.ts).
 * The pipeline and the printers ask it for the conversion, the version and what to drop; the
 * version each printer writes is the one the target gives. The stages below check/ ask the
 * target's facts (src/compose/target-facts.ts), on which the objects are built; no module
 * outside those three compares a target's name.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { composeTarget, outputTarget } from '../../src/check/targets.js';
import { SWARM_VERSION, swarmTarget } from '../../src/check/swarm.js';
import { runBuild } from '../../src/pipeline.js';
import { TARGETS } from '../../src/model.js';
import { targetFacts } from '../../src/compose/target-facts.js';
import { deepFreeze } from '../helpers/freeze.js';

const ROOT = resolve(__dirname, '../..');

describe('one object per target', () => {
  it('every target has its object, under its own name', () => {
    for (const t of TARGETS) expect(outputTarget(t).name).toBe(t);
  });

  it('each object is built on its target\'s facts (one place says what Swarm means)', () => {
    for (const t of TARGETS) {
      expect(targetFacts(t).name).toBe(t);
      expect(outputTarget(t)).toMatchObject({ ...targetFacts(t) });
    }
    // One default (the header and a rebuild command do not name it): the CLI's --target default.
    expect(TARGETS.filter((t) => targetFacts(t).isDefault)).toEqual(['compose']);
    // Swarm schedules tasks across nodes and ignores depends_on; the templates' flag says Swarm.
    expect(targetFacts('swarm')).toMatchObject({ schedulesAcrossNodes: true, ordersStartup: false, templateFlags: { swarm: true } });
    expect(targetFacts('compose')).toMatchObject({ schedulesAcrossNodes: false, ordersStartup: true, templateFlags: { swarm: false } });
  });

  // `target === 'swarm'`, `opts.target !== 'compose'`, `case 'swarm':`, and the same the other way round.
  const names = TARGETS.join('|');
  const branch = new RegExp(`[!=]==?\\s*(['"\`])(?:${names})\\1|(['"\`])(?:${names})\\2\\s*[!=]==?|\\bcase\\s+(['"\`])(?:${names})\\3\\s*:`);
  /** The modules that state what a target is; every other module asks them. */
  const TARGET_MODULES = ['src/compose/target-facts.ts', 'src/check/targets.ts', 'src/check/swarm.ts'];

  it('the check finds a branch on a target name (it would fail on the code before)', () => {
    expect(branch.test("if (target === 'swarm') level = swarmLevel(s);")).toBe(true);
    expect(branch.test("const unpinned = target === \"swarm\" && x;")).toBe(true);
    expect(branch.test("  if (target !== 'swarm') return level;")).toBe(true);
    expect(branch.test("...(opts.target === 'compose' ? [] : ['--target', opts.target]),")).toBe(true);
    expect(branch.test("if ('compose' !== plan.target)")).toBe(true);
    expect(branch.test("    case 'swarm':")).toBe(true);
    expect(branch.test("const r = runBuild(files, { target: 'swarm' });")).toBe(false);
    expect(branch.test("if (m.kind === 'volume')")).toBe(false);
  });

  it('outside the target modules, no source file compares a target name', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [join(dir, d.name)] : []));
    const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');
    const found = files(join(ROOT, 'src'))
      .filter((f) => !TARGET_MODULES.includes(rel(f)) && !rel(f).startsWith('src/generated/'))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (branch.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
    for (const m of TARGET_MODULES) expect(readFileSync(join(ROOT, m), 'utf8').length).toBeGreaterThan(0);
  });

  it('the pipeline and the printers never test the target by name', () => {
    const files = ['src/pipeline.ts', ...readdirSync(join(ROOT, 'src/emit')).filter((f) => f.endsWith('.ts')).map((f) => `src/emit/${f}`)];
    const found = files.flatMap((f) => readFileSync(join(ROOT, f), 'utf8').split('\n').flatMap((line, i) => (/['"`]swarm['"`]/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });

  const merged = deepFreeze({
    version: '3',
    services: {
      app: { image: 'a', depends_on: { db: { condition: 'service_started' } } },
      db: { image: 'b', depends_on: ['x'] },
    },
  });

  it('compose: the output is the merged data itself, nothing dropped, no version written', () => {
    const r = composeTarget.convert(merged, 'f.yaml');
    expect(r.output).toBe(merged);
    expect(r).toMatchObject({ drop: [], changed: false, diagnostics: [] });
    expect(r.version).toBeUndefined();
    expect(composeTarget.check({ raw: merged, services: merged.services, volumes: {} } as never, 'f.yaml')).toEqual([]);
  });

  it('swarm: its version in the output and for the printers; long-form depends_on dropped (input untouched)', () => {
    const r = swarmTarget.convert(merged, 'f.yaml');
    expect(r.version).toBe(SWARM_VERSION);
    expect(r.output.version).toBe(SWARM_VERSION);
    expect(r.drop).toEqual([['services', 'app', 'depends_on']]);
    expect(r.changed).toBe(true);
    expect((r.output.services as Record<string, Record<string, unknown>>).app).toEqual({ image: 'a' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SWARM_CONVERTED']);
    expect(merged.services.app.depends_on).toBeDefined();
  });

  it('both printers write the version the target gives, in place of the file\'s own or first', () => {
    const withVersion = 'version: "3.2"\nservices:\n  app:\n    image: nginx\n';
    const without = 'services:\n  app:\n    image: nginx\n';
    for (const text of [withVersion, without]) {
      for (const fast of [true, false]) {
        const r = runBuild([{ file: 'stack.yaml', text }], { target: 'swarm', fast });
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect((parse(r.text!) as { version: unknown }).version).toBe(SWARM_VERSION);
        expect(r.text!.replace(/^#.*\n/gm, '').trimStart().startsWith('version:')).toBe(true);
      }
    }
  });
});
