/**
 * diff and --check are bounded (issue 13 point 6): each service's mounts are
 * read once whatever volumes_from does, a web of volumes_from past the bound
 * is TOO_COMPLEX (not minutes of work), and the --check diff falls back to
 * one hunk when more lines differ than it searches, a hunk that still applies.
 */
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { dataMoves, dataSafety, mountReader } from '../../src/check/data-safety.js';
import { MAX_DIFF_EDITS, unifiedDiff } from '../../src/output-file.js';

const web = (n: number, renamed: boolean, from = true) => ({
  services: Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, {
    image: 'x', volumes: [`${renamed ? 'w' : 'v'}${i}:/d${i}`],
    ...(from ? { volumes_from: Array.from({ length: n }, (_, j) => `s${j}`) } : {}),
  }])),
  volumes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`${renamed ? 'w' : 'v'}${i}`, {}])),
});

describe('diff of volumes_from webs', () => {
  it('reads each service once per level, not once per path (30 services: 30^4 walks before)', () => {
    const moves = dataMoves(web(30, false), web(30, true, false));
    // Every service inherits every other's target: 30 x 30 moves, each found once.
    expect(moves).toHaveLength(900);
    expect(moves.filter((m) => m.service === 's0').map((m) => m.target)).toHaveLength(30);
  });
  it('a web past the bound is TOO_COMPLEX, at once', () => {
    const t0 = Date.now();
    const d = dataSafety(web(250, false), web(250, true), 'new.yml');
    expect(d.map((x) => x.code)).toEqual(['TOO_COMPLEX']);
    expect(d[0]!.severity).toBe('error');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
  it('volumes_from still follows three levels, as before', () => {
    const chain = { services: { a: { volumes_from: ['b'] }, b: { volumes_from: ['c'] }, c: { volumes_from: ['d'] }, d: { volumes_from: ['e'] }, e: { volumes: ['x:/x'] } }, volumes: { x: {} } };
    const read = mountReader(chain);
    expect([...read('b').keys()]).toEqual(['/x']);
    expect([...read('a').keys()]).toEqual([]);
  });
});

describe('--check diff', () => {
  const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');
  it('a small change: the ordinary diff', async () => {
    const before = lines(50, 'a');
    const after = before.replace('a 10\n', 'b 10\n');
    const p = await unifiedDiff('out.yml', before, after);
    expect(p).toContain('-a 10\n+b 10\n');
    expect(p).not.toContain('one hunk');
    expect(applyPatch(before, p)).toBe(after);
  });
  it(`more than ${MAX_DIFF_EDITS} lines differ: one hunk, which applies`, async () => {
    for (const [before, after] of [
      [lines(4000, 'a'), lines(4000, 'b')],
      [`head\n${lines(3000, 'a')}tail\n`, `head\n${lines(3000, 'b')}tail\nmore\n`],
      ['', lines(2000, 'b')],
      [lines(2000, 'a'), ''],
      [`${lines(1500, 'a')}no newline`, `${lines(1500, 'b')}no newline`],
    ] as const) {
      const p = await unifiedDiff('out.yml', before, after);
      expect(p).toContain('one hunk');
      expect(applyPatch(before, p)).toBe(after);
    }
  });
});
