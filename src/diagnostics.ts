/**
 * Diagnostics: every stage reports problems as data, never by throwing.
 * A Diagnostic carries a stable code (documented in the README), the file and
 * the path inside the document; line/col are filled from the YAML source.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Stable codes: scripts and editors match on them, so never rename one. */
export const DIAG_CODES = {
  YAML_SYNTAX: 'the file is not well-formed YAML',
  YAML_DUPLICATE_KEY: 'a mapping has the same key twice',
  YAML_MULTI_DOC: 'the file holds more than one YAML document',
  YAML_ALIAS: 'an alias is undefined or expands too much',
  NOT_A_MAPPING: 'the top level of a compose file must be a mapping',
  FILE_READ: 'a file could not be read',
  FILE_WRITE: 'the output file cannot be written (not a regular file, or the write failed)',
  INTERRUPTED: 'a signal stopped the write of the output; the file was left as it was',
  FILE_TOO_LARGE: 'a file is larger than the tool accepts',
  TOO_COMPLEX: 'a file within the size limit asks for more work than the tool does (e.g. a web of volumes_from)',
  BOTH_BLOCKS: 'both persistence: and x-persistence: are present',
  BLOCK_MERGED: 'the persistence block reaches the top level only through a merge key (<<)',
  BLOCK_IN_SEVERAL_FILES: 'more than one -f file holds a persistence block',
  SCHEMA_TYPE: 'a value has the wrong type',
  SCHEMA_ENUM: 'a value is not one of the allowed ones',
  SCHEMA_UNKNOWN_KEY: 'a key is not known here',
  SCHEMA_REQUIRED: 'a required key is missing',
  SCHEMA_FORMAT: 'a value does not have the expected form',
  SCHEMA_RANGE: 'a value is too long, too short or out of range',
  UNKNOWN_PATTERN: 'a service names a pattern that does not exist',
  UNKNOWN_SERVICE: 'the persistence block names a service the file does not define',
  UNKNOWN_BACKEND: 'a service references a back-end that is not declared',
  BACKEND_KIND: 'a back-end of the wrong kind for the pattern',
  MISSING_BACKEND: 'the pattern needs a back-end and none is given',
  RELATIVE_TARGET: 'a mount target is not an absolute path',
  BAD_PATH: 'a path holds characters Compose cannot carry',
  DUPLICATE_TARGET: 'the same target is mounted twice in one service',
  MOUNT_CONFLICT: 'the service already mounts something at this target',
  NAME_COLLISION: 'two generated names are the same',
  SHARED_VOLUME_MISMATCH: 'services that share a volume name give it different patterns, back-ends or options',
  NO_MOUNTS: 'the pattern needs at least one mount',
  OWNER_WITHOUT_BIND: 'owner is only meaningful for the bind pattern',
  OPTION_NOT_FOR_PATTERN: 'a key is not meaningful for the chosen pattern',
  KEEP_NOT_FOR_PATTERN: 'keep: applies to volume-backed patterns only',
  PRESET_OPTION: 'a plugin option does not fit the preset',
  LITERAL_SECRET: 'a credential is written literally instead of as ${VAR}',
  UNSAFE_PATH: 'a host path the output mounts points at a sensitive host location or leaves the project',
  LEVEL_BELOW_REQUIRED: 'a service ends below the required persistence level',
  OUTPUT_INVALID: 'the generated file does not validate against the Compose specification',
  OUTPUT_IS_INPUT: 'the output file is one of the input files',
  STALE_OUTPUT: 'the output file is not what build would write',
  NO_INPUT: 'no input file was given or found',
  LEGACY_PLUGIN: 'the volume plugin is unmaintained',
  SWARM_UNSUPPORTED: 'the pattern cannot be deployed with docker stack deploy',
  SWARM_NEEDS_NODE: 'on Swarm the pattern needs a node to pin the service to',
  SWARM_PER_NODE: 'on Swarm a local volume exists on one node only',
  SWARM_NODE_CONFLICT: 'node: pins the service to one node, its own deploy.placement to another: it could never be placed',
  SWARM_STACK_INVALID: 'the Swarm output would not pass the stack file schema docker stack deploy checks',
  SWARM_CONVERTED: 'an entry Swarm ignores and its stack file format refuses is left out of the Swarm output',
  RELOCATED_OUTPUT: 'the output is written to another directory than the source, which re-points relative paths',
  STATEFUL_NONE: 'a stateful image is given pattern none',
  UNPERSISTED_STATE: 'a stateful image writes its data where nothing is mounted',
  CATALOG_PATH_MOVED: 'the image version refuses the data path mounted',
  CATALOG_VERSION_UNKNOWN: 'the image tag cannot tell which data path applies',
  IMAGE_VARIABLE_UNSET: 'an image reference uses a variable that is not set',
  PATTERN_DEFINITION: 'a user-defined pattern is not valid',
  ALREADY_HAS_BLOCK: 'init: the file already has a persistence block',
  DATA_ORPHANED: 'a change leaves existing data unused',
  DRIVER_CHANGED: 'a volume keeps its name but changes its driver options',
  VERIFY_MISMATCH: 'verify: what the engine did with a mount differs from what explain claims',
  STATE_OUTSIDE_MOUNTS: 'verify --run: a service wrote data outside every mount, which an upgrade loses',
  VERIFY_FAILED: 'verify: a step could not be run (Compose or the engine refused it)',
  ENGINE_UNAVAILABLE: 'no Docker engine or no Compose is reachable',
  USAGE: 'the command line is not valid (exit 2)',
  INTERNAL: 'a bug in compose-persist',
} as const;

export type DiagCode = keyof typeof DIAG_CODES;

export type YamlPath = readonly (string | number)[];

export interface Diagnostic {
  code: DiagCode;
  severity: Severity;
  /** One sentence, YAML vocabulary ("mapping", "list"). */
  message: string;
  /** e.g. did you mean "volume"? */
  hint?: string;
  file: string;
  path: YamlPath;
  /** 1-based, when the source position is known. */
  line?: number;
  col?: number;
}

/** Result of one stage: a value when it could go on, and what it found. */
export interface StageResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function pathToString(path: YamlPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Sort by file, position, then code: output order must not depend on stage order. */
/** By code unit, not localeCompare: the same order in every locale, and no ICU collator to load (10 ms a run). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

export interface FormatOptions {
  color?: boolean;
}

/** A control character as an escape (`\n`, `\x1b`): the one escaping used for every human-readable line. */
function escapeControl(c: string): string {
  const json = JSON.stringify(c).slice(1, -1);
  if (json !== c) return json.replace(/^\\u00/, '\\x');
  // JSON leaves DEL, the C1 controls (U+009B is a CSI on many terminals) and U+2028/9 as they are.
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** One diagnostic is one line: user text with line breaks or control characters is escaped. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, escapeControl);
}

/**
 * Text for a terminal that may span lines (a diff, commander's usage messages): every control
 * character but line feed and tab is escaped, so no escape sequence from a file or an argument
 * reaches the terminal.
 */
export function terminalText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, escapeControl);
}

/** `file:line:col: error CODE message (hint)`, the shape editors and grep understand. */

export function formatDiagnostic(d: Diagnostic, opts: FormatOptions = {}): string {
  const where = d.line !== undefined ? `${oneLine(d.file)}:${d.line}:${d.col ?? 1}` : oneLine(d.file);
  const sev = opts.color ? colorSeverity(d.severity) : d.severity;
  const hint = d.hint ? ` (${oneLine(d.hint)})` : '';
  return `${where}: ${sev} ${d.code} ${oneLine(d.message)}${hint}`;
}

function colorSeverity(sev: Severity): string {
  const code = sev === 'error' ? 31 : sev === 'warning' ? 33 : 36;
  return `\u001b[${code}m${sev}\u001b[0m`;
}

export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(
    diagnostics.map((d) => ({
      file: d.file,
      line: d.line ?? null,
      column: d.col ?? null,
      code: d.code,
      severity: d.severity,
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
      path: pathToString(d.path),
    })),
    null,
    2,
  );
}
