// A missing golden or expected file fails its test; only UPDATE=1 writes one.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedText } from '../helpers/expected.js';

describe('expected files (test/helpers/expected.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-expected-'));

  it('a missing file throws, names the file and UPDATE=1, and is not written', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => expectedText(file, 'text\n', {})).toThrow(/expected file missing: .*missing\.yaml .*UPDATE=1/);
    // The message is the command that writes it: this very test file.
    expect(() => expectedText(file, 'text\n', {})).toThrow('`UPDATE=1 npx vitest run test/unit/expected-files.test.ts`');
    expect(existsSync(file)).toBe(false);
    expect(() => expectedText(file, 'text\n', { UPDATE: '0' })).toThrow(/expected file missing/);
    expect(existsSync(file)).toBe(false);
  });

  it('an existing file is returned as it is, not overwritten', () => {
    const file = join(dir, 'old.yaml');
    writeFileSync(file, 'old\n');
    expect(expectedText(file, 'new\n', {})).toBe('old\n');
    expect(readFileSync(file, 'utf8')).toBe('old\n');
  });

  it('UPDATE=1 writes (or rewrites) the file', () => {
    const file = join(dir, 'new.yaml');
    expect(expectedText(file, 'a\n', { UPDATE: '1' })).toBe('a\n');
    expect(expectedText(file, 'b\n', { UPDATE: '1' })).toBe('b\n');
    expect(readFileSync(file, 'utf8')).toBe('b\n');
  });

  it('no test writes an expected file itself: UPDATE is read only by the helper', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs|js)$/.test(e.name) && p !== join('test', 'helpers', 'expected.ts') && p !== join('test', 'unit', 'expected-files.test.ts')) {
          const text = readFileSync(p, 'utf8');
          // the old idiom: `if (process.env.UPDATE || !existsSync(f)) writeFileSync(f, ...)`
          if (/process\.env\.UPDATE|!existsSync\([^)]*\)\)\s*writeFileSync/.test(text)) offenders.push(p);
        }
      }
    };
    walk('test');
    expect(offenders).toEqual([]);
  });
});
