/**
 * migrate OLD NEW: diff's findings (dataMoves: the targets whose data changes
 * home) turned into copies from the old home to the new one. Without apply:
 * the plan only. With it: the containers using either side are stopped (and
 * started again), a non-empty target is refused, the tree is copied with
 * owners, modes, links and the root's own entry, both trees are compared
 * (paths, types, sizes, modes, owners, link targets, sha256), the bind
 * pattern's owner: is applied, and the old data is never deleted.
 */
import type { Engine } from '../engine/engine.js';
import { dataMoves, mountReader, type DataSource } from '../check/data-safety.js';
import { asMapping } from '../yaml/plain.js';
import { inspectVolume, oneLine } from './volumes.js';
import type { HostFs } from '../engine/host-fs.js';
import { createForMount, helperRun, isEmpty, removeCreated, runningUsers, stopContainers, toMount, type PersistedMount, type Running } from './mounts.js';
import { DEFAULT_HELPER } from './backup.js';
import { shellCommand } from '../shell-quote.js';

export interface MigrateInput {
  engine: Engine;
  oldOutput: unknown;
  newOutput: unknown;
  /** Directories the old and new files' relative bind sources resolve against. */
  oldBaseDir: string;
  newBaseDir: string;
  project: string;
  home?: string;
}

export interface MigrateCopy {
  service: string;
  target: string;
  from: PersistedMount;
  to: PersistedMount;
  /** The new pattern's owner: (bind with owner), applied after the copy is verified. */
  owner?: string;
}

export interface MigratePlan {
  copies: MigrateCopy[];
  /** Data no mount of the new file uses: reported, never copied or deleted. */
  dropped: { service: string; target: string; from: PersistedMount }[];
  /**
   * A volume that keeps its engine name but changes driver or options (volume -> shared under
   * the same key): the engine keeps the old options, and there is no second volume to copy
   * into. The new mount needs its own name: first.
   */
  blocked: { service: string; target: string; volume: string; key: string }[];
}

/** The owner: of a bind service, read from its generated init service (chown -R OWNER ...). */
function bindOwner(output: unknown, service: string): string | undefined {
  for (const def of Object.values(asMapping(asMapping(output).services))) {
    const labels = asMapping(asMapping(def).labels);
    const cmd = asMapping(def).command;
    if (labels['dev.compose-persist.role'] === 'init' && labels['dev.compose-persist.service'] === service && Array.isArray(cmd) && cmd[0] === 'chown' && /^\d+:\d+$/.test(String(cmd[2]))) return String(cmd[2]);
  }
  return undefined;
}

export function planMigration(input: MigrateInput): MigratePlan {
  const copies: MigrateCopy[] = [];
  const dropped: MigratePlan['dropped'] = [];
  const moves = dataMoves(input.oldOutput, input.newOutput, input.project);
  for (const mv of moves) {
    const from = toMount(mv.service, '-', mv.target, mv.from, input.oldBaseDir, input.home);
    if (!mv.to) continue;
    const to = toMount(mv.service, '-', mv.target, mv.to, input.newBaseDir, input.home);
    // A sidecar and its service name the same move once.
    if (copies.some((c) => c.from.source === from.source && c.to.source === to.source)) continue;
    const owner = to.kind === 'bind' ? bindOwner(input.newOutput, mv.service) : undefined;
    copies.push({ service: mv.service, target: mv.target, from, to, ...(owner ? { owner } : {}) });
  }
  for (const mv of moves) {
    if (mv.to || mv.usedElsewhere) continue;
    const from = toMount(mv.service, '-', mv.target, mv.from, input.oldBaseDir, input.home);
    if (copies.some((c) => c.from.source === from.source) || dropped.some((d) => d.from.source === from.source)) continue;
    dropped.push({ service: mv.service, target: mv.target, from });
  }
  const blocked: MigratePlan['blocked'] = [];
  const blockedNames = new Set<string>();
  const oldVolumes = asMapping(asMapping(input.oldOutput).volumes);
  const newVolumes = asMapping(asMapping(input.newOutput).volumes);
  // The old file's volumes by engine name, the first mount of each (read once, not once per new mount).
  const readOld = mountReader(input.oldOutput, input.project);
  const readNew = mountReader(input.newOutput, input.project);
  const oldByEngineName = new Map<string, DataSource>();
  for (const s of Object.keys(asMapping(asMapping(input.oldOutput).services))) {
    for (const m of readOld(s).values()) if (m.kind === 'volume' && m.engineName !== undefined && !oldByEngineName.has(m.engineName)) oldByEngineName.set(m.engineName, m);
  }
  for (const [service, def] of Object.entries(asMapping(asMapping(input.newOutput).services))) {
    void def;
    for (const [target, now] of readNew(service)) {
      if (now.kind !== 'volume' || now.external) continue;
      const was = now.engineName === undefined ? undefined : oldByEngineName.get(now.engineName);
      if (!was || !(now.name in newVolumes) || !(was.name in oldVolumes)) continue;
      const opts = (x: DataSource): string => JSON.stringify({ d: x.driver ?? 'local', o: x.driverOpts ?? {} });
      if (opts(was) !== opts(now) && !blockedNames.has(now.engineName!)) {
        blockedNames.add(now.engineName!);
        blocked.push({ service, target, volume: now.engineName!, key: now.name });
      }
    }
  }
  return { copies, dropped, blocked };
}

const describe = (m: PersistedMount): string => `${m.kind} ${m.source}`;

/** The command that would delete the old data (printed, never run). */
export function deleteCommand(m: PersistedMount): string {
  return (m.kind === 'volume' ? shellCommand(['docker', 'volume', 'rm', m.source]) : shellCommand(['rm', '-rf', '--', m.source])) ?? '(by hand: the name holds a control character)';
}

/** One line per entry of the tree at DIR: path, type, mode, owner, size, link target, sha256; sorted. */
export const LIST_SCRIPT = (dir: string): string =>
  `cd ${dir} && find . | sort | while IFS= read -r f; do ` +
  `if [ -L "$f" ]; then echo "$f L $(stat -c '%a %u %g' "$f") $(readlink "$f")"; ` +
  `elif [ -d "$f" ]; then echo "$f D $(stat -c '%a %u %g' "$f")"; ` +
  `elif [ -f "$f" ]; then echo "$f F $(stat -c '%a %u %g %s' "$f") $(sha256sum "$f" | cut -d' ' -f1)"; ` +
  `else echo "$f O $(stat -c '%F %a %u %g %t %T' "$f")"; fi; done`;

/** The first line where two tree listings differ, or undefined when they are the same. */
export function firstDifference(a: string, b: string): string | undefined {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `old: ${la[i] ?? '(nothing)'} / new: ${lb[i] ?? '(nothing)'}`;
  }
  return undefined;
}

/** Why a new volume may not mount: its back-end's directory or server. */
function mountHint(to: MigrateCopy['to']): string {
  const o = to.driverOpts ?? {};
  if (o.o !== undefined && /(^|,)r?bind(,|$)/.test(o.o) && o.device) return ` (its back-end directory ${o.device} must exist on this host: is the shared storage mounted there?)`;
  if (o.type === 'nfs' || o.type === 'nfs4' || o.type === 'cifs') return ` (its ${o.type} server must answer and export the path)`;
  return '';
}

export interface ApplyOptions {
  helperImage?: string;
  /** The host's file system: a bind target that did not exist is removed again on failure. */
  fs?: Pick<HostFs, 'exists' | 'remove'>;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export type ApplyResult = { ok: true; copied: MigrateCopy[] } | { ok: false; error: string };

export async function applyMigration(input: MigrateInput, plan: MigratePlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const { engine, project } = input;
  const helper = options.helperImage ?? DEFAULT_HELPER;
  const log = options.log ?? (() => undefined);
  const sig = options.signal ? { signal: options.signal } : {};
  // Volumes this run created: removed again when it fails (they hold nothing of the user's,
  // at most a partial copy that a later `up` would take for the data).
  const created: string[] = [];
  // Bind targets that did not exist (known only with options.fs: the host's file system).
  const createdDirs: string[] = [];
  const fail = async (error: string): Promise<ApplyResult> => {
    await removeCreated(engine, options.fs, helper, { volumes: created, dirs: createdDirs }, 'migration', log);
    return { ok: false, error };
  };

  // Every source must exist and every target must be empty, before anything is stopped.
  const create: MigrateCopy[] = [];
  for (const c of plan.copies) {
    if (c.from.kind === 'volume') {
      const v = await inspectVolume(engine, c.from.source, options.signal);
      if (!v || 'error' in v) return fail(v ? v.error : `the old volume ${c.from.source} (${c.service} ${c.target}) does not exist: is project "${project}" the one that ran OLD (-p)?`);
    }
    if (c.to.kind === 'volume') {
      const v = await inspectVolume(engine, c.to.source, options.signal);
      if (v && 'error' in v) return fail(v.error);
      if (!v) {
        create.push(c);
        continue;
      }
    }
    if (c.to.kind === 'bind' && c.to.source === '/') return fail('refusing to copy into /');
    if (c.to.kind === 'bind' && options.fs && !(await options.fs.exists(c.to.source))) createdDirs.push(c.to.source);
    const empty = await isEmpty(engine, c.to.source, helper, options.signal);
    if (typeof empty === 'object') return fail(empty.error);
    if (!empty) return fail(`${describe(c.to)} (${c.service} ${c.target}) is not empty: copying would mix its files with the old data; nothing was copied`);
  }
  // New volumes are created and mounted once before anything is stopped: a volume whose driver
  // cannot mount it (a shared host directory that does not exist, an NFS export that does not
  // answer) fails here, with the services still running.
  for (const c of create) {
    const { source: name, key, driver, driverOpts, external } = c.to;
    const made = await createForMount(engine, { name, key, ...(driver ? { driver } : {}), ...(driverOpts ? { driverOpts } : {}), ...(external ? { external } : {}) }, project, helper, created, options.signal);
    if (made && 'error' in made) return fail(made.error);
    if (made) return fail(`the new volume ${name} (${c.service} ${c.target}) cannot be mounted: ${made.unmountable}${mountHint(c.to)}; nothing was copied`);
  }

  const users = new Map<string, Running>();
  for (const c of plan.copies) {
    for (const m of [c.from, c.to]) {
      const r = await runningUsers(engine, m, options.signal);
      if ('error' in r) return fail(r.error);
      for (const u of r) users.set(u.id, u);
    }
  }
  const stop = await stopContainers(engine, [...users.values()]);
  try {
    if (stop.error) return fail(stop.error);
    if (users.size) log(`stopped ${[...users.values()].map((u) => u.name).join(', ')} for the copy`);
    for (const c of plan.copies) {
      if (options.signal?.aborted) return fail('interrupted');
      // tar keeps owners, modes, hard links and the root's entry; busybox tar leaves a
      // symbolic link's own owner as root's, so those are set from the source afterwards.
      const script = [
        'set -e',
        'cd /from',
        'tar -cf - . | tar -xf - -C /to --numeric-owner',
        'chown "$(stat -c %u:%g /from)" /to && chmod "$(stat -c %a /from)" /to',
        'find . -type l | while IFS= read -r l; do chown -h "$(stat -c %u:%g "$l")" "/to/$l"; done',
      ].join('\n');
      const r = await engine.docker(helperRun(helper, [[c.from.source, '/from', true], [c.to.source, '/to', false]], ['sh', '-c', script]), sig);
      if (r.code !== 0) return fail(`copying ${describe(c.from)} to ${describe(c.to)} failed: ${oneLine(r.stderr) || `exit ${r.code}`} (the old data is untouched)`);
      const listed = await engine.docker(helperRun(helper, [[c.from.source, '/from', true], [c.to.source, '/to', true]], ['sh', '-c', `${LIST_SCRIPT('/from')}; echo =====; ${LIST_SCRIPT('/to')}`]), sig);
      if (listed.code !== 0) return fail(`comparing ${describe(c.from)} with ${describe(c.to)} failed: ${oneLine(listed.stderr) || `exit ${listed.code}`}`);
      const [a, b] = listed.stdout.split('\n=====\n');
      const diff = firstDifference((a ?? '').trim(), (b ?? '').trim());
      if (diff) return fail(`the copy of ${describe(c.from)} in ${describe(c.to)} differs from the original (${diff}); the old data is untouched`);
      const entries = (a ?? '').trim().split('\n').length - 1;
      log(`${c.service} ${c.target}: copied ${describe(c.from)} -> ${describe(c.to)} (${entries} ${entries === 1 ? 'entry' : 'entries'}, trees compared: same paths, types, sizes, modes, owners, links and sha256)`);
      if (c.owner) {
        const o = await engine.docker(helperRun(helper, [[c.to.source, '/to', false]], ['chown', '-R', c.owner, '/to']), sig);
        if (o.code !== 0) return fail(`setting owner ${c.owner} on ${c.to.source} failed: ${oneLine(o.stderr)}`);
        log(`${c.service} ${c.target}: owner ${c.owner} set on ${c.to.source} (the bind pattern's owner:)`);
      }
    }
  } finally {
    const err = await stop.restart();
    if (err) log(`error: ${err}`);
  }
  return { ok: true, copied: plan.copies };
}
