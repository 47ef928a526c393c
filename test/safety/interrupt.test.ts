/**
 * A signal during `-o FILE` (issue 17 point 1): SIGINT, SIGTERM or SIGHUP while the
 * temporary file `.FILE.<pid>.<rand>.tmp` is open and partly written leaves FILE exactly
 * as it was (bytes, inode), removes the temporary file and exits 130 / 143 / 129 with
 * `FILE: error INTERRUPTED`. A write that fails half way (EFBIG under `ulimit -f`) leaves
 * no temporary file either.
 *
 * Deterministic, no timing: the CLI runs as a real process with
 * COMPOSE_PERSIST_TEST_HOOK=pause-write, which stops the write half way and says so on
 * stderr; the signal is sent once that line is read and the temporary file is seen with
 * bytes in it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';

let work: string;
let cliPath: string;

function bigInput(n: number): string {
  const lines = ['services:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, '    image: example/app:1', '    environment:', `      A: "value ${i}"`);
  lines.push('x-persistence:', '  default: volume', '  services:');
  for (let i = 0; i < n; i++) lines.push(`    s${i}: { mounts: [/var/lib/s${i}/data, /var/cache/s${i}] }`);
  return `${lines.join('\n')}\n`;
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'compose-persist-interrupt-'));
  cliPath = bundleCli(work);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI paused in its write, sends `signal` once the pause is reported, and returns how it ended. */
async function interruptedRun(dir: string, args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; tmpBytes: number }> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: dir, env: { ...process.env, COMPOSE_PERSIST_TEST_HOOK: 'pause-write' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let tmpBytes = -1;
  // 'close': the process has ended and its stderr is read to the end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, sig) => res({ code, signal: sig })));
  await new Promise<void>((res) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (tmpBytes < 0 && /writing paused at \d+/.test(stderr)) {
        // The temporary file is there, partly written, when the signal is sent.
        const tmp = tempFiles(dir);
        tmpBytes = tmp.length === 1 ? statSync(join(dir, tmp[0]!)).size : 0;
        child.kill(signal);
        res();
      }
    });
    // A run that never pauses (the hook is missing) ends on its own: the assertions below say so.
    void exited.then(() => res());
  });
  const end = await exited;
  return { ...end, stderr, tmpBytes };
}

describe('safety: a signal during -o removes the temporary file and keeps FILE', () => {
  const cases: [NodeJS.Signals, number][] = [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]];
  it.each(cases)('build -o: %s mid-write -> exit %d, FILE intact, no temporary file', async (signal, code) => {
    const dir = join(work, `build-${signal}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.persist.yaml'), bigInput(2000));
    const out = join(dir, 'docker-compose.yml');
    const OLD = '# the old generated file: must survive\nservices: {}\n';
    writeFileSync(out, OLD);
    const ino = statSync(out).ino;
    const r = await interruptedRun(dir, ['build', '-f', 'big.persist.yaml', '-o', 'docker-compose.yml'], signal);
    expect(r.stderr).toMatch(/writing paused at \d+ of \d+ bytes/);
    expect(r.tmpBytes, 'the temporary file was open and partly written when the signal came').toBeGreaterThan(100_000);
    expect({ code: r.code, signal: r.signal }).toEqual({ code, signal: null });
    expect(tempFiles(dir)).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(statSync(out).ino).toBe(ino);
    expect(r.stderr).toMatch(/^docker-compose\.yml: error INTERRUPTED interrupted by SIG[A-Z]+ while writing/m);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('init --write: SIGTERM mid-write leaves the source as it was, exit 143', async () => {
    const dir = join(work, 'init');
    mkdirSync(dir);
    const src = join(dir, 'compose.yaml');
    const lines = ['services:'];
    for (let i = 0; i < 300; i++) lines.push(`  db${i}:`, '    image: postgres:16');
    const SRC = `${lines.join('\n')}\n`;
    writeFileSync(src, SRC);
    const r = await interruptedRun(dir, ['init', '--write', '-f', 'compose.yaml'], 'SIGTERM');
    expect(r.tmpBytes).toBeGreaterThan(0);
    expect(r.code).toBe(143);
    expect(tempFiles(dir)).toEqual([]);
    expect(readFileSync(src, 'utf8')).toBe(SRC);
  });

  it('without the hook a build -o completes and exits 0 (the hook is the only pause)', () => {
    const dir = join(work, 'plain');
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.persist.yaml'), bigInput(50));
    const r = spawnSync(process.execPath, [cliPath, 'build', '-f', 'big.persist.yaml', '-o', 'out.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('a write failing half way (EFBIG under ulimit -f) leaves FILE as it was and no temporary file', () => {
    const dir = join(work, 'efbig');
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.persist.yaml'), bigInput(2000));
    const OLD = 'old\n';
    writeFileSync(join(dir, 'out.yml'), OLD);
    // 200 blocks of 512 bytes: the 100 KB limit is reached in the middle of the output.
    const r = spawnSync('sh', ['-c', 'ulimit -f 200 && exec "$0" "$@"', process.execPath, cliPath, 'build', '-f', 'big.persist.yaml', '-o', 'out.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^out\.yml: error FILE_WRITE /m);
    expect(tempFiles(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'out.yml'), 'utf8')).toBe(OLD);
  });
});
