/**
 * Issue 17 point 3: where patterns: is read from. Relative to the source file's directory;
 * an absolute path as written (no longer silently made relative); outside the project
 * (the source's directory) a warning, an error under safe-paths; build -o refuses to
 * write inside the pattern directory.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/index.js';
import { cli } from '../helpers/run.js';

const SRC = (dir: string, safe = false) => `services:\n  l: {image: example/ledger:4}\nx-persistence:\n  patterns: ${JSON.stringify(dir)}\n${safe ? '  safe-paths: true\n' : ''}  services:\n    l: {pattern: inhouse-ssd, params: {tier: gold}, mounts: [/var/lib/ledger]}\n`;
const TEMPLATE = 'samples/patterns/inhouse-ssd.yaml.hbs';

function readDirs(src: string, file = 'proj/compose.persist.yaml') {
  const asked: string[] = [];
  const r = build([{ file, text: src }], { loadPatterns: (dir) => (asked.push(dir), []) });
  return { asked, r };
}

describe('patterns: is resolved as documented', () => {
  it('relative to the source file', () => {
    expect(readDirs(SRC('./p')).asked).toEqual(['proj/p']);
  });
  it('an absolute path as written, not under the source directory', () => {
    expect(readDirs(SRC('/opt/company/patterns')).asked).toEqual(['/opt/company/patterns']);
  });
  it('outside the project: a warning, or refused (nothing read) under safe-paths', () => {
    for (const dir of ['../../etc', '/opt/company/patterns', './p/../..']) {
      const loose = readDirs(SRC(dir));
      expect(loose.r.diagnostics.find((d) => d.code === 'UNSAFE_PATH')).toMatchObject({ severity: 'warning', line: 4, col: 13 });
      const strict = readDirs(SRC(dir, true));
      expect(strict.asked).toEqual([]);
      expect(strict.r.diagnostics).toEqual([expect.objectContaining({ code: 'UNSAFE_PATH', severity: 'error', line: 4, col: 13, message: expect.stringContaining('outside the project directory proj') })]);
      const flag = build([{ file: 'proj/c.yaml', text: SRC(dir) }], { safePaths: true, loadPatterns: () => [] });
      expect(flag.diagnostics[0]).toMatchObject({ code: 'UNSAFE_PATH', severity: 'error' });
    }
  });
  it('inside the project, even written absolute or with ..: no warning', () => {
    expect(readDirs(SRC('./a/../p'), '/srv/proj/c.yaml').r.diagnostics.filter((d) => d.code === 'UNSAFE_PATH')).toEqual([]);
    expect(readDirs(SRC('/srv/proj/p'), '/srv/proj/c.yaml').r.diagnostics.filter((d) => d.code === 'UNSAFE_PATH')).toEqual([]);
  });
});

describe('build -o inside the pattern directory', () => {
  it('is refused, and nothing is written there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cp-pdir-'));
    mkdirSync(join(root, 'p'));
    cpSync(TEMPLATE, join(root, 'p', 'inhouse-ssd.yaml.hbs'));
    writeFileSync(join(root, 'c.yaml'), SRC('./p'));
    const out = join(root, 'p', 'inhouse-ssd.yaml.hbs');
    const r = await cli(['build', '-f', join(root, 'c.yaml'), '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error OUTPUT_IS_INPUT');
    expect(r.stderr).toContain('inside the pattern directory');
    const fresh = await cli(['build', '-f', join(root, 'c.yaml'), '-o', join(root, 'p', 'new.yml')]);
    expect(fresh.code).toBe(1);
    expect(existsSync(join(root, 'p', 'new.yml'))).toBe(false);
    const fine = await cli(['build', '-f', join(root, 'c.yaml'), '-o', join(root, 'out.yml')]);
    expect(fine.code).toBe(0);
  });
});
