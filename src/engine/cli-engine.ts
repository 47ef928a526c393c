/**
 * The Engine through the user's own tools: Compose (`docker compose`, else
 * `docker-compose`, or the command given) for the project's lifecycle, so that
 * what is tested is what users run, and the Docker CLI for helper containers.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

/** Whether an executable of that name is on PATH (or, a path, is executable). */
function onPath(name: string): boolean {
  const ok = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (isAbsolute(name) || name.includes('/')) return ok(name);
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).some((d) => ok(join(d, name)));
}
import type { ComposeTarget, Engine, ExecOptions, ExecResult } from './engine.js';

/** Runs one command; never throws for a failing command (its code says so), only rejects when it cannot start. */
export function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return traced(command, args, runOne(command, args, options));
}

/** DEBUG=compose-persist:exec: every command the tool runs, with its exit code and wall time, on stderr. */
const TRACE = (process.env.DEBUG ?? '').split(',').some((d) => d.trim() === 'compose-persist:exec' || d.trim() === 'compose-persist:*');
async function traced(command: string, args: readonly string[], run: Promise<ExecResult>): Promise<ExecResult> {
  if (!TRACE) return run;
  const t0 = performance.now();
  const r = await run;
  process.stderr.write(`compose-persist:exec ${(performance.now() - t0).toFixed(0)} ms exit ${r.code}: ${[command, ...args].map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(' ')}\n`);
  return r;
}

function runOne(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (options.input !== undefined) child.stdin!.end(options.input);
    let spawnError: string | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e.code === 'ENOENT' ? `${command}: not found` : e.name === 'AbortError' ? 'aborted' : e.message;
    });
    child.on('close', (code, signal) => {
      const signalCode = signal ? 128 + (({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1) : undefined;
      resolve({
        code: code ?? signalCode ?? 127,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: spawnError !== undefined && err.length === 0 ? spawnError : Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export interface CliEngineOptions {
  /** The Compose command to use, e.g. "docker compose" (default: the first that answers). */
  compose?: string;
  /** The Docker CLI (default: docker). */
  docker?: string;
}

export function cliEngine(options: CliEngineOptions = {}): Engine {
  const dockerCmd = options.docker ?? 'docker';
  let server: Promise<ExecResult> | undefined;
  let composeFound: Promise<{ cmd: readonly string[]; version: string } | undefined> | undefined;

  async function findCompose(): Promise<{ cmd: readonly string[]; version: string } | undefined> {
    const candidates: (readonly string[])[] = options.compose
      ? [options.compose.trim().split(/\s+/)]
      : [[dockerCmd, 'compose'], ['docker-compose']];
    // A standalone docker-compose (Python 1.x) takes most of a second to start, more than a whole
    // Compose call of v2: it is found on PATH, not run (its version is then not known: ''); a Docker
    // CLI plugin (`docker compose`) is asked. Asked at once; the first in order that answers wins.
    const answers = await Promise.all(candidates.map(async (cmd) => {
      if (cmd.length === 1) return onPath(cmd[0]!) ? { code: 0, stdout: '', stderr: '', found: true } : undefined;
      return exec(cmd[0]!, [...cmd.slice(1), 'version', '--short']).catch(() => undefined);
    }));
    for (const [i, r] of answers.entries()) {
      if (r && r.code === 0 && (r.stdout.trim() || 'found' in r)) return { cmd: candidates[i]!, version: r.stdout.trim() };
    }
    return undefined;
  }

  const engine: Engine = {
    async probe(needs = {}) {
      // Asked once each; Compose only when it is needed (the data commands do not: one process fewer).
      server ??= exec(dockerCmd, ['version', '--format', '{{.Server.Version}}']);
      if (needs.compose !== false) composeFound ??= findCompose();
      const [v, compose] = await Promise.all([server, needs.compose !== false ? composeFound : undefined]);
      if (v.code !== 0 || !v.stdout.trim()) {
        const why = v.stderr.trim().split('\n').pop() ?? '';
        return { error: `no Docker engine reachable${why ? `: ${why}` : ''}` };
      }
      if (!compose && needs.compose !== false) return { error: options.compose ? `Compose command "${options.compose}" does not answer` : 'no Compose found (tried "docker compose" and "docker-compose")' };
      return { compose: compose?.cmd ?? [], composeVersion: compose?.version ?? '', serverVersion: v.stdout.trim() };
    },
    async compose(target: ComposeTarget, args: readonly string[], execOptions: ExecOptions = {}) {
      const info = await engine.probe();
      if ('error' in info) return { code: 127, stdout: '', stderr: info.error };
      const [cmd, ...pre] = info.compose;
      const dir = target.projectDirectory ?? (target.files[0] !== undefined ? dirname(target.files[0]) : undefined);
      const fileArgs = target.files.flatMap((f) => ['-f', f]);
      const dirArgs = dir !== undefined ? ['--project-directory', dir] : [];
      return exec(cmd!, [...pre, '-p', target.project, ...fileArgs, ...dirArgs, ...args], { cwd: dir, ...execOptions });
    },
    docker(args: readonly string[], execOptions?: ExecOptions) {
      return exec(dockerCmd, args, execOptions);
    },
  };
  return engine;
}
