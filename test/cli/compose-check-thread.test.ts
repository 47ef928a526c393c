/**
 * The Compose schema check on a second thread (large outputs): the built CLI
 * gives the same output and the same diagnostics as the check in line, and
 * a thread that cannot answer leaves the check to the main thread.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/index.js';
import { threadedComposeCheck } from '../../src/cli/compose-check-thread.js';

const CLI = resolve('dist/cli.js');

/** A file over the 1 MiB threshold: many services, each persisted; `bad` adds a key Compose does not know. */
function largeFile(bad: boolean): string {
  const n = 4000;
  const services = Array.from({ length: n }, (_, i) => `  s${i}:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: \${PW_${i}:-${'x'.repeat(150)}}\n`).join('');
  const block = Array.from({ length: n }, (_, i) => `    s${i}: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n`).join('');
  return `services:\n${services}${bad ? '  broken:\n    image: x\n    volumes_frum: [s1]\n' : ''}x-persistence:\n  services:\n${block}`;
}

describe('Compose check on a second thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-thread-'));

  it('a large valid file: the CLI output is the library build, byte for byte', () => {
    const file = join(dir, 'ok.persist.yaml');
    const text = largeFile(false);
    expect(text.length).toBeGreaterThan(1024 * 1024);
    writeFileSync(file, text);
    const out = execFileSync(process.execPath, [CLI, 'build', '-q', '-f', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(out).toBe(build([{ file, text }]).text);
  });

  it('a large file whose output is not valid Compose: refused with the same diagnostic, nothing on stdout', () => {
    const file = join(dir, 'bad.persist.yaml');
    const text = largeFile(true);
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [CLI, 'build', '-q', '-f', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const inLine = build([{ file, text }]).diagnostics.filter((d) => d.severity === 'error');
    expect(inLine.map((d) => d.code)).toEqual(['OUTPUT_INVALID']);
    expect(r.stderr).toContain(`${file}:${inLine[0]!.line}:${inLine[0]!.col}: error OUTPUT_INVALID `);
    expect(r.stderr).toContain('volumes_frum');
  });

  it('the check runs on a second thread for a large input, and on none for a small one', () => {
    // Node writes one CPU profile per thread: the count shows whether a thread ran.
    const threads = (file: string): number => {
      const profiles = mkdtempSync(join(tmpdir(), 'cp-prof-'));
      execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, CLI, 'build', '-q', '-f', file], { maxBuffer: 64 << 20 });
      return readdirSync(profiles).length;
    };
    const large = join(dir, 'threads.persist.yaml');
    writeFileSync(large, largeFile(false));
    expect(threads(large)).toBe(2);
    expect(threads(resolve('samples/volume.persist.yaml'))).toBe(1);
  });

  it('a thread that cannot start or answer: the main thread checks by itself', () => {
    const output = { services: { a: { image: 'x', volumes_frum: [] } } };
    const check = threadedComposeCheck(join(dir, 'no-such-entry.js'), 200);
    const diagnostics = check(output, 'f.yaml')();
    expect(diagnostics.map((d) => d.code)).toEqual(['OUTPUT_INVALID']);
    expect(diagnostics[0]!.message).toContain('volumes_frum');
  });
});
