/**
 * compose-persist as a library. The CLI is a thin shell over these calls.
 *
 * ```ts
 * import { build } from 'compose-persist';
 * const r = build([{ file: 'compose.persist.yaml', text }]);
 * if (r.text) writeFileSync('docker-compose.yml', r.text);
 * ```
 */
export { runBuild as build, type BuildOptions, type BuildResult } from './pipeline.js';
export type { SourceFile } from './parse/parse.js';
export { formatDiagnostic, diagnosticsToJson, hasErrors, DIAG_CODES, type Diagnostic, type DiagCode, type Severity } from './diagnostics.js';
export type { Plan, ServicePlan, Level, Target } from './model.js';
export { BUILTIN_PATTERNS, type AnyPattern, type PatternDef } from './patterns/index.js';
export { explainTable } from './explain.js';
export { compareOutputs, dataSafety } from './check/data-safety.js';
export { initBlock, type InitResult } from './init/init.js';
