/**
 * "Adding X is one module": a test edits a copy of the source tree (a new pattern folder, a
 * new entry kind), runs the build step that precompiles templates, bundles an entry script
 * with the copy's pipeline as the CLI is bundled, runs it, and gets what it printed as JSON.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** Helpers for the edit of the copy (paths relative to its root). */
export interface TreeCopy {
  dir: string;
  read(path: string): string;
  write(path: string, text: string): void;
  /** The file with `line` replaced by `by(line)`; the line must be there as written. */
  replaceLine(path: string, line: string, by: (line: string) => string, prepend?: string): void;
}

export function runInTreeCopy<T>(prefix: string, edit: (tree: TreeCopy) => void, entry: string): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    for (const d of ['src', 'templates', 'schemas', 'catalog', 'scripts']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tree: TreeCopy = {
      dir,
      read: (p) => readFileSync(join(dir, p), 'utf8'),
      write: (p, text) => writeFileSync(join(dir, p), text),
      replaceLine(p, line, by, prepend = '') {
        const text = tree.read(p);
        expect(text).toContain(line);
        tree.write(p, prepend + text.replace(line, by(line)));
      },
    };
    edit(tree);
    // The build step that precompiles templates, then the pipeline, bundled as the CLI is.
    execFileSync(process.execPath, [join(dir, 'scripts/build.mjs'), '--gen-only'], { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, 'entry.ts'), entry);
    const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [join(dir, 'entry.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(dir, 'entry.mjs'), logLevel: 'error' });
    return JSON.parse(execFileSync(process.execPath, [join(dir, 'entry.mjs')], { cwd: dir, encoding: 'utf8' })) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
