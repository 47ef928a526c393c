/**
 * User patterns' parameter regexes (src/plan/safe-regex.ts): refused unless
 * their backtracking is bounded (issue 13 point 6, ReDoS), with a positioned
 * PATTERN_DEFINITION error; the values they check are capped in length.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_INPUT, MAX_REGEX_LENGTH, regexProblem, schemaRegexes } from '../../src/plan/safe-regex.js';
import { checkParams, parseUserPattern } from '../../src/plan/user-patterns.js';

const SAFE = ['^[a-z][a-z0-9-]*$', '^[0-9]+[KMGT]?$', '^\\d+(\\.\\d+)?$', '^(gold|silver)$', '^v?\\d{1,3}$', '^[^,\\s]+$', '^\\p{L}+$', '^(?:ab)+$', '^a{2,}$', '^[(]+\\)$', '^(?<n>x)$', 'a+?b'];
const UNSAFE: [string, RegExp][] = [
  ['^(a+)+$', /repeats a group/],
  ['^(a|aa)*$', /repeats a group/],
  ['^([a-z0-9]+-?)*$', /repeats a group/],
  ['^(x?){20}$', /repeats a group/],
  ['^((ab)*c)+$', /repeats a group/],
  ['^(\\w+\\s?)*$', /repeats a group/],
  ['^a*a*a*b$', /more than 2 repetitions/],
  ['^(a)\\1$', /back-reference/],
  ['^(?<n>a)\\k<n>$', /back-reference/],
  ['^(?=a)a$', /look-around/],
  ['(?<!a)b', /look-around/],
  ['(', /not a valid regular expression/],
  ['[', /not a valid regular expression/],
  ['x'.repeat(MAX_REGEX_LENGTH + 1), /characters long/],
];

describe('regexProblem', () => {
  it.each(SAFE)('accepts %s', (re) => expect(regexProblem(re)).toBeUndefined());
  it.each(UNSAFE)('refuses %s', (re, why) => expect(regexProblem(re)).toMatch(why));
  it('what it accepts runs fast on hostile values of the capped length (random regexes)', () => {
    let seed = 5;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const atoms = ['a', '[ab]', '\\w', '.', '(a)', '(?:ab)', '(a|b)', '(a+)', '(a*b)'];
    const quants = ['', '', '*', '+', '?', '{2,}', '{1,5}'];
    const inputs = ['a'.repeat(MAX_PATTERN_INPUT - 1) + '!', 'ab'.repeat(MAX_PATTERN_INPUT / 2 - 1) + '!', 'a'.repeat(MAX_PATTERN_INPUT)];
    let accepted = 0;
    const t0 = Date.now();
    for (let i = 0; i < 3000; i++) {
      const re = `^${Array.from({ length: 1 + rnd(4) }, () => atoms[rnd(atoms.length)]! + quants[rnd(quants.length)]!).join('')}$`;
      if (regexProblem(re) !== undefined) continue;
      accepted++;
      const r = new RegExp(re, 'u');
      for (const s of inputs) r.test(s);
    }
    expect(accepted).toBeGreaterThan(300);
    // Bounded backtracking: milliseconds for all; an exponential one among them would take minutes.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('schemaRegexes', () => {
  it('finds pattern: and patternProperties keys, not data or property names', () => {
    const schema = {
      type: 'object',
      properties: { pattern: { type: 'string', pattern: '^a$' }, b: { enum: [{ pattern: '(a+)+' }], default: { pattern: 'x' } } },
      patternProperties: { '^x-': { type: 'string', pattern: '^y$' } },
      items: [{ pattern: '^z$' }],
    };
    expect(schemaRegexes(schema, ['parameters']).map((r) => [r.source, r.path.join('.')])).toEqual([
      ['^a$', 'parameters.properties.pattern.pattern'],
      ['^x-', 'parameters.patternProperties.^x-'],
      ['^y$', 'parameters.patternProperties.^x-.pattern'],
      ['^z$', 'parameters.items.0.pattern'],
    ]);
  });
});

describe('user patterns', () => {
  const header = (params: string) => `---\nlevel: container\nsummary: s\nparameters:\n  type: object\n  properties:\n${params}\n---\ntop_volumes: {}\n`;
  it('an unsafe regex is a positioned PATTERN_DEFINITION error', () => {
    const r = parseUserPattern({ file: 'p/tiered.yaml.hbs', text: header('    tier: { type: string, pattern: "^(a+)+$" }') }, new Set());
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: 'PATTERN_DEFINITION', severity: 'error', file: 'p/tiered.yaml.hbs', line: 7, col: 36 }]);
    expect(r.diagnostics[0]!.message).toMatch(/parameters\.properties\.tier\.pattern: the regex "\^\(a\+\)\+\$" repeats a group/);
  });
  it('an invalid regex too (was an exception when ajv compiled it)', () => {
    const r = parseUserPattern({ file: 'p/t.yaml.hbs', text: header('    tier:\n      type: string\n      pattern: "(["') }, new Set());
    expect(r.diagnostics).toMatchObject([{ code: 'PATTERN_DEFINITION', line: 9, col: 16 }]);
    expect(r.diagnostics[0]!.message).toMatch(/not a (valid )?regular expression/);
  });
  it('a safe regex checks params; values checked by regexes are at most MAX_PATTERN_INPUT long', () => {
    const r = parseUserPattern({ file: 'p/t.yaml.hbs', text: header('    tier: { type: string, pattern: "^[a-z]+$" }') }, new Set());
    expect(r.diagnostics).toEqual([]);
    expect(checkParams(r.value!, { tier: 'gold' })).toBeUndefined();
    expect(checkParams(r.value!, { tier: 'Gold' })).toMatch(/params\.tier must match pattern/);
    expect(checkParams(r.value!, { tier: 'a'.repeat(MAX_PATTERN_INPUT + 1) })).toMatch(/params\.tier is 257 characters long; pattern t checks its parameters with regular expressions/);
  });
});
