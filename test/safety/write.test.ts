/**
 * Output safety of `build -o FILE` (src/cli/io.ts: temp file in the same
 * directory, fsync, rename):
 *  - SIGKILL at random points of a large build: FILE is exactly the old or
 *    exactly the new content, never a part;
 *  - on invalid input FILE is untouched (bytes and mtime) and no temp file
 *    is left;
 *  - `build --check -o FILE` never writes (fresh, stale or missing FILE);
 *  - `-o` naming an input (any spelling, a symlink, a hard link) is refused
 *    with exit 2 and the input is untouched.
 *
 * The CLI under test is bundled from src/ with the flags of scripts/build.mjs
 * (so it is never stale); COMPOSE_PERSIST_CLI=dist/cli.js tests the built
 * file instead. SAFETY_SERVICES (default 1000) and SAFETY_KILLS (default 30)
 * size the kill test (`SAFETY_SERVICES=5000` for the full-size run); the report prints how many kills left old and new.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';

const SERVICES = Number(process.env.SAFETY_SERVICES) || 1000;
const KILLS = Number(process.env.SAFETY_KILLS) || 30;
const SEED = Number(process.env.FUZZ_SEED ?? 42);

let work: string;
let cliPath: string;

/** Small deterministic PRNG (mulberry32), so the kill schedule is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bigInput(n: number): string {
  const lines = ['# large input for the kill test', 'x-common: &common', '  restart: unless-stopped', 'services:'];
  for (let i = 0; i < n; i++) {
    // Up to 900 services merge x-common (BUG-6: 1000 aliases were refused as an alias bomb).
    lines.push(`  s${i}:`, ...(i < 900 ? ['    <<: *common'] : []), '    image: example/app:1', '    environment:', `      A: "\${A:-${i}}"`, '      B: "$$literal"');
  }
  lines.push('x-persistence:', '  default: volume', '  services:');
  for (let i = 0; i < n; i++) lines.push(`    s${i}: { mounts: [/var/lib/s${i}/data, /var/cache/s${i}] }`);
  return `${lines.join('\n')}\n`;
}

const SMALL = 'services:\n  db:\n    image: example/db:1\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/db] }\n';
const INVALID = 'services:\n  db:\n    image: example/db:1\nx-persistence:\n  services:\n    db: { pattern: volum, mounts: [/var/lib/db] }\n';

function cli(args: string[], cwd = work) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Bytes and mtime of a file, to prove it was not touched. */
function snapshot(file: string): { bytes: Buffer; mtimeMs: number; ino: number } {
  const st = statSync(file);
  return { bytes: readFileSync(file), mtimeMs: st.mtimeMs, ino: st.ino };
}

/** A file with old content and an mtime well in the past (a write would move it). */
function oldFile(file: string, text = 'old content: not touched\n'): void {
  writeFileSync(file, text);
  utimesSync(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'compose-persist-safety-'));
  cliPath = bundleCli(work);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('safety: -o writes atomically', () => {
  it(`SIGKILL at random points of a ${SERVICES}-service build leaves FILE old or new, never partial`, async () => {
    const dir = join(work, 'kill');
    mkdirSync(dir);
    const src = join(dir, 'big.persist.yaml');
    writeFileSync(src, bigInput(SERVICES));
    const out = join(dir, 'docker-compose.yml');

    // The new content, and how long a full run takes.
    const t0 = performance.now();
    const full = cli(['build', '-f', 'big.persist.yaml', '-o', 'docker-compose.yml'], dir);
    const runMs = performance.now() - t0;
    expect(full.code, full.stderr).toBe(0);
    const NEW = readFileSync(out);
    const OLD = Buffer.from(`# old content, ${NEW.length} bytes of new content will replace it\n`.repeat(3));
    expect(NEW.equals(OLD)).toBe(false);

    /** After a run ended or was killed: FILE is the old content, the new, or partial; temp files left are counted and removed. */
    const settle = (tally: { old: number; new: number; partial: number; tempLeftAfterKill: number }): void => {
      const now = readFileSync(out);
      if (now.equals(OLD)) tally.old++;
      else if (now.equals(NEW)) tally.new++;
      else tally.partial++;
      // A temp file can survive a SIGKILL (nothing runs to remove it); it must never be FILE itself.
      const left = tempFiles(dir);
      if (left.length) tally.tempLeftAfterKill++;
      for (const f of left) rmSync(join(dir, f));
    };

    const rand = prng(SEED);
    const counts = { old: 0, new: 0, partial: 0, tempLeftAfterKill: 0, exitedBeforeKill: 0 };
    const delays: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      writeFileSync(out, OLD);
      // Half spread over the whole run (and a little past it), half in its last fifth where the write happens.
      // (Runs vary with the machine's load: the late half reaches well past the measured run.)
      const delay = i % 2 === 0 ? rand() * runMs * 1.1 : runMs * (0.8 + rand() * 1.2);
      delays.push(Math.round(delay));
      const child = spawn(process.execPath, [cliPath, 'build', '-f', 'big.persist.yaml', '-o', 'docker-compose.yml'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
      await new Promise((res) => setTimeout(res, delay));
      child.kill('SIGKILL');
      const { signal } = await exited;
      if (signal !== 'SIGKILL') counts.exitedBeforeKill++;
      settle(counts);
    }
    console.log(`[safety] kill test: ${SERVICES} services, output ${NEW.length} bytes, full run ${Math.round(runMs)} ms, ${KILLS} kills at ${delays.join(', ')} ms`);
    console.log(`[safety] kill test: old=${counts.old} new=${counts.new} partial=${counts.partial} (temp file left after kill: ${counts.tempLeftAfterKill}, exited before the kill: ${counts.exitedBeforeKill})`);
    expect(counts.partial).toBe(0);
    expect(counts.old + counts.new).toBe(KILLS);

    // Random delays rarely land in the few milliseconds of the write itself: here the
    // kill follows the temp file's appearance (polled), plus 0-4 ms, inside the write window.
    const win = { old: 0, new: 0, partial: 0, tempSeen: 0, tempLeftAfterKill: 0 };
    const WINDOW_KILLS = Math.max(5, Math.round(KILLS / 3));
    for (let i = 0; i < WINDOW_KILLS; i++) {
      writeFileSync(out, OLD);
      const child = spawn(process.execPath, [cliPath, 'build', '-f', 'big.persist.yaml', '-o', 'docker-compose.yml'], { cwd: dir, stdio: 'ignore' });
      let done = false;
      const exited = new Promise<void>((res) => child.on('exit', () => {
        done = true;
        res();
      }));
      // The temp name holds the pid and a random part: any temp file in the directory is this run's.
      while (!done && tempFiles(dir).length === 0) await new Promise((res) => setImmediate(res));
      if (!done) {
        win.tempSeen++;
        const extra = Math.floor(rand() * 5);
        if (extra) await new Promise((res) => setTimeout(res, extra));
        child.kill('SIGKILL');
      }
      await exited;
      settle(win);
    }
    console.log(`[safety] kill in the write window: ${WINDOW_KILLS} kills, temp file seen before the kill ${win.tempSeen}: old=${win.old} new=${win.new} partial=${win.partial} (temp file left after kill: ${win.tempLeftAfterKill})`);
    expect(win.partial).toBe(0);
    // The kills must have landed in the window at least once, or this part proved nothing.
    expect(win.tempSeen).toBeGreaterThan(0);
  }, Math.max(120_000, KILLS * 60_000));

  it('on invalid input FILE is untouched (bytes, mtime, inode) and no temp file is left', () => {
    const dir = join(work, 'invalid');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.persist.yaml'), INVALID);
    writeFileSync(join(dir, 'syntax.persist.yaml'), 'services:\n  db: [\n');
    writeFileSync(join(dir, 'nul.persist.yaml'), 'services:\n  db:\u0000\n');
    writeFileSync(join(dir, 'latin1.persist.yaml'), Buffer.from([0x73, 0x3a, 0x20, 0xe9, 0x0a]));
    const out = join(dir, 'docker-compose.yml');
    oldFile(out);
    for (const input of ['bad.persist.yaml', 'syntax.persist.yaml', 'nul.persist.yaml', 'latin1.persist.yaml', 'missing.persist.yaml']) {
      const before = snapshot(out);
      const r = cli(['build', '-f', input, '-o', 'docker-compose.yml'], dir);
      expect(r.code, `${input}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/error [A-Z_]+/);
      const after = snapshot(out);
      expect(after.bytes.equals(before.bytes), input).toBe(true);
      expect(after.mtimeMs, input).toBe(before.mtimeMs);
      expect(after.ino, input).toBe(before.ino);
      expect(tempFiles(dir), input).toEqual([]);
    }
  });

  it('on a write error (output directory missing, output is a directory) no temp file is left', () => {
    const dir = join(work, 'write-error');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.persist.yaml'), SMALL);
    mkdirSync(join(dir, 'is-a-dir'));
    writeFileSync(join(dir, 'is-a-dir', 'keep'), 'keep');
    const r1 = cli(['build', '-f', 'ok.persist.yaml', '-o', 'is-a-dir'], dir);
    expect(r1.code, r1.stderr).not.toBe(0);
    expect(readFileSync(join(dir, 'is-a-dir', 'keep'), 'utf8')).toBe('keep');
    expect(tempFiles(dir)).toEqual([]);
    const r2 = cli(['build', '-f', 'ok.persist.yaml', '-o', 'no/such/dir/out.yml'], dir);
    expect(r2.code, r2.stderr).not.toBe(0);
    expect(r2.code).not.toBe(3); // a file-system error, not an internal error
    expect(tempFiles(dir)).toEqual([]);
  });

  it('build --check -o FILE never writes: fresh, stale, missing, and on invalid input', () => {
    const dir = join(work, 'check');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.persist.yaml'), SMALL);
    writeFileSync(join(dir, 'bad.persist.yaml'), INVALID);
    const out = join(dir, 'docker-compose.yml');

    // Fresh: exit 0, untouched.
    expect(cli(['build', '-f', 'ok.persist.yaml', '-o', 'docker-compose.yml'], dir).code).toBe(0);
    utimesSync(out, new Date(2001, 0, 1), new Date(2001, 0, 1));
    let before = snapshot(out);
    const fresh = cli(['build', '--check', '-f', 'ok.persist.yaml', '-o', 'docker-compose.yml'], dir);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(snapshot(out)).toEqual(before);

    // Stale: exit 1 with a diff, untouched.
    oldFile(out, 'stale\n');
    before = snapshot(out);
    const stale = cli(['build', '--check', '-f', 'ok.persist.yaml', '-o', 'docker-compose.yml'], dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/STALE_OUTPUT/);
    expect(stale.stdout).toMatch(/^-stale$/m);
    expect(snapshot(out)).toEqual(before);

    // Stale, JSON format: still untouched.
    const staleJson = cli(['build', '--check', '--format', 'json', '-f', 'ok.persist.yaml', '-o', 'docker-compose.yml'], dir);
    expect(staleJson.code).toBe(1);
    expect(JSON.parse(staleJson.stdout)).toMatchObject({ ok: false, stale: true });
    expect(snapshot(out)).toEqual(before);

    // Invalid input: exit 1, untouched.
    const bad = cli(['build', '--check', '-f', 'bad.persist.yaml', '-o', 'docker-compose.yml'], dir);
    expect(bad.code).toBe(1);
    expect(snapshot(out)).toEqual(before);

    // Missing: exit 1, not created.
    rmSync(out);
    const missing = cli(['build', '--check', '-f', 'ok.persist.yaml', '-o', 'docker-compose.yml'], dir);
    expect(missing.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('refuses -o naming an input (same path, other spelling, symlink, hard link) with exit 2', () => {
    const dir = join(work, 'same');
    mkdirSync(dir);
    const src = join(dir, 'compose.persist.yaml');
    writeFileSync(src, SMALL);
    symlinkSync('compose.persist.yaml', join(dir, 'link.yml'));
    linkSync(src, join(dir, 'hard.yml'));
    utimesSync(src, new Date(2001, 0, 1), new Date(2001, 0, 1));
    const before = snapshot(src);
    const spellings: string[][] = [
      ['-f', 'compose.persist.yaml', '-o', 'compose.persist.yaml'],
      ['-f', 'compose.persist.yaml', '-o', './compose.persist.yaml'],
      ['-f', 'compose.persist.yaml', '-o', src],
      ['-f', 'compose.persist.yaml', '-o', '../same/compose.persist.yaml'],
      ['-f', 'compose.persist.yaml', '-o', 'link.yml'],
      ['-f', 'compose.persist.yaml', '-o', 'hard.yml'],
      ['-o', 'compose.persist.yaml'], // the default input
      ['-f', 'compose.persist.yaml', '--check', '-o', 'compose.persist.yaml'],
    ];
    for (const args of spellings) {
      const r = cli(['build', ...args], dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/also an input/);
      expect(snapshot(src), args.join(' ')).toEqual(before);
      expect(tempFiles(dir)).toEqual([]);
    }
  });
});
