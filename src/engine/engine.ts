/**
 * The one way out to a Docker engine for the commands that operate on one
 * (verify, backup, restore, migrate, volumes create). Their logic builds the
 * argument lists and reads the answers; this interface runs them. Unit tests
 * give a fake that records calls and answers from a script; the real adapter
 * (cli-engine.ts) runs the user's own Compose and Docker CLI.
 */

export interface ExecResult {
  /** The process's exit code (a signal counts as 128 + its number). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Working directory (Compose resolves relative paths against the first file's directory). */
  cwd?: string;
  /** Text (or bytes: a tar for `docker cp -`) given on standard input. */
  input?: string | Uint8Array;
  /** Aborts the child (SIGTERM) when signalled: the caller's SIGINT/SIGTERM handling. */
  signal?: AbortSignal;
  /** Extra environment for the child, over the process's own. */
  env?: Record<string, string>;
}

/** A Compose invocation: the project name and files are always given (never Compose's defaults). */
export interface ComposeTarget {
  project: string;
  files: readonly string[];
  /** Directory relative paths resolve against (default: the first file's). */
  projectDirectory?: string;
}

export interface EngineInfo {
  /** The Compose command found, e.g. ["docker", "compose"] or ["docker-compose"]; [] when none was (probe({ compose: false })). */
  compose: readonly string[];
  /** Empty when not asked (a standalone docker-compose is found on PATH, not started). */
  composeVersion: string;
  serverVersion: string;
}

export interface Engine {
  /**
   * Whether an engine and a Compose are reachable; an error says which is missing. With
   * `{ compose: false }` only the engine is required (backup, restore, migrate and volumes
   * create use the Docker CLI alone): `compose` is then empty when none was found.
   */
  probe(needs?: { compose?: boolean }): Promise<EngineInfo | { error: string }>;
  /** Runs Compose on the project: `<compose> -p P -f F... <args>`. */
  compose(target: ComposeTarget, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs the Docker CLI: helper containers, inspect, volume create/ls/rm, diff. */
  docker(args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}
