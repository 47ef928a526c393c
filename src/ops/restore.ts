/**
 * restore: every archive's checksum is checked before anything is touched
 * (one mismatch refuses all); targets are the mounts of the current build;
 * a non-empty target is refused unless --force, which first backs it up into
 * DIR/pre-restore-<time>/, then empties it: an archive is never merged into
 * old files. Owners and modes come back, the mount root's too; the containers
 * stopped are started again, also after a failure or an interruption.
 */
import { join } from 'node:path';
import type { HostFs } from '../engine/host-fs.js';
import { inspectVolume, oneLine } from './volumes.js';
import { createForMount, helperRun, isEmpty, removeCreated, persistedMounts, runningUsers, stopContainers, type OpsContext, type PersistedMount, type Running } from './mounts.js';
import { backup, DEFAULT_HELPER, MANIFEST, MANIFEST_FORMAT, type Manifest, type ManifestEntry } from './backup.js';
import { TarReader, type TarSummary } from './tar-reader.js';

export interface RestoreOptions {
  dir: string;
  services?: readonly string[];
  force?: boolean;
  dryRun?: boolean;
  helperImage?: string;
  signal?: AbortSignal;
  toolVersion: string;
  now?: () => Date;
  home?: string;
  log?: (line: string) => void;
  /**
   * For the interruption test only: each helper waits after the extraction until it is ended,
   * so that a signal lands while one runs, every time (COMPOSE_PERSIST_TEST_HOOK=hold-archive).
   */
  holdAfterExtract?: boolean;
}

export interface RestoreStep {
  entry: ManifestEntry;
  mount: PersistedMount;
  /** The target holds data (refused without force). */
  nonEmpty: boolean;
  /** A volume to create first. */
  create: boolean;
}

export type RestoreResult = { ok: true; steps: RestoreStep[]; safetyBackup?: string; dryRun: boolean } | { ok: false; error: string };

export function readManifest(text: string | undefined, dir: string): Manifest | { error: string } {
  if (text === undefined) return { error: `${dir} has no ${MANIFEST}: not a complete backup (an interrupted backup writes none)` };
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    return { error: `${join(dir, MANIFEST)} is not valid JSON` };
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.archives)) return { error: `${join(dir, MANIFEST)} is not a compose-persist backup manifest (format ${MANIFEST_FORMAT})` };
  for (const a of m.archives) {
    if (typeof a?.file !== 'string' || !/^[A-Za-z0-9_.-]+\.tar$/.test(a.file) || typeof a.sha256 !== 'string' || typeof a.target !== 'string' || typeof a.service !== 'string') return { error: `${join(dir, MANIFEST)} has an archive entry without file, service, target or sha256` };
  }
  return m;
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export async function restore(ctx: OpsContext, fs: HostFs, options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => undefined);
  const helper = options.helperImage ?? DEFAULT_HELPER;
  // Volumes this run created: removed again when it fails (they hold nothing of the user's, at
  // most a partial extraction that a later `up` would take for the data).
  const created: string[] = [];
  // Bind directories that did not exist: emptied through a helper (the files are the archive's
  // owners') and removed again on failure, like the volumes.
  const createdDirs: string[] = [];
  const fail = async (error: string): Promise<RestoreResult> => {
    await removeCreated(ctx.engine, fs, helper, { volumes: created, dirs: createdDirs }, 'restore', log);
    return { ok: false, error };
  };
  const manifest = readManifest(await fs.readText(join(options.dir, MANIFEST)), options.dir);
  if ('error' in manifest) return fail(manifest.error);
  const only = options.services ?? [];
  for (const s of only) if (!manifest.archives.some((a) => a.service === s)) return fail(`the backup holds no archive of service "${s}" (it has: ${[...new Set(manifest.archives.map((a) => a.service))].join(', ')})`);
  const entries = manifest.archives.filter((a) => !only.length || only.includes(a.service));

  // 1. Every checksum, before anything is touched.
  const links = new Map<string, TarSummary['links']>();
  for (const a of entries) {
    const path = join(options.dir, a.file);
    if (!(await fs.exists(path))) return fail(`archive ${a.file} is missing from ${options.dir}: nothing restored`);
    const reader = new TarReader();
    const h = await fs.hash(path, { onChunk: (c) => reader.push(c), ...(options.signal ? { signal: options.signal } : {}) });
    if ('error' in h) return fail(h.error);
    links.set(a.file, reader.summary.links);
    if (h.sha256 !== a.sha256) return fail(`archive ${a.file} does not match its checksum in ${MANIFEST} (truncated or altered: ${h.bytes} bytes, sha256 ${h.sha256.slice(0, 12)}..., expected ${a.sha256.slice(0, 12)}...): nothing restored`);
  }

  // 2. The mounts of the current build.
  const current = persistedMounts(ctx, [...new Set(entries.map((a) => a.service))], options.home);
  const steps: RestoreStep[] = [];
  for (const a of entries) {
    const mount = current.mounts.find((m) => m.service === a.service && m.target === a.target);
    if (!mount) return fail(`service "${a.service}" has no persisted mount at ${a.target} in the current build: nothing restored`);
    let create = false;
    let nonEmpty = false;
    if (mount.kind === 'volume') {
      const v = await inspectVolume(ctx.engine, mount.source, options.signal);
      if (v && 'error' in v) return fail(v.error);
      create = !v;
    } else create = !(await fs.exists(mount.source));
    if (!create) {
      const e = await isEmpty(ctx.engine, mount.source, helper, options.signal);
      if (typeof e === 'object') return fail(e.error);
      nonEmpty = !e;
    }
    steps.push({ entry: a, mount, nonEmpty, create });
  }
  const full = steps.filter((s) => s.nonEmpty);
  if (full.length && !options.force) {
    return fail(`${full.map((s) => `${s.mount.source} (${s.mount.service} ${s.mount.target})`).join(', ')} ${full.length > 1 ? 'are' : 'is'} not empty: restoring would mix old and new files; nothing restored (--force backs ${full.length > 1 ? 'them' : 'it'} up into ${options.dir}/pre-restore-<time>/, empties and restores)`);
  }
  if (options.dryRun) return { ok: true, steps, dryRun: true };

  // Missing volumes are created and mounted once before anything is stopped: one whose driver
  // cannot mount it (a shared host directory that does not exist, a plugin that does not answer)
  // fails here, with the services still running.
  for (const s of steps) {
    if (!(s.create && s.mount.kind === 'volume')) continue;
    const { source: name, key, driver, driverOpts, external } = s.mount;
    const made = await createForMount(ctx.engine, { name, key, ...(driver ? { driver } : {}), ...(driverOpts ? { driverOpts } : {}), ...(external ? { external } : {}) }, ctx.project, helper, created, options.signal);
    if (made && 'error' in made) return fail(made.error);
    if (made) return fail(`the volume ${name} (${s.mount.service} ${s.mount.target}) cannot be mounted: ${made.unmountable}; nothing restored`);
  }

  // 3. Stop what uses the targets; started again whatever happens.
  const users = new Map<string, Running>();
  for (const s of steps) {
    const r = await runningUsers(ctx.engine, s.mount, options.signal);
    if ('error' in r) return fail(r.error);
    for (const c of r) users.set(c.id, c);
  }
  const stop = await stopContainers(ctx.engine, [...users.values()]);
  let safetyBackup: string | undefined;
  try {
    if (stop.error) return fail(stop.error);
    if (users.size) log(`stopped ${[...users.values()].map((c) => c.name).join(', ')} for the restore`);
    if (full.length) {
      safetyBackup = join(options.dir, `pre-restore-${stamp((options.now ?? (() => new Date()))())}`);
      const b = await backup(ctx, fs, { dir: safetyBackup, mounts: full.map((s) => s.mount), noStop: true, consistency: 'stop', helperImage: helper, toolVersion: options.toolVersion, ...(options.signal ? { signal: options.signal } : {}), ...(options.now ? { now: options.now } : {}) });
      if (!b.ok) return fail(`the safety backup of the non-empty targets failed, nothing restored: ${b.error}`);
      log(`safety backup of ${full.map((s) => s.mount.source).join(', ')} in ${safetyBackup}`);
    }
    for (const s of steps) {
      if (options.signal?.aborted) return fail('interrupted');
      if (s.create && s.mount.kind === 'bind') createdDirs.push(s.mount.source);
      const { uid, gid, mode } = s.entry.root;
      // Emptied first (never merged), extracted with numeric owners, then the root's own owner and mode.
      const script = [
        'set -e',
        'find /to -mindepth 1 -maxdepth 1 -exec rm -rf {} +',
        `tar -xf /backup/${s.entry.file} -C /to --numeric-owner`,
        `chown ${Number(uid)}:${Number(gid)} /to`,
        `chmod ${/^[0-7]{3,4}$/.test(mode) ? mode : '0755'} /to`,
        // Symbolic links' own owners (busybox tar leaves them root's): pairs of lines on stdin.
        'while IFS= read -r owner && IFS= read -r path; do chown -h "$owner" "/to/$path"; done',
        ...(options.holdAfterExtract ? ['exec sleep 3600'] : []),
      ].join('\n');
      const input = (links.get(s.entry.file) ?? []).filter((l) => !/[\n\r]/.test(l.name)).map((l) => `${l.uid}:${l.gid}\n${l.name}\n`).join('');
      const r = await ctx.engine.docker(helperRun(helper, [[s.mount.source, '/to', false], [options.dir, '/backup', true]], ['sh', '-c', script], { stdin: true }), { input, ...(options.signal ? { signal: options.signal } : {}) });
      if (r.code !== 0) return fail(`restoring ${s.entry.file} into ${s.mount.source} failed: ${oneLine(r.stderr) || `exit ${r.code}`}${safetyBackup ? ` (what was there is in ${safetyBackup})` : ''}`);
      log(`${s.entry.service} ${s.entry.target}: restored ${s.entry.file} into ${s.mount.source} (${s.entry.files} entries)`);
    }
  } finally {
    const err = await stop.restart();
    if (err) log(`error: ${err}`);
    else if (users.size) log(`started ${[...users.values()].map((c) => c.name).join(', ')} again`);
  }
  return { ok: true, steps, dryRun: false, ...(safetyBackup ? { safetyBackup } : {}) };
}
