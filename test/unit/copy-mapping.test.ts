import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyMerge, copyMapping } from '../../src/yaml/plain.js';
import { buildText } from '../helpers/run.js';
import { applyEditsToData } from '../../src/merge/edits.js';

describe('copyMapping (the copy of a services: mapping, written per service afterwards)', () => {
  it('copies the entries in order into a new object, the values shared', () => {
    const inner = { image: 'postgres:16' };
    const m = { db: inner, web: { image: 'nginx' } };
    const c = copyMapping(m);
    expect(c).not.toBe(m);
    expect(Object.keys(c)).toEqual(['db', 'web']);
    expect(c.db).toBe(inner);
    c.db = { image: 'other' };
    expect(m.db).toBe(inner);
  });

  it('maps each value with its key when given a function', () => {
    expect(copyMapping({ a: 1, b: 2 }, (v, k) => `${k}=${v}`)).toEqual({ a: 'a=1', b: 'b=2' });
  });

  it('keeps a __proto__ key as an own entry (as a spread does), not as the prototype', () => {
    const m = JSON.parse('{"__proto__": {"image": "x"}, "web": {"image": "nginx"}}') as Record<string, unknown>;
    const c = copyMapping(m);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.keys(c)).toEqual(['__proto__', 'web']);
    expect(Object.getOwnPropertyDescriptor(c, '__proto__')?.value).toEqual({ image: 'x' });
  });

  it('is what applyEditsToData copies with: 1,000 services, one appended volume each, the source untouched', () => {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) services[`svc-${i}`] = { image: 'postgres:16' };
    const data = Object.freeze({ services: Object.freeze(services) });
    const edits = Object.keys(services).map((s) => ({ op: 'append' as const, path: ['services', s, 'volumes'], items: [`${s}-data:/data`] }));
    const out = applyEditsToData(data, edits) as { services: Record<string, { volumes: string[] }> };
    expect(Object.keys(out.services)).toHaveLength(1000);
    expect(out.services['svc-999']!.volumes).toEqual(['svc-999-data:/data']);
    expect((services['svc-0'] as { volumes?: unknown }).volumes).toBeUndefined();
  });
});

describe('a key named __proto__ (a valid Compose service, environment or volume name) is data, not a prototype', () => {
  // The fast reader leaves such a file to yaml; its data went through an assignment that set the
  // prototype, and the output did not read back (INTERNAL, exit 3, nothing written).
  const text = [
    'services:',
    '  __proto__:',
    '    image: nginx',
    '    environment:',
    '      __proto__: x',
    '  db:',
    '    image: postgres:16',
    'volumes:',
    '  __proto__: {}',
    'x-persistence:',
    '  services:',
    '    db: { pattern: volume }',
    '',
  ].join('\n');

  it('builds, with the __proto__ entries kept where they were', () => {
    const r = buildText(text);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const out = parse(r.text!) as { services: Record<string, { image?: string; environment?: Record<string, string> }>; volumes: Record<string, unknown> };
    expect(Object.keys(out.services)).toEqual(['__proto__', 'db']);
    expect(Object.getOwnPropertyDescriptor(out.services, '__proto__')?.value).toEqual({ image: 'nginx', environment: JSON.parse('{"__proto__": "x"}') });
    expect(Object.keys(out.volumes)).toEqual(['__proto__', 'db-data']);
  });

  it('applyMerge keeps it as an own key, from a merge source as from the mapping itself', () => {
    const m = applyMerge([['__proto__', 1]], [JSON.parse('{"a": 2}') as Record<string, unknown>]);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m)).toEqual(['a', '__proto__']);
    const merged = applyMerge([['b', 1]], [JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>]);
    expect(Object.keys(merged)).toEqual(['__proto__', 'b']);
    expect((merged as { x?: unknown }).x).toBeUndefined();
  });
});
