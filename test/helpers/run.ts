import { readFileSync } from 'node:fs';
import { build, type BuildOptions } from '../../src/index.js';
import { main, type Io } from '../../src/cli/main.js';
import { readPatternDir } from '../../src/cli/io.js';

export function buildText(text: string, options: BuildOptions = {}, file = 'compose.persist.yaml') {
  return build([{ file, text }], options);
}

export function buildFile(path: string, options: BuildOptions = {}) {
  return build([{ file: path, text: readFileSync(path, 'utf8') }], { loadPatterns: readPatternDir, ...options });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process, capturing its output (env: the environment it sees, default the test's). */
export async function cli(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), color: false, ...(env ? { env } : {}) };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** First error line, for tests that expect one fault. */
export function errorsOf(r: { diagnostics: { severity: string; code: string; line?: number; col?: number; message: string }[] }) {
  return r.diagnostics.filter((d) => d.severity === 'error');
}
