/**
 * The compose-persist command: flags -> options -> one library call ->
 * print -> exit code (exit.ts: 0 ok, 1 invalid input or stale output,
 * 2 usage error, 3 internal error (a bug: please report it), 130/143/129
 * when SIGINT/SIGTERM/SIGHUP stopped the write of -o, the file left as it was).
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { runBuild, type BuildOptions, type BuildResult } from '../pipeline.js';
import { diagnosticsToJson, formatDiagnostic, hasErrors, oneLine, terminalText, type Diagnostic } from '../diagnostics.js';
import { explainRows, explainTable, ownMountsSummary, patternsTable } from '../explain.js';
import { BUILTIN_PATTERNS } from '../patterns/index.js';
import { TARGETS, type Target } from '../model.js';
import { targetFacts } from '../compose/target-facts.js';
import type { SourceFile } from '../parse/parse.js';
import { insideDir, readExisting, readPatternDir, readSource, readVariables, sameFile, stdoutIsFile, writeAtomic } from './io.js';
import { EXIT, exitCode, type Outcome } from './exit.js';
import { dataLeftBehind, generatedFrom, outputPlacementProblems, outputProject, staleOutput, unifiedDiff } from '../output-file.js';
import { loadOutput, TooComplexError } from '../check/data-safety.js';
import { shellCommand } from '../shell-quote.js';
import type { ComposeCheck } from './compose-check-thread.js';

export { EXIT } from './exit.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** A second thread for the Compose schema check of large outputs (the bin gives one; without it, the check runs in line). */
  composeCheck?: ComposeCheck;
  /** The environment ${VAR} in image references is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Inputs from this size on have their output checked on the second thread: below it, starting one costs more than it saves. */
const THREAD_FROM_BYTES = 1024 * 1024;

const DEFAULT_INPUTS = ['compose.persist.yaml', 'compose.persist.yml'];
const PLAIN_INPUTS = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

interface CommonOpts {
  file?: string[];
  safePaths?: boolean;
  patterns?: string;
  target: Target;
  format: 'text' | 'json';
  quiet?: boolean;
  color?: boolean;
  envFile?: string[];
}

class UsageError extends Error {}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function inputFiles(opts: CommonOpts): string[] {
  if (opts.file?.length) {
    if (opts.file.filter((f) => f === '-').length > 1) throw new UsageError('-f - (standard input) can be given once');
    return opts.file;
  }
  const found = DEFAULT_INPUTS.find((f) => existsSync(f));
  if (!found) throw new UsageError(`no input: give -f FILE, or name the source ${DEFAULT_INPUTS.join(' or ')} (a name Compose does not pick up by itself)`);
  return [found];
}

function readAll(files: string[]): { sources: SourceFile[]; errors: Diagnostic[] } {
  const sources: SourceFile[] = [];
  const errors: Diagnostic[] = [];
  for (const f of files) {
    const r = readSource(f);
    if ('error' in r) errors.push(r.error);
    else sources.push(r.file);
  }
  return { sources, errors };
}

/** At most a screenful of lines: a broken 10,000-service file should not scroll for a minute. */
const MAX_PRINTED = 20;

function report(io: Io, diagnostics: readonly Diagnostic[], opts: CommonOpts): void {
  const shown = diagnostics.filter((d) => !opts.quiet || d.severity === 'error');
  for (const d of shown.slice(0, MAX_PRINTED)) io.stderr(formatDiagnostic(d, { color: io.color && opts.color !== false }) + '\n');
  if (shown.length > MAX_PRINTED) {
    const errors = shown.slice(MAX_PRINTED).filter((d) => d.severity === 'error').length;
    io.stderr(`compose-persist: ${shown.length - MAX_PRINTED} more (${errors} errors) not shown; --format json lists them all\n`);
  }
}

function run(io: Io, files: string[], opts: CommonOpts, extra: BuildOptions = {}): { result: BuildResult; readErrors: Diagnostic[]; sources: readonly SourceFile[] } {
  const read = readAll(files);
  const { sources } = read;
  const vars = readVariables(files[0], opts.envFile, io.env ?? process.env);
  const errors = [...read.errors, ...vars.errors];
  if (errors.length) return { result: { hasBlock: false, diagnostics: errors }, readErrors: errors, sources };
  const large = sources.reduce((n, s) => n + s.text.length, 0) >= THREAD_FROM_BYTES;
  const threaded = large && io.composeCheck ? { checkCompose: io.composeCheck } : {};
  return { result: runBuild(sources, { target: opts.target, loadPatterns: readPatternDir, safePaths: opts.safePaths, variables: vars.variables, ...(opts.patterns ? { patternsDir: opts.patterns } : {}), ...threaded, ...extra }), readErrors: [], sources };
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('-f, --file <file>', 'source file, repeatable like Compose (default: compose.persist.yaml); - reads standard input', collect)
    .addOption(new Option('--target <target>', 'what the output is for').choices(TARGETS as Target[]).default('compose'))
    .addOption(new Option('--format <format>', 'diagnostics as text or JSON').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'print errors only, no warnings')
    .option('--safe-paths', 'bind sources outside the project or at sensitive host paths are errors, not warnings')
    .option('--patterns <dir>', 'directory of user-defined pattern templates (<name>.yaml.hbs)')
    .option('--no-color', 'never color the output (NO_COLOR is honoured too)')
    .option('--env-file <file>', 'variables for ${VAR} in image tags, repeatable, instead of the .env next to the first -f file (the environment wins, as in Compose)', collect);
}

/** Every command of the program, in the order help lists them (makeProgram defines each under its name). */
export const COMMAND_NAMES = ['build', 'validate', 'explain', 'init', 'diff', 'volumes', 'backup', 'restore', 'migrate', 'verify', 'patterns', 'schema'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/**
 * The command an argument list runs, when the program needs no other command to parse it:
 * argv names it first and asks for no help (help lists every command, and commander
 * suggests a near name for an unknown one: those get the whole program). Defining the
 * twelve commands with their options costs a run about a millisecond; one costs a tenth.
 */
export function commandToRun(argv: readonly string[]): CommandName | undefined {
  const first = argv[0];
  const named = COMMAND_NAMES.find((c) => c === first);
  if (!named || argv.some((a) => a === '-h' || a === '--help')) return undefined;
  return named;
}

/** The program with every command, or with the one command `only` (see commandToRun). */
export function makeProgram(io: Io, setExit: (code: number) => void, only?: CommandName): Command {
  const wanted = (name: CommandName): boolean => only === undefined || only === name;
  const program = new Command('compose-persist')
    .description('Rewrite a compose file with an x-persistence: block into plain Compose, one storage pattern per service (volume, data-container, bind, shared, plugin, none).')
    .addHelpText(
      'after',
      `
Quick start:
  compose-persist init -f docker-compose.yml -o compose.persist.yaml   # a starting block
  compose-persist build -o docker-compose.yml                          # the plain Compose file
  compose-persist explain                                              # what survives what

Exit codes: 0 ok (warnings allowed), 1 invalid input or stale output, 2 usage error, 3 internal error.
The source is compose.persist.yaml by default; 'compose-persist help build' shows a command's options.`,
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // commander's messages quote the arguments: escaped like every other line.
    .configureOutput({ writeOut: (s) => io.stdout(terminalText(s)), writeErr: (s) => io.stderr(terminalText(s)) })
    .exitOverride();

  if (wanted('build')) {
    addCommon(
      program
        .command('build')
        .description('write the plain Compose file (stdout, or -o FILE written atomically)')
        .option('-o, --output <file>', 'write here, atomically, keeping the file\'s mode and owner (recommended over > redirection); a symlink is followed and kept; only a regular file is replaced; - is standard output')
      .option('--check', 'do not write: exit 1 with a diff when --output is stale (for pre-commit and CI)'),
  )
    .addHelpText(
      'after',
      `
  Examples:
    compose-persist build -o docker-compose.yml                 # from compose.persist.yaml
    compose-persist build -f base.persist.yaml -f prod.yaml -o docker-compose.yml
    compose-persist build --check -o docker-compose.yml         # exit 1 with a diff when stale
    compose-persist build --target swarm -o stack.yml           # for docker stack deploy`,
      )
      .action(async (opts: CommonOpts & { output?: string; check?: boolean }) => {
        const files = inputFiles(opts);
        // -o - is standard output, as for most tools.
        if (opts.output === '-') {
          if (opts.check) throw new UsageError('--check compares with the file given by -o/--output; -o - (standard output) is no file to compare with');
          delete opts.output;
        }
        if (opts.check && !opts.output) throw new UsageError('--check compares with the file given by -o/--output; give one');
        if (opts.output && files.some((f) => sameFile(f, opts.output!))) throw new UsageError(`the output ${opts.output} is also an input: that would overwrite the source`);
        if (!opts.output && files.some((f) => stdoutIsFile(f))) throw new UsageError('standard output is redirected into an input file, which the shell has already emptied; use -o FILE');
        const { result } = run(io, files, opts);
        const diagnostics = [...result.diagnostics];
        if (opts.output) {
          const output = opts.output;
          const outputInPatternsDir = !opts.check && result.patternsDir !== undefined && insideDir(output, result.patternsDir);
          diagnostics.push(...outputPlacementProblems({ output, firstInput: files[0]!, ...(result.patternsDir !== undefined ? { patternsDir: result.patternsDir } : {}), outputInPatternsDir, built: result.text !== undefined, relativePaths: Boolean(result.relativePaths) }));
        }
        // Without an output there is nothing to write or compare: exit 1 on that, as on an error.
        const outcome: Outcome = result.text === undefined ? 'failed' : 'done';
        if (opts.check) {
          const existing = readExisting(opts.output!);
          if ('error' in existing) diagnostics.push(existing.error);
          const current = 'text' in existing ? existing.text : undefined;
          const rebuild = shellCommand(['compose-persist', 'build', ...files.flatMap((f) => ['-f', f]), ...(targetFacts(opts.target).isDefault ? [] : ['--target', opts.target]), ...(opts.patterns ? ['--patterns', opts.patterns] : []), '-o', opts.output!]);
          // Only a built output, with no errors before, can be compared with the file.
          const stale = hasErrors(diagnostics) || result.text === undefined ? undefined : staleOutput({ file: opts.output!, built: result.text, current, rebuild, projectEnv: process.env.COMPOSE_PROJECT_NAME });
          if (stale) diagnostics.push(...stale.findings);
          const all = stale ? [...diagnostics, stale.stale] : diagnostics;
          if (opts.format === 'json') {
            // JSON says stale: true instead of listing STALE_OUTPUT (scripts read that field).
            io.stdout(JSON.stringify({ ok: exitCode(all, outcome) === EXIT.ok, stale: stale !== undefined, diagnostics: JSON.parse(diagnosticsToJson(diagnostics)) }, null, 2) + '\n');
          } else {
            // STALE_OUTPUT last and always shown, past the screenful of other findings.
            report(io, diagnostics, opts);
            if (stale) report(io, [stale.stale], opts);
            if (stale) io.stdout(terminalText(await unifiedDiff(opts.output!, current ?? '', result.text!)));
          }
          setExit(exitCode(all, outcome));
          return;
        }
        // JSON: the report on stdout, unless stdout carries the generated file (then on stderr).
        // (printed after the write: a failed write prints its own, with the FILE_WRITE error).
        const failed = exitCode(diagnostics, outcome) !== EXIT.ok;
        const json = (): string => JSON.stringify({ ok: !failed, diagnostics: JSON.parse(diagnosticsToJson(diagnostics)) }, null, 2) + '\n';
        if (opts.format !== 'json') report(io, diagnostics, opts);
        if (failed) {
          if (opts.format === 'json') io.stdout(json());
          setExit(exitCode(diagnostics, outcome));
          return;
        }
        const writeFailed = opts.output ? await writeAtomic(opts.output, result.text!) : (io.stdout(result.text!), undefined);
        if (writeFailed) {
          if (opts.format === 'json') io.stdout(JSON.stringify({ ok: false, diagnostics: JSON.parse(diagnosticsToJson([...diagnostics, writeFailed.error])) }, null, 2) + '\n');
          else io.stderr(formatDiagnostic(writeFailed.error, { color: io.color && opts.color !== false }) + '\n');
          setExit(exitCode([...diagnostics, writeFailed.error], writeFailed.signal ? { interrupted: writeFailed.signal } : 'failed'));
          return;
        }
        if (opts.format === 'json') (opts.output ? io.stdout : io.stderr)(json());
        setExit(exitCode(diagnostics, 'done'));
      });
  }

  if (wanted('validate')) {
    addCommon(program.command('validate').description('check the source without writing anything (exit 1 on errors)')).action((opts: CommonOpts) => {
      const { result } = run(io, inputFiles(opts), opts, { planOnly: true });
      if (opts.format === 'json') io.stdout(JSON.stringify({ ok: !hasErrors(result.diagnostics), diagnostics: JSON.parse(diagnosticsToJson(result.diagnostics)) }, null, 2) + '\n');
      else {
        report(io, result.diagnostics, opts);
        if (!hasErrors(result.diagnostics) && !opts.quiet) io.stderr(`ok: ${result.hasBlock ? `${result.plan?.services.length ?? 0} service(s) with persistence` : `no persistence block; the file passes through unchanged${ownMountsSummary(result.plan)}`}\n`);
      }
      setExit(exitCode(result.diagnostics, 'done'));
    });
  }

  if (wanted('explain')) {
    addCommon(program.command('explain').description('per service: pattern, level, what survives an upgrade and a host loss, what is generated')).action((opts: CommonOpts) => {
      const { result } = run(io, inputFiles(opts), opts, { planOnly: true });
      if (opts.format === 'json') {
        io.stdout(JSON.stringify({ ok: !hasErrors(result.diagnostics), target: opts.target, services: result.plan ? explainRows(result.plan) : [], diagnostics: JSON.parse(diagnosticsToJson(result.diagnostics)) }, null, 2) + '\n');
      } else {
        report(io, result.diagnostics, opts);
        if (!result.hasBlock && !hasErrors(result.diagnostics)) io.stdout(`no persistence block: nothing is generated${result.plan?.unlisted?.length ? "; each service's own mounts:" : ''}\n`);
        if (result.plan && (result.hasBlock || result.plan.unlisted?.length)) io.stdout(explainTable(result.plan) + '\n');
      }
      setExit(exitCode(result.diagnostics, 'done'));
    });
  }

  if (wanted('init')) {
    program
      .command('init')
      .description('write a starting x-persistence block for the stateful services of a plain compose file')
      .option('-f, --file <file>', 'the plain compose file (default: compose.yaml, docker-compose.yml, ...)')
      .option('-o, --output <file>', 'write the extended file here (atomically, as build -o: mode kept, a symlink followed and kept, only a regular file replaced) instead of stdout')
    .option('-w, --write', 'add the block to the input file in place, keeping its comments and layout')
    .option('--pattern <pattern>', 'default pattern for the block', 'volume')
    .option('--adopt', "move a service's own named volume or bind of its image's data path into the block (same volume name or host path: the data stays where it is)")
    .option('--env-file <file>', 'variables for ${VAR} in image tags, repeatable, instead of the .env next to the input (the environment wins, as in Compose)', collect)
    .addHelpText('after', `
A data path a service already mounts itself is reported as kept, and left as it is unless
--adopt moves it into the block. With nothing to add, the block is still written (listing what
is kept), so that build works on the result.

  Examples:
    compose-persist init -f docker-compose.yml -o compose.persist.yaml
    compose-persist init --adopt -f docker-compose.yml -o compose.persist.yaml
    git mv docker-compose.yml compose.persist.yaml && compose-persist init --write -f compose.persist.yaml`)
      .action(async (opts: { file?: string; output?: string; write?: boolean; pattern: string; adopt?: boolean; envFile?: string[] }) => {
        const { initBlock, initPatternRefusal } = await import('../init/init.js');
        if (opts.output === '-') delete opts.output;
        if (opts.write && opts.output) throw new UsageError('give -o FILE or --write, not both');
        if (opts.write && opts.file === '-') throw new UsageError('--write edits the input file in place; standard input (-f -) is no file to edit');
        const refusal = initPatternRefusal(opts.pattern);
        if (refusal) throw new UsageError(`--pattern ${opts.pattern}: ${refusal}`);
        const file = opts.file ?? PLAIN_INPUTS.find((f) => existsSync(f));
        if (!file) throw new UsageError(`no input: give -f FILE (looked for ${PLAIN_INPUTS.join(', ')})`);
        if (opts.output && sameFile(file, opts.output)) throw new UsageError('-o names the input; use --write to edit it in place');
        const read = readSource(file);
        if ('error' in read) {
          io.stderr(formatDiagnostic(read.error) + '\n');
          setExit(exitCode([read.error], 'failed'));
          return;
        }
        const vars = readVariables(file, opts.envFile, io.env ?? process.env);
        if (vars.errors.length) {
          io.stderr(vars.errors.map((d) => formatDiagnostic(d) + '\n').join(''));
          setExit(exitCode(vars.errors, 'failed'));
          return;
        }
        const r = initBlock(read.file, { pattern: opts.pattern, variables: vars.variables, ...(opts.adopt ? { adopt: true } : {}) });
        io.stderr(r.diagnostics.map((d) => formatDiagnostic(d) + '\n').join(''));
        if (hasErrors(r.diagnostics)) {
          setExit(exitCode(r.diagnostics, 'done'));
          return;
        }
        // No text and no error: a bug of init.
        if (!r.text) {
          setExit(exitCode(r.diagnostics, 'internal'));
          return;
        }
        if (!r.services.length && !r.persisted.length) io.stderr(`${oneLine(file)}: no stateful image recognised; nothing to add, the block is empty (compose-persist patterns lists what a block can say)\n`);
        for (const p of r.persisted) io.stderr(`${oneLine(p.adopted ? `init: ${p.service} (${p.image}): ${p.target} adopted into the block (its own ${p.note}, level ${p.level}: the data stays where it is)` : `init: ${p.service} (${p.image}): ${p.target} already kept by its own ${p.note} (level ${p.level}); --adopt moves it into the block`)}\n`);
        for (const s of r.services) if (s.mounts.length) io.stderr(`${oneLine(`init: ${s.service} (${s.image}): ${s.mounts.join(', ')}`)}\n`);
        const to = opts.write ? file : opts.output;
        const writeFailed = to !== undefined ? await writeAtomic(to, r.text) : (io.stdout(r.text), undefined);
        if (writeFailed) io.stderr(formatDiagnostic(writeFailed.error) + '\n');
        setExit(writeFailed ? exitCode([...r.diagnostics, writeFailed.error], writeFailed.signal ? { interrupted: writeFailed.signal } : 'failed') : exitCode(r.diagnostics, 'done'));
      });
  }

  if (wanted('diff')) {
    addCommon(
      program
        .command('diff')
        .description('what a change of the persistence setup does to existing data (renamed volumes, volume -> bind, dropped mounts)')
      .argument('<old>', 'the previous file: a generated compose file or its extended source')
      .argument('<new>', 'the new file, of either kind')
      .option('-p, --project-name <name>', 'the Compose project (default as Compose derives it from NEW): decides whether a kept volume is the one a managed volume was'),
    )
      .addHelpText('after', `
  Examples:
    git show HEAD:docker-compose.yml > /tmp/old.yml && compose-persist diff /tmp/old.yml compose.persist.yaml
  Exit 0 when no data is left behind, 1 when some is (or an input is invalid).`)
      .action((oldFile: string, newFile: string, opts: CommonOpts & { projectName?: string }) => {
        if (oldFile === '-' && newFile === '-') throw new UsageError('- (standard input) can be only one of OLD and NEW');
        const built = [oldFile, newFile].map((f) => run(io, [f], opts));
        const errors = built.flatMap((b) => b.result.diagnostics.filter((d) => d.severity === 'error'));
        if (errors.length || built.some((b) => b.result.text === undefined)) {
          if (opts.format === 'json') io.stdout(JSON.stringify({ ok: false, diagnostics: JSON.parse(diagnosticsToJson(built.flatMap((b) => b.result.diagnostics))) }, null, 2) + '\n');
          else report(io, errors, opts);
          setExit(exitCode(errors, 'failed'));
          return;
        }
        const project = outputProject(loadOutput(built[1]!.result.text!, newFile), newFile, { flag: opts.projectName, env: process.env.COMPOSE_PROJECT_NAME });
        if ('error' in project) throw new UsageError(project.error);
        const found = dataLeftBehind({ old: { file: oldFile, text: built[0]!.result.text! }, new: { file: newFile, text: built[1]!.result.text! }, project: project.name, sources: [...built[0]!.sources, ...built[1]!.sources] });
        if (opts.format === 'json') io.stdout(JSON.stringify({ ok: found.length === 0, diagnostics: JSON.parse(diagnosticsToJson(found)) }, null, 2) + '\n');
        else {
          report(io, found, { ...opts, quiet: false });
          if (!found.length) io.stderr('ok: every mount keeps its data\n');
        }
        // Any finding, a warning too, is data left behind: exit 1.
        setExit(exitCode(found, found.length ? 'failed' : 'done'));
      });
  }

  if (wanted('volumes')) {
    const volumes = program.command('volumes').description('the volumes of kept mounts (keep: true)');
    addOps(volumes.command('create').description('create the missing external volumes of kept mounts with their driver, options and labels (idempotent)'))
      .option('--dry-run', 'say what would be created, create nothing')
      .addHelpText('after', `
  Exit 0 when every kept volume exists as the file describes it, 1 when one exists with other options or cannot be created.`)
      .action(async (opts: OpsOpts & { dryRun?: boolean }) => {
        const ctx = await opsContext(io, opts);
        if (!ctx) return setExit(exitCode([], 'failed'));
        const { volumesCreate } = await import('../ops/volumes.js');
        const r = await volumesCreate(ctx.engine, ctx.plan, ctx.project, { dryRun: opts.dryRun });
        if (!r.lines.length) io.stderr('no kept volumes (keep: true) in this file: nothing to create\n');
        for (const l of r.lines) (l.status === 'differs' || l.status === 'failed' ? io.stderr : io.stdout)(`${l.status === 'differs' || l.status === 'failed' ? 'compose-persist: error ' : ''}${l.message}\n`);
        setExit(exitCode([], r.ok ? 'done' : 'failed'));
      });
  }

  if (wanted('backup')) {
    addOps(program.command('backup').description('archive every persisted mount of the running project: one tar per mount and manifest.json'))
    .argument('[service...]', 'only these services (default: every persisted service)')
    .requiredOption('-o, --output <dir>', 'backup directory (created; must not hold a backup already)')
    .addOption(new Option('--consistency <mode>', 'stop: stop the containers using a mount while it is archived (default for database images); none: archive live').choices(['stop', 'none']))
    .option('--helper-image <image>', 'image of the helper container that runs tar', 'busybox:latest')
    .addHelpText('after', `
  Examples:
    compose-persist backup -o backups/$(date +%F)              # every persisted mount
    compose-persist backup db -o /srv/backups/db --consistency stop
  Exit 0 when every archive and manifest.json are written, 1 otherwise (no manifest.json is left: the directory is not a backup).
  Ctrl-C or SIGTERM: the helper stops at once, the containers stopped are started again, temporary files are removed, exit 1.`)
      .action(async (services: string[], opts: OpsOpts & { output: string; consistency?: 'stop' | 'none'; helperImage: string }) => {
        const ctx = await opsContext(io, opts);
        if (!ctx) return setExit(exitCode([], 'failed'));
        const [{ backup }, { nodeHostFs }] = await Promise.all([import('../ops/backup.js'), import('../engine/host-fs.js')]);
        const r = await withInterrupt((signal) => backup(ctx, nodeHostFs(), { dir: resolvePath(opts.output), services, ...(opts.consistency ? { consistency: opts.consistency } : {}), helperImage: opts.helperImage, signal, toolVersion: VERSION, holdAfterArchive: process.env.COMPOSE_PERSIST_TEST_HOOK === 'hold-archive', log: (l) => !opts.quiet && io.stderr(`${l}\n`) }));
        if (!r.ok) {
          io.stderr(`compose-persist: error ${r.error}\n`);
          return setExit(exitCode([], 'failed'));
        }
        io.stdout(`backup of ${r.manifest.archives.length} mount(s) of project ${ctx.project} in ${r.dir}\n`);
        setExit(exitCode([], 'done'));
      });
  }

  if (wanted('restore')) {
    addOps(program.command('restore').description('restore a backup into the mounts of the current build (checksums first; refuses non-empty targets without --force)'))
      .argument('<dir>', 'a backup directory (with manifest.json)')
    .argument('[service...]', 'only these services (default: every archive)')
    .option('--force', 'replace non-empty targets: back them up into DIR/pre-restore-<time>/, empty them, restore')
    .option('--dry-run', 'check the archives and say what would be done; change nothing')
    .option('--helper-image <image>', 'image of the helper container that runs tar', 'busybox:latest')
    .addHelpText('after', `
  Examples:
    compose-persist restore backups/2026-12-01 --dry-run
    compose-persist restore backups/2026-12-01 db --force
  Exit 0 when everything is restored (or, with --dry-run, would be), 1 otherwise: a checksum mismatch or a non-empty target refuses the whole restore before anything is touched.
  Ctrl-C or SIGTERM: the helper stops at once, the containers stopped are started again, volumes and directories the restore created are removed, exit 1.`)
      .action(async (dir: string, services: string[], opts: OpsOpts & { force?: boolean; dryRun?: boolean; helperImage: string }) => {
        const ctx = await opsContext(io, opts);
        if (!ctx) return setExit(exitCode([], 'failed'));
        const [{ restore }, { nodeHostFs }] = await Promise.all([import('../ops/restore.js'), import('../engine/host-fs.js')]);
        const r = await withInterrupt((signal) => restore(ctx, nodeHostFs(), { dir: resolvePath(dir), services, force: opts.force, dryRun: opts.dryRun, helperImage: opts.helperImage, signal, toolVersion: VERSION, holdAfterExtract: process.env.COMPOSE_PERSIST_TEST_HOOK === 'hold-archive', log: (l) => !opts.quiet && io.stderr(`${l}\n`) }));
        if (!r.ok) {
          io.stderr(`compose-persist: error ${r.error}\n`);
          return setExit(exitCode([], 'failed'));
        }
        for (const s of r.steps) {
          const what = `${s.entry.file} -> ${s.mount.kind} ${s.mount.source} (${s.mount.service} ${s.mount.target})`;
          io.stdout(r.dryRun ? `would restore ${what}${s.create ? ', creating it' : ''}${s.nonEmpty ? ', after a safety backup, replacing what it holds' : ''}\n` : `restored ${what}\n`);
        }
        if (r.dryRun) io.stdout('dry run: checksums match; nothing was changed\n');
        setExit(exitCode([], 'done'));
      });
  }

  if (wanted('migrate')) {
    program
      .command('migrate')
      .description('copy the data of every mount whose home changes from OLD to NEW (renamed volume, volume -> bind or shared, data-container -> volume, bind -> volume)')
      .argument('<old>', 'the previous file: a generated compose file or its extended source')
      .argument('<new>', 'the new file, of either kind')
      .option('--apply', 'copy (default: print the plan and change nothing)')
    .option('-p, --project-name <name>', 'the Compose project (default as Compose derives it from NEW)')
    .option('--helper-image <image>', 'image of the helper container that copies', 'busybox:latest')
    .option('--patterns <dir>', 'directory of user-defined pattern templates (<name>.yaml.hbs)')
    .option('-q, --quiet', 'print errors only')
    .addHelpText('after', `
Examples:
    git show HEAD:compose.persist.yaml > /tmp/old.yaml
    compose-persist migrate /tmp/old.yaml compose.persist.yaml            # the plan
    compose-persist migrate /tmp/old.yaml compose.persist.yaml --apply    # copy, compare, keep the old data
    compose-persist build -o docker-compose.yml && docker compose up -d
  Exit 0 when the plan is printed or every copy is made and verified, 1 otherwise (a non-empty target, a missing old volume, a copy that differs).`)
      .action(async (oldFile: string, newFile: string, opts: OpsOpts & { apply?: boolean; helperImage: string }) => {
        const common = { ...opts, target: 'compose' as Target, format: 'text' as const };
        const built = [oldFile, newFile].map((f) => run(io, [f], common));
        const errors = built.flatMap((b) => b.result.diagnostics.filter((d) => d.severity === 'error'));
        if (errors.length || built.some((b) => b.result.text === undefined)) {
          report(io, errors, common);
          return setExit(exitCode([], 'failed'));
        }
        const [oldOutput, newOutput] = built.map((b, i) => loadOutput(b.result.text!, [oldFile, newFile][i]!));
        const project = outputProject(newOutput, newFile, { flag: opts.projectName, env: process.env.COMPOSE_PROJECT_NAME });
        if ('error' in project) throw new UsageError(project.error);
        const { planMigration, applyMigration, deleteCommand } = await import('../ops/migrate.js');
        const { cliEngine } = await import('../engine/cli-engine.js');
        const input = { engine: cliEngine(), oldOutput, newOutput, oldBaseDir: dirname(resolvePath(oldFile)), newBaseDir: dirname(resolvePath(newFile)), project: project.name, ...(process.env.HOME ? { home: process.env.HOME } : {}) };
        const plan = planMigration(input);
        for (const b of plan.blocked) io.stderr(`compose-persist: error ${b.service} ${b.target}: volume ${b.volume} keeps its name but changes driver or options, so there is no new volume to copy into (the engine keeps the old options); give the new mount its own name: (e.g. { target: ${b.target}, name: ${b.key}-new }) and run migrate again\n`);
        if (plan.blocked.length) return setExit(exitCode([], 'failed'));
        for (const d of plan.dropped) io.stderr(`${d.service} ${d.target}: ${d.from.kind} ${d.from.source} is used by nothing in NEW: not copied; its data stays where it is\n`);
        if (!plan.copies.length) {
          io.stdout('nothing to move: every mount of NEW keeps the data it had in OLD\n');
          return setExit(exitCode([], 'done'));
        }
        for (const c of plan.copies) io.stdout(`${opts.apply ? 'copy' : 'would copy'} ${c.service} ${c.target}: ${c.from.kind} ${c.from.source} -> ${c.to.kind} ${c.to.source}${c.owner ? `, then owner ${c.owner}` : ''}\n`);
        if (!opts.apply) {
          io.stdout('plan only: nothing was changed; run again with --apply to copy\n');
          return setExit(exitCode([], 'done'));
        }
        const info = await input.engine.probe({ compose: false });
        if ('error' in info) {
          io.stderr(`compose-persist: error ${info.error}\n`);
          return setExit(exitCode([], 'failed'));
        }
        const hostFs = (await import('../engine/host-fs.js')).nodeHostFs();
        const r = await withInterrupt((signal) => applyMigration(input, plan, { helperImage: opts.helperImage, fs: hostFs, signal, log: (l) => !opts.quiet && io.stderr(`${l}\n`) }));
        if (!r.ok) {
          io.stderr(`compose-persist: error ${r.error}\n`);
          return setExit(exitCode([], 'failed'));
        }
        for (const c of r.copied) io.stdout(`the old data is kept in ${c.from.kind} ${c.from.source}; once the service runs on the new data, delete it with: ${deleteCommand(c.from)}\n`);
        io.stdout(`migrated ${r.copied.length} mount(s); next: compose-persist build -o docker-compose.yml, then docker compose up -d\n`);
        setExit(exitCode([], 'done'));
      });
  }

  if (wanted('verify')) {
    addCommon(program.command('verify').description('prove on this engine that each service keeps its data as explain claims: a throwaway project, canaries through an upgrade, a down/up and a host loss'))
      .option('--built <file>', 'run this generated file (as it is, e.g. edited by hand) instead of the one build makes; the claims stay the source\'s')
      .option('--services <list>', 'only these services of the block, comma-separated')
      .option('--run [seconds]', 'also start the services for SECONDS (default 10) and list with docker diff what they write outside their mounts')
    .option('--include-shared', 'also exercise shared-storage and plugin volumes (a canary file .compose-persist-verify-<id> is written to the real storage, then removed)')
    .option('--keep', 'leave the throwaway project and its directory, and print the commands that remove them')
    .option('--helper-image <image>', 'image of the helper container that writes and reads the canaries', 'busybox:latest')
    .option('--compose <command>', 'the Compose command (default: "docker compose", else "docker-compose")')
    .addHelpText('after', `
Nothing of the real project is touched: the generated file runs as project cpverify-<hash>, every bind
source is redirected into a temporary directory, and everything is removed at the end (also on failure,
SIGINT or SIGTERM; a second signal stops the clean-up and prints what is left).
Examples:
    compose-persist verify                                   # every service of compose.persist.yaml
    compose-persist verify --services db,cache --run 20      # also run them and look for state outside mounts
    compose-persist verify -f compose.persist.yaml --built docker-compose.yml   # the file you deploy
  Exit 0 when every observation matches explain's claims, 1 when one differs (VERIFY_MISMATCH,
  STATE_OUTSIDE_MOUNTS), a step fails (VERIFY_FAILED) or no engine is reachable (ENGINE_UNAVAILABLE), 2 on usage errors.`)
      .action(async (opts: CommonOpts & { built?: string; services?: string; run?: string | boolean; includeShared?: boolean; keep?: boolean; helperImage: string; compose?: string }) => {
        const json = opts.format === 'json';
        const fail = (code: 'VERIFY_FAILED' | 'ENGINE_UNAVAILABLE', message: string): void => {
          if (json) io.stdout(JSON.stringify({ ok: false, diagnostics: [{ code, severity: 'error', message }] }, null, 2) + '\n');
          else io.stderr(`compose-persist: error ${code} ${oneLine(message)}\n`);
          setExit(exitCode([], 'failed'));
        };
        let seconds: number | undefined;
        if (opts.run !== undefined && opts.run !== false) {
          seconds = opts.run === true ? 10 : Number(opts.run);
          if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new UsageError(`--run takes a number of seconds from 0 to 3600, not "${String(opts.run)}"`);
        }
        const only = opts.services ? opts.services.split(',').map((s) => s.trim()).filter(Boolean) : [];
        if (opts.services !== undefined && !only.length) throw new UsageError('--services takes a comma-separated list of services');
        let files = inputFiles(opts);
        let { result } = run(io, files, opts);
        let runFile = opts.built;
        // A generated file given as the input: its header names the source whose claims it is checked against.
        if (!opts.built && !result.hasBlock && !hasErrors(result.diagnostics) && files.length === 1 && files[0] !== '-') {
          const read = readSource(files[0]!);
          const sources = 'file' in read ? generatedFrom(read.file.text, files[0]!) : [];
          if (sources.length && sources.every((f) => existsSync(f))) {
            runFile = files[0]!;
            files = sources;
            result = run(io, files, opts).result;
          }
        }
        report(io, result.diagnostics.filter((d) => d.severity === 'error'), opts);
        if (hasErrors(result.diagnostics) || result.text === undefined || !result.plan) {
          if (json) io.stdout(JSON.stringify({ ok: false, diagnostics: JSON.parse(diagnosticsToJson(result.diagnostics)) }, null, 2) + '\n');
          return setExit(exitCode([], 'failed'));
        }
        if (!result.hasBlock) {
          fail('VERIFY_FAILED', `${files[0]} has no persistence block: explain claims nothing to verify (give the source, or a file build generated)`);
          return;
        }
        let output: unknown;
        if (runFile) {
          const r = readSource(runFile);
          if ('error' in r) {
            report(io, [r.error], opts);
            return setExit(exitCode([], 'failed'));
          }
          output = loadOutput(r.file.text, runFile);
        } else output = loadOutput(result.text, files[0]!);
        const { verify, unknownServices, nodeVerifyHost, verifyTable } = await import('../ops/verify.js');
        const unknown = unknownServices(result.plan, only);
        if (unknown.length) throw new UsageError(`--services: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in the persistence block (its services: ${result.plan.services.map((s) => s.service).join(', ') || 'none'})`);
        const { cliEngine } = await import('../engine/cli-engine.js');
        const engine = cliEngine(opts.compose ? { compose: opts.compose } : {});
        const steps = new AbortController();
        const cleanupAc = new AbortController();
        const onSignal = (): void => {
          if (!steps.signal.aborted) {
            io.stderr('compose-persist: interrupted: cleaning up (a second signal stops the clean-up)\n');
            steps.abort();
          } else cleanupAc.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const tty = Boolean((process.stderr as { isTTY?: boolean }).isTTY);
        let liveShown = false;
        const clearLive = (): void => {
          if (liveShown) io.stderr('\r\u001b[K');
          liveShown = false;
        };
        let rep;
        try {
          rep = await verify({
            engine, host: nodeVerifyHost(), plan: result.plan, output, file: resolvePath(files[0]!), baseDir: dirname(resolvePath(runFile ?? files[0]!)), target: opts.target,
            ...(only.length ? { services: only } : {}), includeShared: opts.includeShared ?? false, ...(seconds !== undefined ? { run: seconds } : {}), keep: opts.keep ?? false,
            helperImage: opts.helperImage, signal: steps.signal, cleanupSignal: cleanupAc.signal, ...(process.env.HOME ? { home: process.env.HOME } : {}),
            log: (l) => {
              if (opts.quiet) return;
              clearLive();
              io.stderr(`${oneLine(l)}\n`);
            },
            live: (l) => {
              if (opts.quiet || !tty) return;
              io.stderr(`\r\u001b[K${oneLine(l)}`);
              liveShown = true;
            },
          });
        } finally {
          clearLive();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        const engineDown = rep.diagnostics.find((d) => d.code === 'ENGINE_UNAVAILABLE');
        if (engineDown) return fail('ENGINE_UNAVAILABLE', engineDown.message);
        if (json) io.stdout(JSON.stringify({ ...rep, diagnostics: rep.diagnostics.map((d) => ({ ...d, severity: 'error' })) }, null, 2) + '\n');
        else {
          if (rep.rows.length) io.stdout(verifyTable(rep) + '\n');
          for (const d of rep.diagnostics) io.stderr(`compose-persist: error ${d.code} ${oneLine(d.message)}\n`);
        }
        if (!opts.quiet || !rep.cleanup.done) {
          if (rep.interrupted) io.stderr(`compose-persist: interrupted${rep.cleanup.done ? `: project ${rep.project} and its temporary directory were removed` : ''}\n`);
          if (rep.cleanup.kept) io.stderr(`kept: project ${rep.project}; to remove it:\n${rep.cleanup.commands.map((c) => `  ${c}\n`).join('')}`);
          else if (!rep.cleanup.done) io.stderr(`compose-persist: error the clean-up did not finish; left: ${rep.cleanup.left.join(', ')}; to remove it:\n${rep.cleanup.commands.map((c) => `  ${c}\n`).join('')}`);
          else if (!opts.quiet && !json) {
            const exercised = rep.rows.some((r) => Object.values(r.observed).some((o) => o === 'kept' || o === 'lost'));
            io.stderr(`${!rep.ok ? 'verify: see above' : exercised ? 'ok: every observation matches what explain claims' : 'ok: nothing was exercised (give --include-shared for shared and plugin storage)'}; project ${rep.project} removed\n`);
          }
        }
        setExit(exitCode([], rep.ok && !rep.interrupted ? 'done' : 'failed'));
      });
  }

  if (wanted('patterns')) {
    program
      .command('patterns')
      .description('list the patterns and the level each gives')
      .action(() => {
        io.stdout(patternsTable(BUILTIN_PATTERNS) + '\n');
        setExit(exitCode([], 'done'));
      });
  }

  if (wanted('schema')) {
    program
      .command('schema')
      .description('print the JSON Schema of the extended compose file (for editors), or of the block alone')
      .option('--block', 'only the x-persistence block')
      .action(async (opts: { block?: boolean }) => {
        const schema = opts.block ? (await import('../generated/persistence-schema.js')).default : (await import('../generated/extended-schema.js')).default;
        io.stdout(JSON.stringify(schema, null, 2) + '\n');
        setExit(exitCode([], 'done'));
      });
  }
  return program;
}

const VERSION = '0.1.0';

/**
 * Runs an engine operation with SIGINT/SIGTERM turned into an abort: the operation stops its
 * helper, starts again what it stopped, removes its temp files, and then the command exits 1.
 */
async function withInterrupt<T extends { ok: boolean }>(op: (signal: AbortSignal) => Promise<T>): Promise<T | { ok: false; error: string }> {
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await op(ac.signal);
    return ac.signal.aborted && r.ok ? r : ac.signal.aborted ? { ok: false, error: 'interrupted: the services were started again; no incomplete result was left under a final name' } : r;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface OpsOpts extends CommonOpts {
  projectName?: string;
}

/** Options of the commands that work on a running project: the source as build reads it, and the project. */
function addOps(cmd: Command): Command {
  return cmd
    .option('-f, --file <file>', 'source file, repeatable like Compose (default: compose.persist.yaml)', collect)
    .option('-p, --project-name <name>', 'the Compose project (default as Compose derives it: COMPOSE_PROJECT_NAME, name:, the first file\'s directory)')
    .option('--patterns <dir>', 'directory of user-defined pattern templates (<name>.yaml.hbs)')
    .option('-q, --quiet', 'print errors only, no warnings')
    .option('--no-color', 'never color the output (NO_COLOR is honoured too)');
}

interface OpsContext {
  engine: import('../engine/engine.js').Engine;
  plan: import('../model.js').Plan;
  /** The generated file's data (what Compose runs). */
  output: unknown;
  project: string;
  files: string[];
  /** Directory relative bind sources resolve against (the first file's, as Compose does). */
  baseDir: string;
}

/** Builds the source and finds the engine: undefined (after printing why) when either fails. */
async function opsContext(io: Io, opts: OpsOpts): Promise<OpsContext | undefined> {
  const files = inputFiles(opts);
  // The engine is asked while the file is built (a separate process: the two overlap).
  const { cliEngine } = await import('../engine/cli-engine.js');
  const engine = cliEngine();
  // The data commands use the Docker CLI alone: no Compose needed.
  const probing = engine.probe({ compose: false });
  const { result } = run(io, files, { ...opts, target: 'compose', format: 'text' });
  report(io, result.diagnostics.filter((d) => d.severity === 'error'), opts);
  if (hasErrors(result.diagnostics) || result.text === undefined) return undefined;
  if (!result.plan || !result.hasBlock) {
    io.stderr(`compose-persist: ${files[0]} has no persistence block: there are no persisted mounts to work on\n`);
    return undefined;
  }
  const output = loadOutput(result.text, files[0]!);
  const project = outputProject(output, files[0]!, { flag: opts.projectName, env: process.env.COMPOSE_PROJECT_NAME });
  if ('error' in project) throw new UsageError(project.error);
  const info = await probing;
  if ('error' in info) {
    io.stderr(`compose-persist: error ${info.error}\n`);
    return undefined;
  }
  return { engine, plan: result.plan, output, project: project.name, files, baseDir: dirname(resolvePath(files[0]!)) };
}

/** With --format json, stdout holds JSON even when the command line or the run fails. */
function failJson(io: Io, argv: readonly string[], code: Diagnostic['code'], message: string): void {
  const json = argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
  if (json) io.stdout(JSON.stringify({ ok: false, diagnostics: JSON.parse(diagnosticsToJson([{ code, severity: 'error', file: '', path: [], message }])) }, null, 2) + '\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = makeProgram(
    io,
    (c) => {
      code = c;
    },
    commandToRun(argv),
  );
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return exitCode([], 'done');
      failJson(io, argv, 'USAGE', e.message.replace(/^error: /, ''));
      return exitCode([], 'usage');
    }
    if (e instanceof UsageError) {
      io.stderr(`compose-persist: ${oneLine(e.message)}\n`);
      failJson(io, argv, 'USAGE', e.message);
      return exitCode([], 'usage');
    }
    if (e instanceof TooComplexError) {
      io.stderr(`compose-persist: error TOO_COMPLEX ${oneLine(e.message)}\n`);
      failJson(io, argv, 'TOO_COMPLEX', e.message);
      return exitCode([], 'failed');
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
      io.stderr(`compose-persist: ${oneLine(`${err.syscall ?? 'file'} failed: ${err.message}`)}\n`);
      failJson(io, argv, 'FILE_READ', `${err.syscall ?? 'file'} failed: ${err.message}`);
      return exitCode([], 'failed');
    }
    io.stderr(`compose-persist: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n  this is a bug; set DEBUG=compose-persist to see the stack\n`);
    failJson(io, argv, 'INTERNAL', e instanceof Error ? e.message : String(e));
    if (process.env.DEBUG?.includes('compose-persist') && e instanceof Error) io.stderr(`${e.stack}\n`);
    return exitCode([], 'internal');
  }
}
