/**
 * build's output file, as the library sees it (the CLI reads and writes it): where -o may
 * write, whether the file there is stale (build --check) and the diff that shows how, and the
 * sources a generated file's header names. Pure: no file is read or written here.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { compareOutputs, loadOutput } from './check/data-safety.js';
import { asMapping } from './yaml/plain.js';
import { projectName } from './ops/project.js';
import type { SourceFile } from './parse/parse.js';
import { locateIn } from './parse/locate.js';

/**
 * The Compose project of a generated file, as Compose derives it: -p, COMPOSE_PROJECT_NAME,
 * the file's top-level name:, the directory of the first file.
 */
export function outputProject(output: unknown, firstFile: string, given: { flag?: string; env?: string } = {}): { name: string } | { error: string } {
  return projectName({ ...given, name: asMapping(output).name, firstFile });
}

export interface DataDiff {
  old: { file: string; text: string };
  new: { file: string; text: string };
  project: string;
  /** The files both were built from, read again for the findings' line:col. */
  sources: readonly SourceFile[];
}

/** What replacing OLD by NEW does to existing data (diff): each finding positioned in the file it is about, a gone service in OLD, the rest in NEW. */
export function dataLeftBehind(d: DataDiff): Diagnostic[] {
  return locateIn(compareOutputs(d.old.text, d.new.text, d.new.file, d.project, d.old.file), d.sources);
}

export interface OutputPlacement {
  /** The -o file. */
  output: string;
  /** The first -f file: relative paths of the output are written for its directory. */
  firstInput: string;
  /** The pattern directory the build read templates from, if any. */
  patternsDir?: string;
  /** Whether output lies in patternsDir (symlinks resolved: the caller looks at the file system). */
  outputInPatternsDir: boolean;
  /** Whether the build made an output, and whether it holds relative paths. */
  built: boolean;
  relativePaths: boolean;
}

/** Why build must not write its output to this -o file: inside the pattern directory, or where its relative paths would re-point. */
export function outputPlacementProblems(p: OutputPlacement): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (p.patternsDir !== undefined && p.outputInPatternsDir) {
    out.push({
      code: 'OUTPUT_IS_INPUT', severity: 'error', file: p.output, path: [],
      message: `the output ${p.output} is inside the pattern directory ${p.patternsDir}, whose templates are inputs of the build; write it elsewhere`,
    });
  }
  if (p.built && resolvePath(dirname(p.output)) !== resolvePath(dirname(p.firstInput)) && p.relativePaths) {
    out.push({
      code: 'RELOCATED_OUTPUT', severity: 'error', file: p.output, path: [],
      message: `relative paths are resolved against the output's directory by Compose; writing to ${dirname(p.output)} instead of ${dirname(p.firstInput)} would re-point them`,
      hint: 'write the output next to the source, or use absolute paths',
    });
  }
  return out;
}

export interface StaleInput {
  /** The -o file. */
  file: string;
  /** What build would write. */
  built: string;
  /** What the file holds (undefined: there is no file). */
  current: string | undefined;
  /** The command that writes it again, pasteable (undefined when no shell word can carry a file name). */
  rebuild: string | undefined;
  /** COMPOSE_PROJECT_NAME, which names the volumes the data-safety findings are about. */
  projectEnv?: string;
}

export interface Stale {
  /** STALE_OUTPUT, an error: the file is missing or not what build would write. */
  stale: Diagnostic;
  /** What writing the built file would do to existing data (data-safety findings against the file). */
  findings: Diagnostic[];
}

/** undefined when the file is what build would write; else STALE_OUTPUT and the data-safety findings. */
export function staleOutput(s: StaleInput): Stale | undefined {
  if (s.current === s.built) return undefined;
  let findings: Diagnostic[] = [];
  if (s.current !== undefined) {
    const project = outputProject(loadOutput(s.built, s.file), s.file, { env: s.projectEnv });
    findings = compareOutputs(s.current, s.built, s.file, 'name' in project ? project.name : undefined);
  }
  const stale: Diagnostic = {
    code: 'STALE_OUTPUT', severity: 'error', file: s.file, path: [],
    message: `the file is ${s.current === undefined ? 'missing' : 'not what build would write'}; ${s.rebuild ? `run: ${s.rebuild}` : 'build it again (a file name holds a control character)'}`,
  };
  return { stale, findings };
}

/** Line edits the --check diff looks for at most; beyond, one hunk replaces what lies between the common start and end. */
export const MAX_DIFF_EDITS = 1000;

/** The unified diff from the file as it is to what build would write. */
export async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  // Loaded only for a stale file: a fresh --check (every commit) does not pay for it.
  const { createTwoFilesPatch } = await import('diff');
  // Bounded: a stale file that differs everywhere took the line-matrix search 8 s at 4,000 lines.
  const patch = createTwoFilesPatch(file, `${file} (built)`, before, after, '', '', { context: 3, maxEditLength: MAX_DIFF_EDITS }) as string | undefined;
  return patch ?? wholeHunk(file, before, after);
}

/** A unified diff of one hunk: the lines between the common first and last lines, removed and added (linear). */
function wholeHunk(file: string, before: string, after: string): string {
  const split = (t: string): string[] => (t === '' ? [] : t.endsWith('\n') ? t.slice(0, -1).split('\n') : t.split('\n'));
  const a = split(before);
  const b = split(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const from = Math.max(0, start - 3);
  const tail = Math.max(0, end - 3);
  const oldLines = a.slice(from, a.length - tail);
  const newLines = b.slice(from, b.length - tail);
  const range = (first: number, n: number): string => (n === 0 ? `${first},0` : n === 1 ? `${first + 1}` : `${first + 1},${n}`);
  const out = [
    '===================================================================',
    `--- ${file}\t`,
    `+++ ${file} (built)\t`,
    `@@ -${range(from, oldLines.length)} +${range(from, newLines.length)} @@ (more than ${MAX_DIFF_EDITS} lines differ: one hunk)`,
    ...a.slice(from, start).map((l) => ` ${l}`),
    ...a.slice(start, a.length - end).map((l) => `-${l}`),
    ...b.slice(start, b.length - end).map((l) => `+${l}`),
    ...a.slice(a.length - end, a.length - tail).map((l) => ` ${l}`),
  ];
  return `${out.join('\n')}\n`;
}

/**
 * The source files a generated file's header names (emit.ts writes `# Generated by
 * compose-persist from a, b.`), resolved against the generated file's directory; [] when the
 * text has no such header.
 */
export function generatedFrom(text: string, generatedFile: string): string[] {
  // The header ends with " (target swarm)" for a non-compose target (emit.ts): not part of a name.
  const header = /^# Generated by compose-persist from (.+?)(?: \(target [a-z]+\))?\.\n/.exec(text);
  // Several sources are listed joined by ", ".
  return header ? header[1]!.split(', ').map((f) => resolvePath(dirname(generatedFile), f)) : [];
}
