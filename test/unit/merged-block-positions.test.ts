/**
 * Issue 17 points 4 and 5: a block merged in through a top-level `<<` is refused at the `<<`
 * (it was silently ignored); too-deep nesting points at the place (it was 1:1, and a file 2,000
 * deep that the parser still read overflowed the stack in a later pass: exit 3); DATA_ORPHANED
 * has the line of the service it is about, in the file it is about.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildText, cli, errorsOf } from '../helpers/run.js';
import { MAX_DEPTH, tooDeepOffset } from '../../src/parse/parse.js';

const merged = `x-base: &base
  x-persistence:
    services:
      db: {pattern: volume}
services:
  db: {image: postgres:16}
<<: *base
`;

describe('a persistence block merged in through a top-level <<', () => {
  it.each([
    ['from an anchor', merged, 7],
    ['written in the merge', 'services:\n  db: {image: postgres:16}\n<<: {x-persistence: {services: {db: {pattern: volume}}}}\n', 3],
    ['persistence: (the short form)', 'services:\n  db: {image: postgres:16}\n<<: {persistence: {services: {}}}\n', 3],
  ])('%s is refused at the <<, and nothing is written', (_, text, line) => {
    for (const fast of [true, false]) {
      const r = buildText(text, { fast });
      expect(r.text).toBeUndefined();
      expect(errorsOf(r)).toMatchObject([{ code: 'BLOCK_MERGED', line, col: 1 }]);
      expect(errorsOf(r)[0]!.hint).toMatch(/at the top level of the file itself/);
    }
  });

  it('a top-level << that brings no block is fine, and a block written beside it is read', () => {
    expect(errorsOf(buildText('x-b: &b {x-note: 1}\nservices:\n  web: {image: nginx}\n<<: *b\n'))).toEqual([]);
    const r = buildText('x-b: &b {x-note: 1}\nservices:\n  db: {image: example/db}\n<<: *b\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [/data]}\n');
    expect(errorsOf(r)).toEqual([]);
    expect(r.text).toContain('db-data');
  });

  it('validate says the same as build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-merged-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), merged);
      const v = await cli(['validate', '-f', join(dir, 'c.yaml')]);
      expect(v.code).toBe(1);
      expect(v.stderr).toContain('c.yaml:7:1: error BLOCK_MERGED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('too-deep nesting is refused where it gets too deep', () => {
  const deep = (n: number, before = '') => `services:\n  a:\n    image: x\n${before}    labels: ${'['.repeat(n)}${']'.repeat(n)}\nx-persistence:\n  services: {}\n`;

  it.each([[600], [2000], [100_000]])('%i levels: a positioned YAML_SYNTAX, exit 1 (2,000 was an internal error)', async (n) => {
    const r = buildText(deep(n));
    expect(errorsOf(r)).toMatchObject([{ code: 'YAML_SYNTAX', line: 4, col: 13 + MAX_DEPTH - 1 }]);
    const dir = mkdtempSync(join(tmpdir(), 'cp-deep-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), deep(n));
      const b = await cli(['build', '-f', join(dir, 'c.yaml')]);
      expect(b.code).toBe(1);
      expect(b.stderr).not.toContain('internal error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an apostrophe in text does not hide the nesting that follows', () => {
    const r = buildText(deep(2000, "    command: echo it's\n"));
    expect(errorsOf(r)).toMatchObject([{ code: 'YAML_SYNTAX', line: 5 }]);
  });

  it('brackets inside quoted scalars and comments do not count; ordinary nesting is fine', () => {
    const text = `services:\n  a:\n    image: "x${'['.repeat(600)}"\n    labels: ['${'{'.repeat(600)}']\n    # ${'['.repeat(600)}\n    environment: {A: [1, {b: [2]}]}\n`;
    expect(tooDeepOffset(text)).toBe(-1);
    expect(errorsOf(buildText(text))).toEqual([]);
  });

  it('the limit exactly: MAX_DEPTH - 1 levels (brackets or columns) pass, MAX_DEPTH are refused where they are reached', () => {
    const brackets = (n: number): string => `x: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    expect(tooDeepOffset(brackets(MAX_DEPTH - 1))).toBe(-1);
    expect(tooDeepOffset(brackets(MAX_DEPTH))).toBe(3 + MAX_DEPTH - 1);
    const indented = (n: number): string => `a:\n${' '.repeat(n)}b: 1\n`;
    expect(tooDeepOffset(indented(MAX_DEPTH - 1))).toBe(-1);
    expect(tooDeepOffset(indented(MAX_DEPTH))).toBe(3 + MAX_DEPTH);
    expect(tooDeepOffset(' '.repeat(MAX_DEPTH) + 'a: 1\n')).toBe(MAX_DEPTH);
  });

  it('block nesting: a line indented MAX_DEPTH columns', () => {
    const text = `services:\n  a:\n    image: x\nx-d:\n${Array.from({ length: MAX_DEPTH + 2 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`;
    const at = tooDeepOffset(text);
    expect(at).toBeGreaterThan(0);
    expect(text.slice(at, at + 2)).toBe('k:');
  });
});

describe('diff: DATA_ORPHANED has the line of what it is about', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-orphan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('a moved mount points into NEW, a gone service into OLD', async () => {
    writeFileSync(join(dir, 'old.yml'), 'services:\n  db:\n    image: postgres:16\n    volumes: ["dbdata:/var/lib/postgresql/data"]\n  old:\n    image: redis:7\n    volumes: ["r:/data"]\nvolumes:\n  dbdata:\n  r:\n');
    writeFileSync(join(dir, 'new.yml'), 'services:\n  db:\n    image: postgres:16\n    volumes: ["./pg:/var/lib/postgresql/data"]\n');
    const r = await cli(['diff', join(dir, 'old.yml'), join(dir, 'new.yml'), '--format', 'json']);
    const found = (JSON.parse(r.stdout) as { diagnostics: { code: string; file: string; line?: number; column?: number }[] }).diagnostics;
    expect(found.map((d) => [d.code, d.file.endsWith('new.yml') ? 'new' : 'old', d.line, d.column])).toEqual([
      ['DATA_ORPHANED', 'new', 4, 5],
      ['DATA_ORPHANED', 'old', 5, 3],
    ]);
  });
});
