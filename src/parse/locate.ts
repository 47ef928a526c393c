/** line:col of diagnostics that carry only a path, from the source files they name. */
import type { Diagnostic } from '../diagnostics.js';
import { parseSource, type SourceFile } from './parse.js';

/**
 * Each diagnostic without a line gets the position of its path in the file it names (each file
 * parsed again, once: a diff's two inputs); one whose file or path is not found is kept as is.
 */
export function locateIn(diagnostics: readonly Diagnostic[], files: readonly SourceFile[]): Diagnostic[] {
  const docs = new Map<string, ReturnType<typeof parseSource>['value']>();
  return diagnostics.map((d) => {
    if (d.line !== undefined) return d;
    const file = files.find((f) => f.file === d.file);
    if (!file) return d;
    if (!docs.has(d.file)) docs.set(d.file, parseSource(file).value);
    const pos = docs.get(d.file)?.positionOf(d.path, true);
    return pos ? { ...d, ...pos } : d;
  });
}
