/**
 * Issue 14.3: resolve and plan call a pattern's hooks only through patternHooks, which checks
 * once that the back-end is of the pattern's kind and binds it (the types say the same:
 * test/types/pattern-kinds.test-d.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ResolvedBackend, ResolvedService } from '../../src/model.js';
import type { MountResolveBase, PatternDef, PlanContext } from '../../src/patterns/index.js';
import { isOfKind, patternHooks } from '../../src/resolve/pattern-hooks.js';

const nfs: ResolvedBackend = { name: 'nas', type: 'nfs', level: 'host', input: { type: 'nfs', address: '10.0.0.1', export: '/x' } };
const convoy: ResolvedBackend = { name: 'cv', type: 'plugin', level: 'host', input: { type: 'plugin', driver: 'convoy' } };
const row = { seedName: '(test)', level: 'container', summary: 'test', needsMounts: true, keys: ['mounts'], mountKeys: [], swarm: 'ok' } as const;
const base = { service: 'app', name: 'app-data', path: ['x'] } as unknown as MountResolveBase;
const part = { service: 'app', pattern: 'p', mounts: [], image: 'busybox', path: [] } as ResolvedService;
const ctx = {} as PlanContext;

describe('patternHooks', () => {
  it('gives a shared pattern\'s hooks its shared back-end, and refuses a plugin one', () => {
    const seen: string[] = [];
    const p: PatternDef<'shared'> = {
      ...row, name: 'p', backend: 'shared',
      resolveMount: (c) => (seen.push(`mount ${c.backend.name}`), { subPath: c.name }),
      plan: (s) => (seen.push(`plan ${s.backend.name}`), { generated: [] }),
    };
    const hooks = patternHooks(p, nfs)!;
    expect(hooks.resolveMount(base)).toEqual({ subPath: 'app-data' });
    expect(hooks.plan({ ...part, backend: nfs }, ctx)).toEqual({ generated: [] });
    expect(seen).toEqual(['mount nas', 'plan nas']);
    expect(patternHooks(p, convoy)).toBeUndefined();
    expect(patternHooks(p, undefined)).toBeUndefined();
  });

  it('a pattern without hooks adds nothing and leaves planning to the stage', () => {
    const p: PatternDef<'plugin'> = { ...row, name: 'q', backend: 'plugin' };
    const hooks = patternHooks(p, convoy)!;
    expect(hooks.resolveMount(base)).toEqual({});
    expect(hooks.plan({ ...part, backend: convoy }, ctx)).toBeUndefined();
    expect(patternHooks(p, nfs)).toBeUndefined();
  });

  it('a pattern without a kind gets no back-end, even when one is at hand', () => {
    let got: unknown = 'unset';
    const p: PatternDef = { ...row, name: 'r', resolveMount: (c) => ((got = (c as { backend?: unknown }).backend), {}) };
    expect(patternHooks(p, nfs)!.resolveMount(base)).toEqual({});
    expect(got).toBeUndefined();
  });

  it('isOfKind follows each back-end type\'s kind', () => {
    expect([isOfKind(nfs, 'shared'), isOfKind(nfs, 'plugin'), isOfKind(convoy, 'plugin'), isOfKind(convoy, 'shared'), isOfKind(undefined, 'shared')]).toEqual([true, false, true, false, false]);
  });
});
