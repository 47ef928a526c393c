import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/compose/interpolate.js';

// Compose's rules (docs "Interpolation"; compose-go template/): `:-` falls back when the
// variable is unset or empty, `-` only when it is unset; `:+`/`+` the reverse; `$$` is `$`;
// defaults may hold further interpolation; `:?`/`?` stop Compose (here: reported).
const vars = { SET: 'v', EMPTY: '', TAG: '17-alpine', NESTED: 'n' };

describe('interpolate', () => {
  it.each([
    ['no reference', 'postgres:16', 'postgres:16', [], 0],
    ['braced', 'postgres:${TAG}', 'postgres:17-alpine', [], 0],
    ['unbraced', 'postgres:$TAG', 'postgres:17-alpine', [], 0],
    ['unbraced, name ends at a non-name character', '$SET.x', 'v.x', [], 0],
    ['unset, no default: empty (Compose warns)', 'postgres:${NOPE}', 'postgres:', ['NOPE'], 0],
    ['unset unbraced', 'a$NOPE', 'a', ['NOPE'], 0],
    [':- on unset', '${NOPE:-17-alpine}', '17-alpine', [], 0],
    [':- on empty', '${EMPTY:-d}', 'd', [], 0],
    [':- on set', '${SET:-d}', 'v', [], 0],
    ['- on unset', '${NOPE-d}', 'd', [], 0],
    ['- on empty keeps empty', '${EMPTY-d}', '', [], 0],
    ['- on set', '${SET-d}', 'v', [], 0],
    [':+ on set', '${SET:+alt}', 'alt', [], 0],
    [':+ on empty', '${EMPTY:+alt}', '', [], 0],
    ['+ on empty', '${EMPTY+alt}', 'alt', [], 0],
    ['+ on unset', '${NOPE+alt}', '', [], 0],
    ['default holding a reference', '${NOPE:-${NESTED}-x}', 'n-x', [], 0],
    ['default holding an unset reference', '${NOPE:-${ALSO}x}', 'x', ['ALSO'], 0],
    ['default with a colon and dashes', 'elasticsearch:${ES:-9.4.3}', 'elasticsearch:9.4.3', [], 0],
    ['text after a braced reference', '${SET}-${SET}', 'v-v', [], 0],
    ['$$ escapes', 'a$$b$${SET}', 'a$b${SET}', [], 0],
    [':? on set', '${SET:?needed}', 'v', [], 0],
    [':? on unset: a problem, not a throw', '${NOPE:?needed}', '', ['NOPE'], 1],
    [':? on empty', '${EMPTY:?needed}', '', ['EMPTY'], 1],
    ['? on empty is fine', '${EMPTY?needed}', '', [], 0],
    ['? on unset', '${NOPE?needed}', '', ['NOPE'], 1],
    ['unclosed brace', 'postgres:${TAG', 'postgres:', [], 1],
    ['$ before a digit', 'a$1', 'a1', [], 1],
    ['bad operator', '${SET!x}', '', [], 1],
  ] as const)('%s: %s', (_, text, value, unset, problems) => {
    const r = interpolate(text, vars);
    expect(r.value).toBe(value);
    expect(r.unset).toEqual(unset);
    expect(r.problems).toHaveLength(problems);
  });
  it('a required variable names itself and its message', () => {
    expect(interpolate('${DB:?set DB first}', {}).problems[0]).toBe('required variable DB is not set: set DB first');
  });
});
