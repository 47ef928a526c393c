/**
 * verify: the claim of `explain` turned into an observation on the user's own
 * engine. The generated file runs as a throwaway project (verify-compose.ts);
 * its containers are only created (`up --no-start`), a random canary is written
 * into every persisted mount through one helper container per group of
 * services (`--volumes-from`, so the helper sees exactly what the service's
 * container has mounted), and read back after each step:
 *
 *   upgrade    `up --no-start --force-recreate` (every container id must change)
 *   down/up    `down` (never -v), then `up --no-start`
 *   host loss  `down -v`, the temporary bind directory removed, the run's own
 *              local volumes removed; local data is then looked for with
 *              `docker volume inspect` (no Compose call); shared and plugin
 *              volumes (--include-shared) are created again and read.
 *
 * A mount that is not mounted in the container (and the `none` pattern's data)
 * gets its canary in the container's own layer (`docker cp`), which a recreate
 * loses. With `run`, the services are also started and `docker diff` lists what
 * they wrote outside every mount. Everything of the throwaway project and the
 * temporary directory is removed in a finally (a first signal interrupts the
 * steps; a second one interrupts the clean-up, and what is left is reported).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComposeTarget, Engine, EngineInfo, ExecOptions, ExecResult } from '../engine/engine.js';
import { levelRank, type Level, type Plan, type Target } from '../model.js';
import { targetFacts } from '../compose/target-facts.js';
import { BUILTIN_PATTERNS, NONE_PATTERN } from '../patterns/index.js';
import { shellCommand, shellQuote } from '../shell-quote.js';
import { oneLine } from './volumes.js';
import { renderTable } from '../explain.js';
import { CANARY_PREFIX, rewriteForVerify, throwawayName, VERIFY_LABEL, type CheckedMount, type HostKind } from './verify-compose.js';

export type Step = 'upgrade' | 'downUp' | 'hostLoss';
export const STEPS: readonly Step[] = ['upgrade', 'downUp', 'hostLoss'];
export const STEP_NAMES: Readonly<Record<Step, string>> = { upgrade: 'upgrade', downUp: 'down/up', hostLoss: 'host loss' };
/** `not run`: the run stopped (a failure, an interruption) before the step. */
export type Observation = 'kept' | 'lost' | 'not exercised' | 'not run';

/** A report row: the checked mount as the run held it (a volume, a bind, the container's own layer), its claims and what was seen. */
export interface VerifyRow extends Pick<CheckedMount, 'service' | 'pattern' | 'level' | 'target' | 'kind' | 'source' | 'shared'> {
  claims: Record<Step, 'kept' | 'lost'>;
  observed: Record<Step, Observation>;
  match: boolean;
  notes: string[];
}

export type VerifyCode = 'VERIFY_MISMATCH' | 'STATE_OUTSIDE_MOUNTS' | 'VERIFY_FAILED' | 'ENGINE_UNAVAILABLE';

export interface VerifyDiagnostic {
  code: VerifyCode;
  message: string;
  service?: string;
  target?: string;
  step?: string;
  paths?: string[];
}

export interface RunFinding {
  service: string;
  /** Paths the process wrote to its container layer, outside every mount. */
  paths: string[];
  /** The directory a mount would need to cover to keep them. */
  suggest?: string;
}

export interface VerifyReport {
  ok: boolean;
  project: string;
  /** The run's temporary directory (the throwaway file and the bind sources). */
  dir?: string;
  engine?: EngineInfo;
  rows: VerifyRow[];
  diagnostics: VerifyDiagnostic[];
  run?: { seconds: number; findings: RunFinding[] };
  cleanup: { done: boolean; kept: boolean; left: string[]; commands: string[] };
  /** Milliseconds per step. */
  timings: { step: string; ms: number }[];
  interrupted: boolean;
}

/** The host side: the temporary directory and the bind sources (a fake in unit tests). */
export interface VerifyHost {
  tmpdir: string;
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  kind(path: string): HostKind;
}

export interface VerifyOptions {
  engine: Engine;
  host: VerifyHost;
  plan: Plan;
  /** The generated file's data. */
  output: unknown;
  /** The source file (seeds the project name). */
  file: string;
  /** Directory relative paths of the real file resolve against (the Compose project directory: .env, build contexts). */
  baseDir: string;
  target?: Target;
  services?: readonly string[];
  includeShared?: boolean;
  /** --run SECONDS: start the services and list with docker diff what they write outside their mounts. */
  run?: number;
  keep?: boolean;
  helperImage?: string;
  /** Interrupts the steps (first SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Interrupts the clean-up (second signal). */
  cleanupSignal?: AbortSignal;
  /** Progress, one line each. */
  log?: (line: string) => void;
  /** The live line on a terminal (replaced by the next). */
  live?: (line: string) => void;
  home?: string;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_HELPER = 'busybox:latest';
const IGNORED_DIFF = [/^\/tmp(\/|$)/, /^\/run(\/|$)/, /^\/var\/run(\/|$)/, /\.pid$/, /\.sock(et)?$/, /\.lock$/, /^\/dev(\/|$)/, /^\/proc(\/|$)/, /^\/sys(\/|$)/, /^\/etc\/(hostname|hosts|resolv\.conf|mtab)$/];

class Interrupted extends Error {}
class StepFailed extends Error {}

const sleepDefault = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(t);
    resolve();
  }, { once: true });
});

/** The level a pattern gives on one Compose host (on Swarm the plan lowers unpinned ones to none for rescheduling, which one host cannot show). */
function hostLevel(pattern: string, level: Level, target: Target): Level {
  if (!targetFacts(target).schedulesAcrossNodes) return level;
  const def = BUILTIN_PATTERNS.find((p) => p.name === pattern);
  return def && def.level !== 'backend' && levelRank(def.level) > levelRank(level) ? def.level : level;
}

export function claimsOf(m: Pick<CheckedMount, 'level' | 'pattern'>, target: Target = 'compose'): Record<Step, 'kept' | 'lost'> {
  const local = hostLevel(m.pattern, m.level, target);
  const keeps = levelRank(local) >= levelRank('container');
  return { upgrade: keeps ? 'kept' : 'lost', downUp: keeps ? 'kept' : 'lost', hostLoss: m.level === 'host' ? 'kept' : 'lost' };
}

/** Services of `only` that the block does not list: a usage error. */
export function unknownServices(plan: Plan, only: readonly string[]): string[] {
  const known = new Set(plan.services.map((s) => s.service));
  return only.filter((s) => !known.has(s));
}

interface ContainerMount {
  Destination: string;
  RW?: boolean;
  Type?: string;
  Name?: string;
  Source?: string;
}

/** A one-file tar (ustar) that `docker cp - CONTAINER:/` extracts, parents created by the engine. */
export function tarOne(path: string, content: string): Buffer {
  const name = Buffer.from(path.replace(/^\/+/, ''), 'utf8');
  const data = Buffer.from(content, 'utf8');
  const header = Buffer.alloc(512, 0);
  let prefix = Buffer.alloc(0);
  let base = name;
  if (name.length > 100) {
    // ustar: the name splits at a '/' into prefix (155) and name (100).
    let cut = name.lastIndexOf(0x2f, 155);
    while (cut > 0 && name.length - cut - 1 > 100) cut = name.lastIndexOf(0x2f, cut - 1);
    if (cut <= 0) throw new Error(`path too long for a tar header: ${path}`);
    prefix = name.subarray(0, cut);
    base = name.subarray(cut + 1);
  }
  base.copy(header, 0);
  const octal = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(data.length, 12), 124, 'ascii');
  header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  prefix.copy(header, 345);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024, 0)]);
}

const covering = (mounts: readonly ContainerMount[], target: string): ContainerMount | undefined =>
  mounts.filter((m) => m.Destination === target || target.startsWith(m.Destination.replace(/\/+$/, '') + '/')).sort((a, b) => b.Destination.length - a.Destination.length)[0];

const q = (word: string): string => {
  const w = shellQuote(word);
  if (w === undefined) throw new StepFailed(`a mount target holds a control character: ${JSON.stringify(word)}`);
  return w;
};

export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const { engine, host } = options;
  const log = options.log ?? (() => undefined);
  const live = options.live ?? (() => undefined);
  const helper = options.helperImage ?? DEFAULT_HELPER;
  const target: Target = options.target ?? 'compose';
  const signal = options.signal;
  const sleep = options.sleep ?? sleepDefault;
  const random = options.random ?? Math.random;
  const report: VerifyReport = { ok: false, project: '', rows: [], diagnostics: [], cleanup: { done: false, kept: Boolean(options.keep), left: [], commands: [] }, timings: [], interrupted: false };

  const info = await engine.probe();
  if ('error' in info) {
    report.diagnostics.push({ code: 'ENGINE_UNAVAILABLE', message: info.error });
    report.cleanup.done = true;
    return report;
  }
  report.engine = info;
  const project = throwawayName(`${options.file}\0${process.pid}`, random);
  report.project = project;
  const runId = project.slice('cpverify-'.length);
  const tempDir = await host.mkdtemp(join(host.tmpdir, `${project}-`));
  report.dir = tempDir;
  const rw = rewriteForVerify({
    plan: options.plan, output: options.output, project, tempDir, baseDir: options.baseDir, probe: (p) => host.kind(p),
    ...(options.home ? { home: options.home } : {}), includeShared: options.includeShared ?? false, ...(options.services ? { services: options.services } : {}), run: options.run !== undefined,
  });
  const composeFile = join(tempDir, 'compose.verify.json');
  const ctarget: ComposeTarget = { project, files: [composeFile], projectDirectory: options.baseDir };
  const createdVolumes: string[] = [];
  /** Anonymous volumes the containers got (images' VOLUME): not labelled, so removed by name. */
  const anonymous = new Set<string>();

  const opt = (extra: ExecOptions = {}): ExecOptions => (signal ? { ...extra, signal } : extra);
  const checkAbort = (): void => {
    if (signal?.aborted) throw new Interrupted('interrupted');
  };
  const composeStep = async (args: string[], what: string): Promise<ExecResult> => {
    checkAbort();
    const r = await engine.compose(ctarget, args, opt());
    checkAbort();
    if (r.code !== 0) throw new StepFailed(`${what}: ${info.compose.join(' ')} ${args.join(' ')} failed: ${oneLine(r.stderr) || `exit ${r.code}`}`);
    return r;
  };
  const docker = async (args: string[], what: string, extra: ExecOptions = {}): Promise<ExecResult> => {
    checkAbort();
    const r = await engine.docker(args, opt(extra));
    checkAbort();
    if (r.code !== 0) throw new StepFailed(`${what}: docker ${args.slice(0, 2).join(' ')} failed: ${oneLine(r.stderr) || `exit ${r.code}`}`);
    return r;
  };
  const timed = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    live(`verify ${project}: ${step}...`);
    try {
      return await f();
    } finally {
      report.timings.push({ step, ms: Date.now() - t0 });
    }
  };

  /** The checked services that are created (one whose every mount is not exercised is left out). */
  const created = rw.checked.filter((s) => rw.services.includes(s));
  // The rows: every checked mount, claims first.
  const mounts: CheckedMount[] = [...rw.mounts];
  const canary = new Map<string, string>();
  const rowOf = new Map<string, VerifyRow>();
  const addRow = (m: CheckedMount, note?: string): void => {
    const claims = claimsOf(m, target);
    const na = m.notExercised !== undefined;
    const row: VerifyRow = {
      service: m.service, pattern: m.pattern, level: m.level, target: m.target, kind: m.kind, ...(m.source ? { source: m.source } : {}), shared: m.shared,
      claims, observed: { upgrade: na ? 'not exercised' : 'not run', downUp: na ? 'not exercised' : 'not run', hostLoss: na ? 'not exercised' : 'not run' }, match: true,
      notes: [...(m.notExercised ? [m.notExercised] : []), ...(m.note ? [m.note] : []), ...(note ? [note] : [])],
    };
    report.rows.push(row);
    rowOf.set(m.id, row);
    canary.set(m.id, randomBytes(8).toString('hex'));
  };
  mounts.forEach((m) => addRow(m));
  const canaryPath = (m: CheckedMount): string => `${m.target === '/' ? '' : m.target}/${CANARY_PREFIX}${runId}-${m.id}`;

  let ids = new Map<string, string>();
  let layout = new Map<string, ContainerMount[]>();
  const containers = async (): Promise<Map<string, string>> => {
    const r = await docker(['ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}} {{.Label "com.docker.compose.service"}}'], 'listing the containers');
    const m = new Map<string, string>();
    for (const line of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const [id, service] = line.split(' ');
      if (id && service) m.set(service, id);
    }
    for (const s of created) if (!m.has(s)) throw new StepFailed(`Compose created no container for service ${s}`);
    return m;
  };

  /** Groups of services whose containers' mounts do not collide: one helper joins each group. */
  let groups: string[][] = [];
  const plan = (): void => {
    for (const m of mounts) {
      if (m.notExercised || m.kind === 'layer') continue;
      const c = covering(layout.get(m.service) ?? [], m.target);
      if (!c) {
        const row = rowOf.get(m.id)!;
        row.notes.push(`nothing is mounted at ${m.target} in the container: its data is in the container's own layer`);
        m.kind = 'layer';
        row.kind = 'layer';
      }
    }
    // none: also the anonymous volumes of the image's VOLUME declarations (Compose carries them over a recreate).
    for (const s of rw.checked) {
      const sp = options.plan.services.find((p) => p.service === s);
      if (sp?.pattern !== NONE_PATTERN) continue;
      for (const c of layout.get(s) ?? []) {
        if (c.Type === 'volume' && /^[0-9a-f]{64}$/.test(c.Name ?? '')) {
          const m: CheckedMount = { id: `m${mounts.length}`, service: s, pattern: sp.pattern, level: sp.level, target: c.Destination, kind: 'volume', source: c.Name!, shared: false };
          mounts.push(m);
          addRow(m, `an anonymous volume of the image (VOLUME ${c.Destination})`);
        }
      }
    }
    const helperServices = [...new Set(mounts.filter((m) => !m.notExercised && m.kind !== 'layer').map((m) => m.service))];
    groups = [];
    const dests: Set<string>[] = [];
    for (const s of helperServices) {
      const own = (layout.get(s) ?? []).map((c) => c.Destination);
      const i = dests.findIndex((d) => own.every((x) => !d.has(x)));
      if (i >= 0) {
        groups[i]!.push(s);
        own.forEach((x) => dests[i]!.add(x));
      } else {
        groups.push([s]);
        dests.push(new Set(own));
      }
    }
  };

  let helperN = 0;
  const helperRun = async (services: readonly string[], script: string, what: string, rw_: boolean, extra: readonly string[] = []): Promise<string> => {
    const args = ['run', '--rm', '--name', `${project}-helper-${helperN++}`, '--label', `${VERIFY_LABEL}=${project}`, '--network', 'none', ...extra];
    for (const s of services) args.push('--volumes-from', `${ids.get(s)!}${rw_ ? ':rw' : ''}`);
    args.push('--entrypoint', 'sh', helper, '-c', script);
    return (await docker(args, what)).stdout;
  };

  const writeCanaries = async (only: (m: CheckedMount) => boolean = () => true): Promise<void> => {
    // A read-only mount is written through its source (the volume or the bind's host path), mounted
    // read-write at /wN into the first helper: one helper per group of services, no more.
    const readOnly: { m: CheckedMount; c: ContainerMount }[] = [];
    const scripts: { g: string[]; lines: string[] }[] = [];
    for (const g of groups) {
      const own = mounts.filter((m) => g.includes(m.service) && !m.notExercised && m.kind !== 'layer' && only(m));
      const lines: string[] = [];
      for (const m of own) {
        const c = covering(layout.get(m.service) ?? [], m.target);
        if (c && c.RW === false) readOnly.push({ m, c });
        else lines.push(`mkdir -p ${q(m.target)}`, `printf %s ${canary.get(m.id)!} > ${q(canaryPath(m))}`);
      }
      scripts.push({ g, lines });
    }
    const extra: string[] = [];
    readOnly.forEach(({ m, c }, i) => {
      extra.push('-v', `${c.Type === 'volume' ? c.Name! : c.Source!}:/w${i}`);
      const rel = m.target === c.Destination ? '' : m.target.slice(c.Destination.replace(/\/+$/, '').length);
      scripts[0]!.lines.push(`mkdir -p ${q(`/w${i}${rel}`)}`, `printf %s ${canary.get(m.id)!} > ${q(`/w${i}${rel}/${CANARY_PREFIX}${runId}-${m.id}`)}`);
    });
    for (const [i, { g, lines }] of scripts.entries()) {
      if (!lines.length) continue;
      await helperRun(g, ['set -e', ...lines].join('\n'), `writing the canaries of ${g.join(', ')}`, true, i === 0 ? extra : []);
    }
    for (const m of mounts.filter((x) => x.kind === 'layer' && !x.notExercised && only(x))) {
      await docker(['cp', '-', `${ids.get(m.service)!}:/`], `writing the canary of ${m.service} ${m.target} into its container`, { input: tarOne(canaryPath(m), canary.get(m.id)!) });
    }
  };

  const readCanaries = async (only: (m: CheckedMount) => boolean): Promise<Map<string, boolean>> => {
    const seen = new Map<string, boolean>();
    for (const g of groups) {
      const own = mounts.filter((m) => g.includes(m.service) && !m.notExercised && m.kind !== 'layer' && only(m));
      if (!own.length) continue;
      const script = own.map((m) => `if [ -f ${q(canaryPath(m))} ]; then printf '%s %s\\n' ${m.id} "$(cat ${q(canaryPath(m))})"; else echo ${m.id} -; fi`).join('\n');
      const out = await helperRun(g, script, `reading the canaries of ${g.join(', ')}`, false);
      const got = new Map(out.split('\n').map((l) => l.trim().split(' ') as [string, string]).filter((p) => p.length === 2));
      for (const m of own) seen.set(m.id, got.get(m.id) === canary.get(m.id));
    }
    for (const m of mounts.filter((x) => x.kind === 'layer' && !x.notExercised && only(x))) {
      checkAbort();
      const r = await engine.docker(['cp', `${ids.get(m.service)!}:${canaryPath(m)}`, '-'], opt());
      checkAbort();
      seen.set(m.id, r.code === 0 && r.stdout.includes(canary.get(m.id)!));
    }
    return seen;
  };

  const record = (step: Step, seen: ReadonlyMap<string, boolean>): void => {
    for (const [id, kept] of seen) rowOf.get(id)!.observed[step] = kept ? 'kept' : 'lost';
    for (const s of rw.checked) {
      const rows = mounts.filter((m) => m.service === s && seen.has(m.id)).map((m) => {
        const got = seen.get(m.id) ? 'kept' : 'lost';
        const claim = rowOf.get(m.id)!.claims[step];
        return `${m.target} ${got === claim ? got : `${got.toUpperCase()} (claims ${claim})`}`;
      });
      if (rows.length) log(`${STEP_NAMES[step]}: ${s}: ${rows.join(', ')}`);
    }
  };

  const exercisedLocal = (m: CheckedMount): boolean => !m.notExercised && !m.shared;
  const exercisedShared = (m: CheckedMount): boolean => !m.notExercised && m.shared;

  let failure: string | undefined;
  try {
    // Prepare: the file, the bind sources, the kept volumes.
    await host.writeFile(composeFile, JSON.stringify(rw.compose, null, 2) + '\n');
    await host.mkdir(join(tempDir, 'binds'));
    for (const b of rw.binds) {
      if (b.make === 'copy') await host.copy(b.real, b.path);
      else await host.mkdir(b.path);
    }
    for (const v of rw.volumesToCreate) {
      const args = ['volume', 'create', '--driver', v.driver, '--label', `${VERIFY_LABEL}=${project}`];
      for (const [k, val] of Object.entries(v.options)) args.push('--opt', `${k}=${val}`);
      await docker([...args, v.name], `creating volume ${v.name}`);
      createdVolumes.push(v.name);
    }
    log(`verify: throwaway project ${project}, directory ${tempDir}`);
    for (const m of mounts.filter((x) => x.notExercised)) log(`${m.service} ${m.target}: not exercised (${m.notExercised})`);
    if (!rw.services.length) log('nothing to create: every checked mount is on storage that is not exercised');
    else await steps();
  } catch (e) {
    if (e instanceof Interrupted || signal?.aborted) {
      report.interrupted = true;
      failure = 'interrupted';
    } else if (e instanceof StepFailed) failure = e.message;
    else failure = `internal: ${e instanceof Error ? e.message : String(e)}`;
    if (!report.interrupted) report.diagnostics.push({ code: 'VERIFY_FAILED', message: failure });
  } finally {
    await cleanup();
  }

  // Verdicts: every exercised observation against its claim.
  if (!failure) {
    for (const row of report.rows) {
      for (const step of STEPS) {
        const seen = row.observed[step];
        if (seen === 'not exercised' || seen === 'not run' || seen === row.claims[step]) continue;
        row.match = false;
        report.diagnostics.push({
          code: 'VERIFY_MISMATCH', service: row.service, target: row.target, step: STEP_NAMES[step],
          message: `${row.service} ${row.target}: explain claims pattern ${row.pattern} (level ${row.level}) ${row.claims[step] === 'kept' ? 'keeps' : 'loses'} the data on ${STEP_NAMES[step]}, but the canary was ${seen}${row.notes.length ? ` (${row.notes.join('; ')})` : ''}`,
        });
      }
    }
  }
  report.ok = !failure && report.diagnostics.length === 0;
  return report;

  async function steps(): Promise<void> {

    await timed(options.run !== undefined ? 'run' : 'create', async () => {
      // --run: the services start first with their real process (canaries written before would be in
      // its way, e.g. initdb refuses a non-empty directory); they are killed after docker diff.
      if (options.run !== undefined) await composeStep(['up', '-d'], 'starting the services (--run)');
      else await composeStep(['up', '--no-start'], 'creating the containers');
      ids = await containers();
      const r = await docker(['inspect', '--format', '{{.Id}} {{json .Mounts}}', ...new Set(ids.values())], 'inspecting the containers');
      const byId = new Map(r.stdout.split('\n').filter(Boolean).map((l) => {
        const sp = l.indexOf(' ');
        return [l.slice(0, sp), JSON.parse(l.slice(sp + 1)) as ContainerMount[] | null] as const;
      }));
      layout = new Map([...ids].map(([s, id]) => [s, byId.get(id) ?? []]));
      for (const ms of byId.values()) for (const c of ms ?? []) if (c.Type === 'volume' && /^[0-9a-f]{64}$/.test(c.Name ?? '')) anonymous.add(c.Name!);
      if (options.run !== undefined) await runPhase();
      plan();
      await writeCanaries();
      log(`create: ${rw.checked.length} service(s), ${mounts.filter((m) => !m.notExercised).length} canary(ies) written`);
    });

    await timed('upgrade', async () => {
      const before = new Map(ids);
      await composeStep(['up', '--no-start', '--force-recreate'], 'upgrade (recreating the containers)');
      ids = await containers();
      for (const s of created) if (before.get(s) === ids.get(s)) throw new StepFailed(`upgrade: the container of ${s} was not recreated`);
      record('upgrade', await readCanaries(() => true));
    });

    await timed('down/up', async () => {
      await composeStep(['down'], 'down');
      await composeStep(['up', '--no-start'], 'up after down');
      ids = await containers();
      record('downUp', await readCanaries(() => true));
    });


    await timed('host loss', async () => {
      await composeStep(['down', '-v'], 'host loss (down -v)');
      await host.remove(join(tempDir, 'binds'));
      for (const v of [...createdVolumes]) {
        const r = await engine.docker(['volume', 'rm', v], opt());
        if (r.code === 0) createdVolumes.splice(createdVolumes.indexOf(v), 1);
      }
      const seen = new Map<string, boolean>();
      const localVolumes = mounts.filter((m) => exercisedLocal(m) && m.kind === 'volume');
      if (localVolumes.length) {
        // What this host held goes with it: a local volume down -v left is removed too; one that is still there kept its data.
        const r = await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`], 'listing volumes');
        const left = new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
        for (const m of localVolumes) {
          if (left.has(m.source!) && (await engine.docker(['volume', 'rm', m.source!], opt())).code === 0) left.delete(m.source!);
          seen.set(m.id, left.has(m.source!));
        }
      }
      for (const m of mounts.filter((x) => exercisedLocal(x) && x.kind === 'bind')) seen.set(m.id, await host.exists(join(m.source!, canaryPath(m).slice(m.target === '/' ? 0 : m.target.length))));
      for (const m of mounts.filter((x) => exercisedLocal(x) && x.kind === 'layer')) seen.set(m.id, false);
      const shared = mounts.filter(exercisedShared);
      if (shared.length) {
        await composeStep(['up', '--no-start'], 'host loss: creating the shared volumes again');
        ids = await containers();
        for (const [k, v] of await readCanaries(exercisedShared)) seen.set(k, v);
        // The canaries on real storage are removed.
        for (const g of groups) {
          const own = shared.filter((m) => g.includes(m.service));
          if (own.length) await helperRun(g, own.map((m) => `rm -f ${q(canaryPath(m))}`).join('\n'), 'removing the canaries from shared storage', true);
        }
        await composeStep(['down', '-v'], 'host loss: down -v');
      }
      record('hostLoss', seen);
    });
  }

  async function runPhase(): Promise<void> {
    const seconds = options.run!;
    log(`run: ${created.join(', ')} started; running ${seconds} s`);
    await sleep(seconds * 1000, signal);
    checkAbort();
    const findings: RunFinding[] = [];
    for (const s of created) {
      const r = await docker(['diff', ids.get(s)!], `docker diff of ${s}`);
      const dests = (layout.get(s) ?? []).map((c) => c.Destination);
      const own = mounts.filter((m) => m.service === s && m.kind === 'layer').map((m) => canaryPath(m));
      const changed = r.stdout.split('\n').map((l) => /^([ACD]) (.+)$/.exec(l.trim())).filter((x): x is RegExpExecArray => x !== null);
      const paths = changed.filter(([, t, p]) => t !== 'D' && !IGNORED_DIFF.some((re) => re.test(p!)) && !own.includes(p!) && !dests.some((d) => p === d || p!.startsWith(d + '/') || d.startsWith(p + '/')))
        .map(([, , p]) => p!);
      // (a parent of a mount point is the engine's, made for the mount.) Only the leaves: a changed
      // directory whose entries are listed is not a finding of its own.
      const leaves = paths.filter((p) => !paths.some((o) => o !== p && o.startsWith(p + '/')));
      const added = new Set(changed.filter(([, t]) => t === 'A').map(([, , p]) => p!));
      if (!leaves.length) {
        log(`run: ${s}: nothing written outside its mounts`);
        continue;
      }
      const f: RunFinding = { service: s, paths: leaves, ...(suggestMount(leaves, added, dests) ? { suggest: suggestMount(leaves, added, dests)! } : {}) };
      findings.push(f);
      const sp = options.plan.services.find((p) => p.service === s);
      const level = sp ? hostLevel(sp.pattern, sp.level, target) : 'none';
      const shown = leaves.slice(0, 10).join(', ') + (leaves.length > 10 ? `, ... (${leaves.length} in all)` : '');
      if (levelRank(level) >= levelRank('container')) {
        report.diagnostics.push({
          code: 'STATE_OUTSIDE_MOUNTS', service: s, step: 'run', paths: leaves,
          message: `${s}: its process wrote outside every mount, into the container's layer, which an upgrade loses: ${shown}${f.suggest ? `; a mount at ${f.suggest} would keep it${dests.length ? ` (mounted: ${dests.join(', ')})` : ''}` : ''}`,
        });
      } else log(`run: ${s}: wrote outside its mounts (pattern ${sp?.pattern ?? '-'}, level none: lost on upgrade as claimed): ${shown}`);
    }
    report.run = { seconds, findings };
    // Stopped at once: the steps that follow only need the containers and their mounts.
    const running = (await docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`], 'listing the running containers')).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (running.length) await engine.docker(['kill', ...running], opt());
  }

  async function cleanup(): Promise<void> {
    const left: string[] = [];
    const quoted = (parts: string[]): string => shellCommand(parts) ?? parts.join(' ');
    const commands = [
      `docker ps -aq --filter label=com.docker.compose.project=${project} | xargs -r docker rm -f`,
      `docker ps -aq --filter label=${VERIFY_LABEL}=${project} | xargs -r docker rm -f`,
      `docker volume ls -q --filter label=com.docker.compose.project=${project} | xargs -r docker volume rm`,
      ...createdVolumes.map((v) => quoted(['docker', 'volume', 'rm', v])),
      `docker network ls -q --filter label=com.docker.compose.project=${project} | xargs -r docker network rm`,
      ...[...anonymous].map((v) => `docker volume rm ${v}`),
      quoted(['rm', '-rf', tempDir]),
    ];
    if (options.keep) {
      report.cleanup = { done: false, kept: true, left: [`project ${project}`, `directory ${tempDir}`], commands };
      return;
    }
    const cs = options.cleanupSignal;
    const o = (): ExecOptions => (cs ? { signal: cs } : {});
    const list = async (args: string[]): Promise<string[]> => {
      if (cs?.aborted) return [];
      const r = await engine.docker(args, o());
      return r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [];
    };
    live(`verify ${project}: cleaning up...`);
    try {
      // Compose names the containers <project>_<service>_1 (v2: <project>-<service>-1), the helpers are <project>-helper-N.
      const ctrs = await list(['ps', '-aq', '--filter', `name=${project}`]);
      if (ctrs.length && !cs?.aborted) {
        const r = await engine.docker(['rm', '-f', '-v', ...ctrs], o());
        if (r.code !== 0) left.push(`containers ${ctrs.join(' ')}`);
      }
      // The project's volumes are <project>_<key>, the kept ones the run created too.
      const vols = [...new Set([...(await list(['volume', 'ls', '-q', '--filter', `name=${project}`])), ...createdVolumes])];
      // Anonymous volumes of the images' VOLUME declarations that `down` (without -v) left dangling.
      if (anonymous.size) {
        const present = new Set(await list(['volume', 'ls', '-q', '--filter', 'dangling=true']));
        for (const a of anonymous) if (present.has(a)) vols.push(a);
      }
      for (const v of vols) {
        if (cs?.aborted) break;
        const r = await engine.docker(['volume', 'rm', '-f', v], o());
        if (r.code !== 0) left.push(`volume ${v}`);
      }
      // Without --run every service has network_mode: none, and Compose makes no network.
      const nets = options.run !== undefined ? await list(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]) : [];
      for (const n of nets) {
        if (cs?.aborted) break;
        const r = await engine.docker(['network', 'rm', n], o());
        if (r.code !== 0) left.push(`network ${n}`);
      }
      if (!cs?.aborted) await host.remove(tempDir);
    } catch {
      // reported below as what is left
    }
    if (cs?.aborted) {
      report.cleanup = { done: false, kept: false, left: [`project ${project} (containers, volumes, networks labelled com.docker.compose.project=${project})`, `directory ${tempDir}`], commands };
      return;
    }
    report.cleanup = { done: left.length === 0, kept: false, left, commands: left.length ? commands : [] };
  }
}

/** The directory a mount would have to cover: the common parent with a mount that misses it, else the topmost directory the process created. */
export function suggestMount(paths: readonly string[], added: ReadonlySet<string>, dests: readonly string[]): string | undefined {
  const parts = (p: string): string[] => p.split('/').filter(Boolean);
  const common = (a: string[], b: string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < Math.min(a.length, b.length) && a[i] === b[i]; i++) out.push(a[i]!);
    return out;
  };
  let best: string[] | undefined;
  for (const d of dests) {
    let c: string[] | undefined;
    for (const p of paths) c = c === undefined ? common(parts(p), parts(d)) : common(c, parts(p));
    if (c && c.length >= 2 && (!best || c.length > best.length)) best = c;
  }
  if (best) return '/' + best.join('/');
  const tops = paths.map((p) => {
    const ps = parts(p);
    for (let i = 1; i <= ps.length; i++) {
      const cand = '/' + ps.slice(0, i).join('/');
      if (added.has(cand)) return cand;
    }
    return '/' + ps.slice(0, -1).join('/');
  });
  const uniq = [...new Set(tops)];
  if (uniq.length === 1 && uniq[0] !== '/') return uniq[0];
  let c: string[] | undefined;
  for (const t of uniq) c = c === undefined ? parts(t) : common(c, parts(t));
  return c && c.length ? '/' + c.join('/') : undefined;
}

/** The host side on this machine. */
export function nodeVerifyHost(): VerifyHost {
  return {
    tmpdir: tmpdir(),
    mkdtemp: (prefix) => fsp.mkdtemp(prefix),
    writeFile: (path, text) => fsp.writeFile(path, text),
    mkdir: async (path) => {
      await fsp.mkdir(path, { recursive: true });
    },
    copy: (from, to) => fsp.cp(from, to, { recursive: true, dereference: false, errorOnExist: false }),
    remove: (path) => fsp.rm(path, { recursive: true, force: true }),
    exists: async (path) => {
      try {
        await fsp.lstat(path);
        return true;
      } catch {
        return false;
      }
    },
    kind: (path) => {
      try {
        const st = statSync(path);
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSocket() ? 'socket' : 'device';
      } catch {
        return 'missing';
      }
    },
  };
}

/** The report as a table: one row per service and mount. */
export function verifyTable(report: VerifyReport): string {
  const cell = (row: VerifyRow, step: Step): string => {
    const seen = row.observed[step];
    if (seen === 'not exercised') return '-';
    if (seen === 'not run') return '?';
    return seen === row.claims[step] ? seen : `${seen.toUpperCase()} (claims ${row.claims[step]})`;
  };
  const rows = report.rows.map((r) => [
    r.service, r.target, r.pattern, r.level, cell(r, 'upgrade'), cell(r, 'downUp'), cell(r, 'hostLoss'),
    STEPS.every((s) => r.observed[s] === 'not exercised') ? 'not exercised' : STEPS.some((s) => r.observed[s] === 'not run') ? 'not run' : r.match ? 'match' : 'MISMATCH',
  ]);
  return renderTable(['SERVICE', 'MOUNT', 'PATTERN', 'CLAIMED', 'UPGRADE', 'DOWN/UP', 'HOST LOSS', 'VERDICT'], rows);
}
