import { describe, expect, it } from 'vitest';
import { copyMapping } from '../../src/yaml/plain.js';
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
