/**
 * The Compose project name, derived as Compose derives it, so that the data
 * commands find the volumes `docker compose up` made: -p, else
 * COMPOSE_PROJECT_NAME, else the top-level `name:`, else the first file's
 * directory name, normalised (lowercase, only [a-z0-9_-]).
 */
import { basename, dirname, resolve } from 'node:path';

export interface ProjectNameInput {
  /** -p/--project-name. */
  flag?: string;
  /** The environment's COMPOSE_PROJECT_NAME. */
  env?: string;
  /** The top-level name: of the (merged) file. */
  name?: unknown;
  /** The first -f file (its directory names the project). */
  firstFile: string;
}

/** Compose's normalisation (docker-compose 1.x and v2 agree on it). */
export function normaliseProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** The project name, or an error when it ends up empty (a directory named only "." or symbols). */
export function projectName(input: ProjectNameInput): { name: string } | { error: string } {
  const raw = input.flag ?? (input.env ? input.env : undefined) ?? (typeof input.name === 'string' && input.name ? input.name : undefined) ?? basename(dirname(resolve(input.firstFile)));
  const name = normaliseProjectName(raw);
  if (!name) return { error: `project name "${raw}" is empty once normalised to [a-z0-9_-]; give -p NAME` };
  // Compose refuses names that do not start with a letter or digit.
  if (!/^[a-z0-9]/.test(name)) return { error: `project name "${name}" must start with a letter or digit; give -p NAME` };
  return { name };
}
