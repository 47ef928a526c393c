/**
 * Issue 14.3: Swarm specifics live in one target object (src/check/targets.ts, src/check/swarm.ts).
 * The pipeline and the printers ask it for the conversion, the version and what to drop; the
 * version each printer writes is the one the target gives.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { composeTarget, outputTarget } from '../../src/check/targets.js';
import { SWARM_VERSION, swarmTarget } from '../../src/check/swarm.js';
import { runBuild } from '../../src/pipeline.js';
import { TARGETS } from '../../src/model.js';
import { deepFreeze } from '../helpers/freeze.js';

const ROOT = resolve(__dirname, '../..');

describe('one object per target', () => {
  it('every target has its object, under its own name', () => {
    for (const t of TARGETS) expect(outputTarget(t).name).toBe(t);
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
