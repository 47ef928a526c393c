/**
 * No terminal escape injection (issue 13, point 8): whatever a file or an argument holds, no
 * control character (but line feed and tab) reaches the terminal, and --format json prints
 * exactly one JSON document on stdout for every input.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run.js';

const ESC = '\u001b';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const dir = () => mkdtempSync(join(tmpdir(), 'cp-esc-'));

// Double-quoted YAML escapes put raw ESC into the data (raw control characters in the text are refused).
const HOSTILE = [
  'services:',
  '  "db\\e[31m":',
  '    image: "postgres:16\\e[2J"',
  '  app:',
  '    image: "app\\e]0;owned\\a"',
  '  c:',
  '    image: c',
  'x-persistence:',
  '  services:',
  '    app: {pattern: data-container, image: "busybox\\e[2J", mounts: [/d]}',
  '    c: {pattern: none, reason: "x\\e[31mred\\u009b1m"}',
  '',
].join('\n');

function expectNoRawControl(text: string, what: string): void {
  expect(RAW_CONTROL.test(text), `${what}: ${JSON.stringify(text)}`).toBe(false);
}

describe('terminal escapes', () => {
  it('explain, init, validate, build and diff print no raw control character', async () => {
    const d = dir();
    const f = join(d, 'compose.persist.yaml');
    writeFileSync(f, HOSTILE.replace('"db\\e[31m"', 'db'));
    const plain = join(d, 'docker-compose.yml');
    writeFileSync(plain, 'services:\n  db:\n    image: "postgres:16\\e[2J"\n');
    const runs = [
      ['explain', '-f', f],
      ['explain', '-f', f, '--target', 'swarm'],
      ['init', '-f', plain],
      ['validate', '-f', f],
      ['build', '-f', f],
      ['diff', f, f],
    ];
    let explained = '';
    for (const argv of runs) {
      const r = await cli(argv);
      expectNoRawControl(r.stdout, `stdout of ${argv.join(' ')}`);
      expectNoRawControl(r.stderr, `stderr of ${argv.join(' ')}`);
      if (argv[0] === 'explain' && argv.length === 3) explained = r.stdout;
    }
    // Shown, escaped: the sidecar image and the reason.
    expect(explained).toContain('busybox\\x1b[2J');
    expect(explained).toContain('x\\x1b[31mred\\x9b1m');
    expect((await cli(['init', '-f', plain])).stderr).toContain('init: db (postgres:16\\x1b[2J)');
  });

  it('file names and arguments with ESC in usage, file-system and commander errors are escaped', async () => {
    const d = dir();
    const evil = join(d, `x${ESC}[2J.yaml`);
    writeFileSync(evil, 'services:\n  a: {image: a}\nx-persistence:\n  services:\n    a: {pattern: none}\n');
    mkdirSync(join(d, `dir${ESC}[31m`));
    const runs = [
      ['validate', '-f', join(d, `missing${ESC}[2J.yaml`)],
      ['build', '-f', evil, '-o', evil],
      ['build', '-f', evil, '-o', join(d, `dir${ESC}[31m`, 'no', 'such', 'x.yml')],
      ['build', '-f', evil, '--check', '-o', join(d, `out${ESC}[2J.yml`)],
      ['build', '--target', `s${ESC}[2J`, '-f', evil],
      [`bu${ESC}[2Jild`],
      ['validate', `--frobnicate${ESC}[2J`],
      ['init', '-f', join(d, `dir${ESC}[31m`)],
      ['diff', evil, join(d, `nope${ESC}.yml`)],
    ];
    for (const argv of runs) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBeGreaterThan(0);
      expectNoRawControl(r.stdout, `stdout of ${JSON.stringify(argv)}`);
      expectNoRawControl(r.stderr, `stderr of ${JSON.stringify(argv)}`);
      expect(r.stderr + r.stdout, JSON.stringify(argv)).toMatch(/\\x1b|\\u001b/);
    }
  });
});

describe('--format json is one JSON document on stdout for every input', () => {
  const bad = readdirSync('test/bad').filter((f) => f.endsWith('.persist.yaml'));
  const inputs: [string, string][] = [
    ...bad.map((f): [string, string] => [f, readFileSync(join('test/bad', f), 'utf8')]),
    ['hostile.persist.yaml', HOSTILE],
    ['not-yaml.persist.yaml', '{{{'],
    ['binary.persist.yaml', '\u0000\u0001'],
  ];
  it(`validate, explain, build, build --check and diff (${inputs.length} inputs)`, async () => {
    const d = dir();
    const good = join(d, 'good.persist.yaml');
    writeFileSync(good, 'services:\n  a: {image: a}\nx-persistence:\n  services:\n    a: {pattern: volume, mounts: [/data]}\n');
    let invalidDiffs = 0;
    for (const [name, text] of inputs) {
      const f = join(d, name);
      writeFileSync(f, text);
      const runs = [
        ['validate', '-f', f],
        ['explain', '-f', f],
        ['build', '-f', f, '-o', join(d, `${name}.out.yml`)],
        ['build', '-f', f, '--check', '-o', join(d, `${name}.out.yml`)],
        ['diff', good, f],
        ['diff', f, good],
      ];
      for (const argv of runs) {
        const r = await cli([...argv, '--format', 'json']);
        let parsed: { ok?: unknown; diagnostics?: unknown[] } | undefined;
        expect(() => (parsed = JSON.parse(r.stdout)), `${argv.join(' ')}: ${r.stdout.slice(0, 200)} / ${r.stderr.slice(0, 200)}`).not.toThrow();
        expect(typeof parsed!.ok).toBe('boolean');
        expect(Array.isArray(parsed!.diagnostics)).toBe(true);
        if (r.code !== 0) expect(parsed!.ok, argv.join(' ')).toBe(false);
        if (argv[0] === 'diff' && r.code === 1 && parsed!.diagnostics!.some((x) => (x as { severity: string }).severity === 'error')) invalidDiffs++;
      }
    }
    // The diffs of invalid inputs printed their errors as JSON (they printed nothing on stdout before).
    expect(invalidDiffs).toBeGreaterThan(bad.length);
  }, 120_000);

  it('a usage error with --format json is JSON too', async () => {
    const r = await cli(['validate', '-f', 'x', '--format', 'json', '--bogus']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, diagnostics: [{ code: 'USAGE' }] });
  });
});
