/**
 * Reading inputs cannot hang or grow without bound (src/cli/io.ts readSource):
 * only a regular file (or standard input, -f -) is read, opened non-blocking
 * and checked on the descriptor, and read in chunks up to the 8 MiB cap
 * whatever stat says. Real processes, with a hard timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';

let work: string;
let cliPath: string;
const SRC = 'services:\n  db:\n    image: example/db:1\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/db] }\n';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cp-input-'));
  cliPath = bundleCli(work);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cliPath, ...args], { cwd: work, encoding: 'utf8', timeout: 15_000, maxBuffer: 64 << 20, ...(input !== undefined ? { input } : {}) });
  const lines = r.stderr.trimEnd().split('\n');
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: lines.slice(0, -1).join('\n'), peakKiB: Number(lines.at(-1)) };
}

describe('inputs that are not regular files', () => {
  it('a FIFO with no writer: refused at once, not waited on', () => {
    const fifo = join(work, 'in.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const cmd of [['validate', '-f', fifo], ['build', '-f', fifo], ['init', '-f', fifo], ['diff', fifo, fifo]]) {
      const r = cli(cmd);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${fifo}: error FILE_READ is a named pipe (FIFO), not a regular file`);
    }
  });
  it('/dev/zero: refused before a byte is read (memory stays small)', () => {
    const r = cli(['validate', '-f', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/dev/zero: error FILE_READ is a character device, not a regular file (for standard input, give -f -)');
    expect(r.peakKiB).toBeLessThan(200 * 1024);
  });
  it('a directory and a pattern file that is a FIFO are refused too', () => {
    const dir = join(work, 'dir.persist.yaml');
    mkdirSync(dir);
    expect(cli(['validate', '-f', dir]).stderr).toContain('is a directory');
    const patterns = join(work, 'patterns');
    mkdirSync(patterns);
    spawnSync('mkfifo', [join(patterns, 'x.yaml.hbs')]);
    writeFileSync(join(work, 'p.persist.yaml'), SRC.replace('x-persistence:\n', 'x-persistence:\n  patterns: ./patterns\n'));
    const r = cli(['validate', '-f', 'p.persist.yaml']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PATTERN_DEFINITION .*x\.yaml\.hbs is a named pipe/);
  });
});

describe('standard input: -f -', () => {
  it('reads a compose file from standard input', () => {
    const r = cli(['build', '-f', '-'], SRC);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('db-db:');
    expect(cli(['validate', '-f', '-'], SRC.replace('volume,', 'volum,')).stderr).toMatch(/^<stdin>:6:\d+: error /m);
  });
  it('stops at the cap: 40 MiB on standard input is FILE_TOO_LARGE, with memory well under the input size', () => {
    const big = Buffer.alloc(40 << 20, 'a');
    const r = cli(['validate', '-f', '-'], big);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<stdin>: error FILE_TOO_LARGE the file is over 8 MiB');
    expect(r.peakKiB).toBeLessThan(150 * 1024);
  });
  it('-f - twice is a usage error', () => {
    expect(cli(['validate', '-f', '-', '-f', '-'], SRC).code).toBe(2);
  });
});
