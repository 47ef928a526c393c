// Helpers of the data-operation e2e files (74-keep, 75-backup, 76-migrate): a project
// in a temp directory, built with the real CLI, run with docker-compose 1.29.
import fs from 'node:fs';
import path from 'node:path';
import { CLI, COMPOSE, docker, makeWorkDir, must, run, type RunResult } from './lib.js';

/** The Compose command the global setup found (docker-compose, else docker compose). */
const [DC, ...DC_ARGS] = COMPOSE as [string, ...string[]];

export class DataProject {
  readonly dir: string;
  constructor(readonly name: string, tag: string) {
    this.dir = makeWorkDir(tag);
  }
  /** Writes the source and builds docker-compose.yml next to it with the real CLI. */
  write(source: string, file = 'compose.persist.yaml'): void {
    fs.writeFileSync(path.join(this.dir, file), source);
    must('node', [CLI, 'build', '-f', file, '-o', 'docker-compose.yml'], { cwd: this.dir });
  }
  /** The CLI, in the project directory; `-p NAME` is added after the command words given in `words`. */
  cp(words: string[], args: string[] = [], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): RunResult {
    return run('node', [CLI, ...words, '-p', this.name, ...args], { cwd: this.dir, timeoutMs: opts.timeoutMs ?? 240_000, ...(opts.env ? { env: opts.env } : {}) });
  }
  compose(args: string[], file = 'docker-compose.yml'): string {
    return must(DC, [...DC_ARGS, '-p', this.name, '-f', file, ...args], { cwd: this.dir, timeoutMs: 180_000 });
  }
  /** Runs a shell script in the running service's container (as root). */
  sh(service: string, script: string): string {
    return must(DC, [...DC_ARGS, '-p', this.name, '-f', 'docker-compose.yml', 'exec', '-T', '--user', '0', service, 'sh', '-c', script], { cwd: this.dir });
  }
  running(service: string): boolean {
    const id = run(DC, [...DC_ARGS, '-p', this.name, '-f', 'docker-compose.yml', 'ps', '-q', service], { cwd: this.dir }).stdout.trim();
    if (!id) return false;
    return docker(['inspect', '--format', '{{.State.Running}}', id]).stdout.trim() === 'true';
  }
  destroy(extraVolumes: string[] = []): void {
    for (const f of ['docker-compose.yml', 'old.yml', 'new.yml']) {
      if (fs.existsSync(path.join(this.dir, f))) run(DC, [...DC_ARGS, '-p', this.name, '-f', f, 'down', '-v', '--remove-orphans', '-t', '1'], { cwd: this.dir });
    }
    for (const v of extraVolumes) docker(['volume', 'rm', '-f', v]);
    // root-owned files written by containers: removed through a container
    docker(['run', '--rm', '-v', `${this.dir}:/w`, 'busybox:latest', 'sh', '-c', 'rm -rf /w/* /w/.[!.]* 2>/dev/null; true']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A service that stays up and stops at once (traps TERM). */
export const STAY = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]`;

/**
 * Writes a tree with known owners, modes, a symlink, a hard link, an empty dir and a file
 * with a space in its name, into DIR (inside a container), with the mount root set to
 * uid 1234, gid 2345, mode 0750.
 */
export const WRITE_TREE = (dir: string) => [
  `cd ${dir}`,
  'mkdir -p sub/deep empty',
  'printf "hello\\n" > a.txt',
  'head -c 70000 /dev/urandom > sub/blob.bin',
  'printf "x" > "sub/with space.txt"',
  'ln -s ../a.txt sub/link',
  'ln sub/blob.bin hard.bin',
  'chown 1001:1002 a.txt && chmod 0640 a.txt',
  'chown -R 33:44 sub && chmod 0705 sub && chmod 0600 sub/blob.bin',
  'chown -h 55:66 sub/link',
  'chown 7:8 empty && chmod 0711 empty',
  `chown 1234:2345 ${dir} && chmod 0750 ${dir}`,
].join(' && ');

/** One line per entry: type, mode, uid, gid, size (regular files), link target, sha256; sorted. */
export const LIST_TREE = (dir: string) =>
  `cd ${dir} && find . | sort | while IFS= read -r f; do ` +
  `if [ -L "$f" ]; then echo "$f L $(stat -c '%a %u %g' "$f") -> $(readlink "$f")"; ` +
  `elif [ -d "$f" ]; then echo "$f D $(stat -c '%a %u %g' "$f")"; ` +
  `else echo "$f F $(stat -c '%a %u %g %s %h' "$f") $(sha256sum "$f" | cut -d' ' -f1)"; fi; done`;

/** The tree listing of a volume or bind source, read through a helper container. */
export function listTree(source: string): string {
  return must('docker', ['run', '--rm', '-v', `${source}:/x:ro`, 'busybox:latest', 'sh', '-c', LIST_TREE('/x')]).trim();
}
