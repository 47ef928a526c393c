/**
 * Issue 17 point 6: a diagnostic never repeats a value from a credential field (password,
 * token, secret, key...): the field is named instead. Before, an integer password got the hint
 * `quote it: "123456789"`.
 */
import { describe, expect, it } from 'vitest';
import { build } from '../../src/index.js';

const SECRET = '987654321';
const cifs = (password: string): string =>
  `services:\n  r:\n    image: example/r:1\nx-persistence:\n  backends:\n    smb:\n      type: cifs\n      address: fs.example.internal\n      share: reports\n      username: u\n      password: ${password}\n  services:\n    r:\n      pattern: shared\n      backend: smb\n      mounts: [/srv/r]\n`;

const cases: [string, string][] = [
  ['an integer password', cifs(SECRET)],
  ['a float password', cifs(`${SECRET}.5`)],
  ['a boolean-like password', cifs('true')],
  ['a list as password', cifs(`[${SECRET}]`)],
  ['a password holding a comma', cifs(`"x${SECRET},y"`)],
];

describe('hints and messages never echo a credential value', () => {
  it.each(cases)('%s', (_what, text) => {
    const r = build([{ file: 'c.yaml', text }]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) {
      expect(`${d.message} ${d.hint ?? ''}`, d.code).not.toContain(SECRET);
      expect(`${d.message} ${d.hint ?? ''}`).not.toMatch(/"true"/);
    }
  });

  it('the integer password is named, with the advice to quote it', () => {
    const r = build([{ file: 'c.yaml', text: cifs(SECRET) }]);
    const d = r.diagnostics.find((x) => x.code === 'SCHEMA_TYPE');
    expect(d?.hint).toMatch(/quote the value of password/);
    expect(d?.line).toBe(11);
  });

  it('a non-credential field keeps its helpful hint', () => {
    const r = build([{ file: 'c.yaml', text: cifs('"${P}"').replace('username: u', 'username: 12345') }]);
    expect(r.diagnostics.find((x) => x.code === 'SCHEMA_TYPE')?.hint).toBe('quote it: "12345"');
  });
});
