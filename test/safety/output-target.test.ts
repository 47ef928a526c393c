/**
 * What `-o FILE` and `init --write` replace (src/cli/io.ts writeAtomic):
 * only a regular file, with its mode and (as root) its owner kept; a symlink
 * is followed and kept; a device, FIFO, socket or directory is refused with a
 * positioned FILE_WRITE error, exit 1, no stack, and is left as it was.
 * `-o -` is standard output. Real processes: a FIFO must not hang anything.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';

let work: string;
let cliPath: string;
const SRC = 'services:\n  db:\n    image: example/db:1\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/db] }\n';
const PLAIN = 'services:\n  db:\n    image: "postgres:16"\n';
const isRoot = process.getuid?.() === 0;
/**
 * The null device to aim -o at. As root, a private node of the same device
 * (mknod c 1 3) in the test directory: if the refusal ever regresses, the
 * rename replaces that node, not the machine's /dev/null. Without root,
 * /dev/null itself, which the rename could not replace anyway.
 */
let nullDevice = '/dev/null';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cp-output-'));
  cliPath = bundleCli(work);
  writeFileSync(join(work, 'compose.persist.yaml'), SRC);
  if (isRoot && spawnSync('mknod', ['-m', '666', join(work, 'null'), 'c', '1', '3']).status === 0) nullDevice = join(work, 'null');
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CLI with a hard timeout: a hang fails the test instead of the run. */
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: work, encoding: 'utf8', timeout: 10_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const built = () => cli(['build', '-f', 'compose.persist.yaml']).stdout;

function expectRefused(r: ReturnType<typeof cli>, file: string, what: RegExp) {
  expect(r.signal).toBeNull();
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: error FILE_WRITE `, 'm'));
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('-o keeps what it replaces', () => {
  it('a 0600 file stays 0600 (and 0640 stays 0640, whatever the umask)', () => {
    for (const mode of [0o600, 0o640, 0o755]) {
      const out = join(work, `mode-${mode.toString(8)}.yml`);
      writeFileSync(out, 'old\n');
      chmodSync(out, mode);
      expect(cli(['build', '-o', out]).code).toBe(0);
      expect(statSync(out).mode & 0o7777).toBe(mode);
      expect(readFileSync(out, 'utf8')).toBe(built());
    }
  });
  it.runIf(isRoot)('run as root, the owner and group are kept', () => {
    const out = join(work, 'owned.yml');
    writeFileSync(out, 'old\n');
    chownSync(out, 1234, 2345);
    chmodSync(out, 0o640);
    expect(cli(['build', '-o', out]).code).toBe(0);
    expect(statSync(out)).toMatchObject({ uid: 1234, gid: 2345 });
    expect(statSync(out).mode & 0o7777).toBe(0o640);
  });
  it('init --write keeps the mode of the file it edits', () => {
    const f = join(work, 'plain-0600.yaml');
    writeFileSync(f, PLAIN);
    chmodSync(f, 0o600);
    expect(cli(['init', '--write', '-f', f]).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toContain('x-persistence:');
    expect(statSync(f).mode & 0o7777).toBe(0o600);
  });
  it('a new file is created as usual', () => {
    const out = join(work, 'new.yml');
    expect(cli(['build', '-o', out]).code).toBe(0);
    expect(lstatSync(out).isFile()).toBe(true);
  });
});

describe('-o follows a symlink and keeps it', () => {
  it('the link stays a link; the file it points to (in another directory) gets the output, atomically, mode kept', () => {
    const dir = join(work, 'real');
    mkdirSync(dir);
    const target = join(dir, 'docker-compose.yml');
    writeFileSync(target, 'old\n');
    chmodSync(target, 0o600);
    const link = join(work, 'link.yml');
    symlinkSync('real/docker-compose.yml', link);
    expect(cli(['build', '-o', link]).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real/docker-compose.yml');
    expect(readFileSync(target, 'utf8')).toBe(built());
    expect(statSync(target).mode & 0o7777).toBe(0o600);
    // --check reads through the link too.
    expect(cli(['build', '--check', '-o', link]).code).toBe(0);
  });
  it('a dangling link is refused, and left as it was', () => {
    const link = join(work, 'dangling.yml');
    symlinkSync('nowhere/missing.yml', link);
    expectRefused(cli(['build', '-o', link]), link, /symbolic link that points to a file that does not exist/);
    expect(readlinkSync(link)).toBe('nowhere/missing.yml');
  });
  it('a link to the null device is refused like the device', () => {
    const link = join(work, 'to-null.yml');
    symlinkSync(nullDevice, link);
    expectRefused(cli(['build', '-o', link]), link, new RegExp(`is a character device \\(through a symbolic link to ${nullDevice}\\)`));
    expect(statSync(nullDevice).isCharacterDevice()).toBe(true);
  });
});

describe('-o refuses what is not a regular file', () => {
  it('/dev/null (the same device): refused, still a character device', () => {
    expectRefused(cli(['build', '-o', nullDevice]), nullDevice, /is a character device, not a regular file/);
    expect(lstatSync(nullDevice).isCharacterDevice()).toBe(true);
    expect(statSync(nullDevice).rdev).toBe(statSync('/dev/null').rdev);
  });
  it('a FIFO: refused without hanging (build, --check and init), still a FIFO', () => {
    const fifo = join(work, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectRefused(cli(['build', '-o', fifo]), fifo, /is a named pipe \(FIFO\)/);
    expectRefused(cli(['build', '--check', '-o', fifo]), fifo, /is a named pipe \(FIFO\)/);
    writeFileSync(join(work, 'plain.yaml'), PLAIN);
    expectRefused(cli(['init', '-f', 'plain.yaml', '-o', fifo]), fifo, /is a named pipe/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
  it('a directory: refused, still a directory, nothing written into it', () => {
    const dir = join(work, 'out-dir');
    mkdirSync(dir);
    expectRefused(cli(['build', '-o', dir]), dir, /is a directory, not a regular file/);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
  it('a socket: refused', async () => {
    const sock = join(work, 'out.sock');
    const server: Server = createServer();
    await new Promise<void>((ok) => server.listen(sock, ok));
    try {
      expectRefused(cli(['build', '-o', sock]), sock, /is a socket/);
      expect(lstatSync(sock).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });
  it('a refusal leaves no temporary file behind', () => {
    const dir = join(work, 'clean');
    mkdirSync(dir);
    const fifo = join(dir, 'o.fifo');
    spawnSync('mkfifo', [fifo]);
    cli(['build', '-o', fifo]);
    expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.trim()).toBe('o.fifo');
  });
});

describe('-o - is standard output', () => {
  it('build -o - prints the output and creates no file named -', () => {
    const r = cli(['build', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(built());
    expect(() => lstatSync(join(work, '-'))).toThrow();
  });
  it('init -o - prints too; build --check -o - is a usage error', () => {
    writeFileSync(join(work, 'plain.yaml'), PLAIN);
    const r = cli(['init', '-f', 'plain.yaml', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x-persistence:');
    expect(cli(['build', '--check', '-o', '-']).code).toBe(2);
  });
});
