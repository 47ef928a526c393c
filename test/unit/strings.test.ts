/** The one-pass trims (src/strings.ts) give what the regular expressions they replace gave. */
import { describe, expect, it } from 'vitest';
import { trimEndOf, trimOf, trimStartOf, WHITE_SPACE } from '../../src/strings.js';

const ALPHABET = ['/', '/', ':', '@', '-', '.', '\n', ' ', '\t', '\u00a0', 'a', 'b', '\0'];
function* strings(): Generator<string> {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  yield '';
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += ALPHABET[rnd(ALPHABET.length)];
    yield s;
  }
}

describe('trims', () => {
  it('match the regular expressions they replace', () => {
    for (const s of strings()) {
      expect(trimEndOf(s, '/')).toBe(s.replace(/\/+$/, ''));
      expect(trimStartOf(s, '/')).toBe(s.replace(/^\/+/, ''));
      expect(trimEndOf(s, ':@')).toBe(s.replace(/[:@]+$/, ''));
      expect(trimEndOf(s, '\n')).toBe(s.replace(/\n+$/, ''));
      expect(trimEndOf(s, '\0')).toBe(s.replace(/\0+$/, ''));
      expect(trimEndOf(s, WHITE_SPACE)).toBe(s.replace(/\s+$/, ''));
      expect(trimOf(s, '-.')).toBe(s.replace(/^[-.]+|[-.]+$/g, ''));
      expect(trimOf(s, '\n')).toBe(s.replace(/^\n+|\n+$/g, ''));
    }
  });
  it('WHITE_SPACE is exactly what \\s matches', () => {
    for (let c = 0; c < 0x10000; c++) expect(WHITE_SPACE.includes(String.fromCharCode(c)), c.toString(16)).toBe(/\s/.test(String.fromCharCode(c)));
  });
  it('take one pass over a run that is not at the end (the regular expression took n² steps)', () => {
    const s = `/a${'/'.repeat(1 << 20)}b`;
    expect(trimEndOf(s, '/')).toBe(s);
    expect(trimEndOf(`${s}///`, '/')).toBe(s);
  });
});
