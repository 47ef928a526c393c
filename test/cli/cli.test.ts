import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run.js';
import { DIAG_CODES } from '../../src/diagnostics.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cp-cli-'));
const GOOD = `services:\n  db: {image: postgres:16}\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [/var/lib/postgresql/data]}\n`;
const BAD = `services:\n  db: {image: postgres:16}\nx-persistence:\n  services:\n    db: {pattern: volumes, mounts: [/var/lib/postgresql/data]}\n`;

function project(text = GOOD): string {
  const dir = tmp();
  writeFileSync(join(dir, 'compose.persist.yaml'), text);
  return dir;
}

describe('build', () => {
  it('prints to stdout by default, exit 0', async () => {
    const dir = project();
    const r = await cli(['build', '-f', join(dir, 'compose.persist.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source: db-data');
    expect(r.stderr).toBe('');
  });

  it('-o writes the file; an error leaves the old file untouched and prints file:line:col', async () => {
    const dir = project();
    const out = join(dir, 'docker-compose.yml');
    expect((await cli(['build', '-f', join(dir, 'compose.persist.yaml'), '-o', out])).code).toBe(0);
    const before = readFileSync(out, 'utf8');
    writeFileSync(join(dir, 'compose.persist.yaml'), BAD);
    const r = await cli(['build', '-f', join(dir, 'compose.persist.yaml'), '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/compose\.persist\.yaml:5:19: error UNKNOWN_PATTERN pattern "volumes" does not exist.*did you mean "volume"\?/);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--check: exit 0 when fresh, exit 1 with a diff when stale, never writes', async () => {
    const dir = project();
    const src = join(dir, 'compose.persist.yaml');
    const out = join(dir, 'docker-compose.yml');
    await cli(['build', '-f', src, '-o', out]);
    expect((await cli(['build', '--check', '-f', src, '-o', out])).code).toBe(0);
    writeFileSync(src, GOOD.replace('/var/lib/postgresql/data', '/data2'));
    const mtime = statSync(out).mtimeMs;
    const r = await cli(['build', '--check', '-f', src, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('STALE_OUTPUT');
    expect(r.stdout).toContain('-        target: /var/lib/postgresql/data');
    expect(r.stdout).toContain('+        target: /data2');
    expect(statSync(out).mtimeMs).toBe(mtime);
  });

  it('--check: STALE_OUTPUT is printed last and past the screenful of other findings', async () => {
    // 25 services of a stateful image given pattern none: 25 warnings, more than the 20 lines shown.
    const names = Array.from({ length: 25 }, (_, i) => `db${i}`);
    const text = `services:\n${names.map((n) => `  ${n}: {image: postgres:16}\n`).join('')}x-persistence:\n  services:\n${names.map((n) => `    ${n}: {pattern: none}\n`).join('')}`;
    const dir = project(text);
    const r = await cli(['build', '--check', '-f', join(dir, 'compose.persist.yaml'), '-o', join(dir, 'missing.yml')]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.some((l) => /more \(0 errors\) not shown/.test(l)), r.stderr).toBe(true);
    expect(lines.at(-1)).toMatch(/missing\.yml: error STALE_OUTPUT the file is missing; run: /);
  });

  it('--check --format json reports stale as data', async () => {
    const dir = project();
    const r = await cli(['build', '--check', '--format', 'json', '-f', join(dir, 'compose.persist.yaml'), '-o', join(dir, 'missing.yml')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, stale: true, diagnostics: [] });
  });

  it('refuses an output that is its own input (exit 2)', async () => {
    const dir = project();
    const src = join(dir, 'compose.persist.yaml');
    const r = await cli(['build', '-f', src, '-o', src]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is also an input');
    expect(readFileSync(src, 'utf8')).toBe(GOOD);
  });

  it('refuses to write relative paths into another directory', async () => {
    const dir = project(`services:\n  a: {image: a}\nx-persistence:\n  services:\n    a: {pattern: bind, mounts: [{target: /d, source: ./d}]}\n`);
    const other = tmp();
    const r = await cli(['build', '-f', join(dir, 'compose.persist.yaml'), '-o', join(other, 'out.yml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RELOCATED_OUTPUT');
    expect(readdirSync(other)).toEqual([]);
  });

  it('a missing input file is exit 1 with its name; no input at all is a usage error', async () => {
    const r = await cli(['build', '-f', '/nonexistent/x.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('/nonexistent/x.yaml: error FILE_READ no such file\n');
    const cwd = process.cwd();
    process.chdir(tmp());
    try {
      const u = await cli(['build']);
      expect(u.code).toBe(2);
      expect(u.stderr).toContain('no input: give -f FILE');
    } finally {
      process.chdir(cwd);
    }
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['build', '--nope'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['build', '--target', 'k8s', '-f', 'x'])).code).toBe(2);
    expect((await cli(['build', '--check', '-f', 'x'])).code).toBe(2);
  });

  it('--help teaches with examples; --version prints', async () => {
    const h = await cli(['build', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('compose-persist build --check -o docker-compose.yml');
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('validate, explain, patterns, schema', () => {
  it('validate: exit 0 / 1, json format with file, line, column, code, severity', async () => {
    const dir = project(BAD);
    const r = await cli(['validate', '--format', 'json', '-f', join(dir, 'compose.persist.yaml')]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.diagnostics[0]).toMatchObject({ line: 5, column: 19, code: 'UNKNOWN_PATTERN', severity: 'error' });
    expect((await cli(['validate', '-f', join(project(), 'compose.persist.yaml')])).code).toBe(0);
  });

  it('explain: a row per service with level and what survives', async () => {
    const r = await cli(['explain', '-f', 'samples/stack.persist.yaml']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n');
    expect(rows[0]).toMatch(/^SERVICE\s+PATTERN\s+LEVEL\s+UPGRADE\s+HOST LOSS\s+GENERATED/);
    expect(rows.find((l) => l.startsWith('db '))).toMatch(/db\s+volume\s+container\s+yes\s+NO\s+volume db-data -> \/var\/lib\/postgresql\/data/);
    expect(rows.find((l) => l.startsWith('files '))).toMatch(/files\s+shared\s+host\s+yes\s+yes/);
    const none = await cli(['explain', '-f', 'samples/none.persist.yaml']);
    expect(none.stdout).toMatch(/cache\s+none\s+none\s+NO\s+NO\s+nothing \(rebuilt from the database on start\)/);
    const j = JSON.parse((await cli(['explain', '--format', 'json', '-f', 'samples/stack.persist.yaml'])).stdout);
    expect(j.services.map((s: { service: string }) => s.service)).toEqual(['db', 'cache', 'web', 'files']);
  });

  it('patterns lists all six with levels', async () => {
    const r = await cli(['patterns']);
    for (const p of ['none', 'volume', 'data-container', 'bind', 'shared', 'plugin']) expect(r.stdout).toMatch(new RegExp(`^${p}\\s`, 'm'));
  });

  it('schema prints JSON Schemas: the block, and the whole extended file', async () => {
    const block = JSON.parse((await cli(['schema', '--block'])).stdout);
    expect(block.properties.services).toBeDefined();
    const full = JSON.parse((await cli(['schema'])).stdout);
    expect(full.properties['x-persistence']).toEqual({ $ref: '#/definitions/persistence' });
    expect(full.properties.services).toBeDefined();
  });

  it('the README documents every diagnostic code', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const code of Object.keys(DIAG_CODES)) expect(readme).toContain(`\`${code}\``);
  });
});

void copyFileSync;

describe('explain and the catalog', () => {
  it('shows unlisted stateful services and what they keep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-ex-'));
    writeFileSync(join(dir, 'c.yaml'), `services:\n  db: {image: "postgres:16"}\n  cache: {image: "redis:7"}\n  es: {image: "elasticsearch:8.1.0"}\nx-persistence:\n  services:\n    db: {pattern: volume}\n`);
    const r = await cli(['explain', '-q', '-f', join(dir, 'c.yaml')]);
    expect(r.stdout).toMatch(/cache\s+-\s+none\s+NO\s+NO\s+not listed: \/data is in an anonymous volume \(the image declares VOLUME\): kept across a recreate, lost on down\/up/);
    expect(r.stdout).toMatch(/es\s+-\s+none\s+NO\s+NO\s+not listed: \/usr\/share\/elasticsearch\/data is in the container: an upgrade wipes it/);
  });
});
