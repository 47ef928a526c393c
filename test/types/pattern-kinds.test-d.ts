/**
 * Issue 14.3, "typed by back-end kind": a pattern's hooks get a back-end of the pattern's kind
 * (never undefined), a pattern without a kind gets none, and the table holds every kind.
 * Checked by tsc (vitest's typecheck, vitest.config.ts): an unused @ts-expect-error fails too.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { CifsBackendInput, HostpathBackendInput, NfsBackendInput, PluginBackendInput, ResolvedBackend } from '../../src/model.js';
import type { AnyPattern, BuiltinPattern, MountResolveContext, PatternDef, ResolvedServiceOf } from '../../src/patterns/index.js';
import { BUILTIN_PATTERNS, patternTable } from '../../src/patterns/index.js';
import { shared } from '../../src/patterns/shared/index.js';
import { plugin } from '../../src/patterns/plugin/index.js';
import { bind } from '../../src/patterns/bind/index.js';

const row = { seedName: '(test)', level: 'container', summary: 'test', needsMounts: true, keys: ['mounts'], mountKeys: [], swarm: 'ok' } as const;

describe('hooks typed by back-end kind', () => {
  it('a shared pattern\'s resolveMount and plan get a shared back-end, always there', () => {
    const p: PatternDef<'shared'> = {
      ...row, name: 'shared-test', backend: 'shared',
      resolveMount(ctx) {
        expectTypeOf(ctx.backend).toEqualTypeOf<ResolvedBackend<'shared'>>();
        expectTypeOf(ctx.backend.input).toEqualTypeOf<NfsBackendInput | CifsBackendInput | HostpathBackendInput>();
        // @ts-expect-error a shared back-end is never a plugin
        const plugged: PluginBackendInput = ctx.backend.input;
        void plugged;
        return {};
      },
      plan(s) {
        expectTypeOf(s.backend).toEqualTypeOf<ResolvedBackend<'shared'>>();
        expectTypeOf(s.backend.type).toEqualTypeOf<'nfs' | 'cifs' | 'hostpath'>();
        return { generated: [] };
      },
    };
    expectTypeOf(p.backend).toEqualTypeOf<'shared'>();
    expectTypeOf<MountResolveContext<'shared'>['backend']>().toEqualTypeOf<ResolvedBackend<'shared'>>();
    expectTypeOf<ResolvedServiceOf<'plugin'>['backend']['input']>().toEqualTypeOf<PluginBackendInput>();
    expectTypeOf(shared).toMatchTypeOf<PatternDef<'shared'>>();
    expectTypeOf(plugin).toMatchTypeOf<PatternDef<'plugin'>>();
  });

  it('a pattern without a back-end kind gets none in its type', () => {
    const p: PatternDef = {
      ...row, name: 'plain-test',
      resolveMount(ctx) {
        // @ts-expect-error no back-end in a kindless pattern's mount context
        void ctx.backend;
        return {};
      },
      plan(s) {
        // @ts-expect-error no back-end in a kindless pattern's service part
        void s.backend;
        return { generated: [] };
      },
    };
    expectTypeOf(p.backend).toEqualTypeOf<undefined>();
    expectTypeOf(bind).toMatchTypeOf<BuiltinPattern>();
  });

  it('a hook of one kind is not taken for another\'s, and the row must match its kind', () => {
    const sharedHook = (ctx: MountResolveContext<'shared'>): { subPath: string } => ({ subPath: ctx.backend.name });
    // @ts-expect-error a plugin pattern cannot take a hook written for shared back-ends
    const wrong: PatternDef<'plugin'> = { ...row, name: 'wrong', backend: 'plugin', resolveMount: sharedHook };
    // @ts-expect-error a shared pattern's row says backend: 'shared'
    const unkinded: PatternDef<'shared'> = { ...row, name: 'unkinded' };
    // @ts-expect-error a kindless pattern has no backend:
    const kinded: PatternDef = { ...row, name: 'kinded', backend: 'shared' };
    void wrong; void unkinded; void kinded;
  });

  it('the table holds patterns of every kind', () => {
    expectTypeOf(BUILTIN_PATTERNS[0]!).toMatchTypeOf<AnyPattern>();
    const table = patternTable([shared, plugin, bind]);
    expectTypeOf(table.get('shared')).toEqualTypeOf<AnyPattern | undefined>();
  });
});
