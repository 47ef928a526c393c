/**
 * backup: one tar archive per persisted mount, written by a helper container
 * that mounts the volume or bind source read-only and the backup directory;
 * hashed and read for its entry count on the host while tar writes it; temp
 * names renamed at the end, manifest.json last. `stop` stops the containers
 * using a mount and starts them again in a finally (failure or interruption).
 */
import { join } from 'node:path';
import type { HostFs } from '../engine/host-fs.js';
import { inspectVolume, oneLine, type VolumeInfo } from './volumes.js';
import { helperRun, isDatabase, persistedMounts, runningUsers, stopContainers, type OpsContext, type PersistedMount, type Running } from './mounts.js';
import { TarReader } from './tar-reader.js';

export type Consistency = 'stop' | 'none';
export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'compose-persist-backup/1';
export const DEFAULT_HELPER = 'busybox:latest';

export interface ManifestEntry {
  file: string;
  service: string;
  pattern: string;
  target: string;
  kind: 'volume' | 'bind';
  /** The volume's engine name (kind volume). */
  volume?: string;
  /** The volume's key in the compose file, or the bind source as written. */
  key: string;
  /** The absolute host path (kind bind). */
  bind?: string;
  driver?: string;
  /** Named as in a compose file's volume (the manifest describes Compose volumes). */
  driver_opts?: Record<string, string>;
  labels?: Record<string, string>;
  root: { uid: number; gid: number; mode: string };
  files: number;
  bytes: number;
  archiveBytes: number;
  sha256: string;
  consistency: Consistency;
  /** Containers stopped while this archive was written. */
  stopped: string[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  tool: { name: 'compose-persist'; version: string };
  created: string;
  project: string;
  helperImage: string;
  archives: ManifestEntry[];
}

export interface BackupOptions {
  dir: string;
  services?: readonly string[];
  consistency?: Consistency;
  helperImage?: string;
  signal?: AbortSignal;
  toolVersion: string;
  now?: () => Date;
  home?: string;
  /** Progress and notes (one line each). */
  log?: (line: string) => void;
  /** Only these mounts (restore's safety backup): skips the plan lookup. */
  mounts?: readonly PersistedMount[];
  /** Containers are already stopped by the caller (restore): no stop of its own. */
  noStop?: boolean;
  /**
   * For the interruption test only: each helper waits after tar until it is ended, so that a
   * signal lands while an archive is being written, every time (the CLI sets it from
   * COMPOSE_PERSIST_TEST_HOOK=hold-archive).
   */
  holdAfterArchive?: boolean;
}

export type BackupResult = { ok: true; manifest: Manifest; dir: string } | { ok: false; error: string };

/** A file name for a mount's archive: service and volume key, safe on any file system. */
export function archiveName(m: Pick<PersistedMount, 'service' | 'key' | 'target'>): string {
  const key = m.key.replace(/^\.\//, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
  return `${m.service}--${key || 'root'}.tar`;
}

const randomPart = (): string => Math.random().toString(36).slice(2, 10);

export async function backup(ctx: OpsContext, fs: HostFs, options: BackupOptions): Promise<BackupResult> {
  const log = options.log ?? (() => undefined);
  const helper = options.helperImage ?? DEFAULT_HELPER;
  const fail = (error: string): BackupResult => ({ ok: false, error });
  const selected = options.mounts ? { mounts: [...options.mounts], errors: [] } : persistedMounts(ctx, options.services ?? [], options.home);
  if (selected.errors.length) return fail(selected.errors[0]!);
  const mounts = selected.mounts;
  if (!mounts.length) return fail('no persisted mount to back up (only volume, data-container, bind, shared and plugin mounts hold data)');

  // The directory first: nothing is stopped before it is known to be writable.
  const mk = await fs.mkdir(options.dir);
  if (mk) return fail(mk);
  if (await fs.exists(join(options.dir, MANIFEST))) return fail(`${options.dir} already holds a backup (${MANIFEST}); give a new directory`);
  const w = await fs.writable(options.dir);
  if (w) return fail(w);

  // Every source must exist: a missing volume usually means another project name. The one
  // inspection also gives the manifest's driver, options and labels (no second call per mount).
  const volumes = new Map<string, VolumeInfo>();
  for (const m of mounts) {
    if (m.kind === 'volume') {
      const v = await inspectVolume(ctx.engine, m.source, options.signal);
      if (v && 'error' in v) return fail(v.error);
      if (!v) return fail(`volume ${m.source} (${m.service} ${m.target}) does not exist: is project "${ctx.project}" up, or does it run under another name (-p)?`);
      volumes.set(m.source, v);
    } else if (!(await fs.exists(m.source))) {
      return fail(`bind source ${m.source} (${m.service} ${m.target}) does not exist`);
    }
  }

  const entries: ManifestEntry[] = [];
  const temps: { tmp: string; final: string }[] = [];
  const cleanup = async (): Promise<void> => {
    for (const t of temps) await fs.remove(t.tmp);
  };
  // One service at a time: its mounts are archived while it is stopped.
  const services = [...new Set(mounts.map((m) => m.service))];
  try {
    for (const service of services) {
      const own = mounts.filter((m) => m.service === service);
      const consistency: Consistency = options.consistency ?? (isDatabase(ctx.output, service) ? 'stop' : 'none');
      let stopped: Running[] = [];
      if (consistency === 'stop' && !options.noStop) {
        const users = new Map<string, Running>();
        for (const m of own) {
          const r = await runningUsers(ctx.engine, m, options.signal);
          if ('error' in r) return fail(r.error);
          for (const c of r) users.set(c.id, c);
        }
        stopped = [...users.values()];
      } else if (consistency === 'none') {
        log(`${service}: archived live (--consistency none): files changing meanwhile may be inconsistent in the archive`);
      }
      const stop = await stopContainers(ctx.engine, stopped);
      try {
        if (stop.error) return fail(stop.error);
        if (stopped.length) log(`${service}: stopped ${stopped.map((c) => c.name).join(', ')} for the backup`);
        for (const m of own) {
          const final = archiveName(m);
          const tmp = `.${final}.partial-${randomPart()}`;
          temps.push({ tmp: join(options.dir, tmp), final: join(options.dir, final) });
          const r = await archiveOne(ctx, fs, m, options.dir, tmp, helper, options.signal, options.holdAfterArchive === true);
          if ('error' in r) return fail(r.error);
          const v = m.kind === 'volume' ? volumes.get(m.source) : undefined;
          entries.push({
            file: final, service: m.service, pattern: m.pattern, target: m.target, kind: m.kind, key: m.key,
            ...(m.kind === 'volume' ? { volume: m.source } : { bind: m.source }),
            ...(v ? { driver: v.driver, driver_opts: v.options } : m.driver ? { driver: m.driver, driver_opts: m.driverOpts ?? {} } : {}),
            ...(v ? { labels: v.labels } : {}),
            root: r.root, files: r.files, bytes: r.bytes, archiveBytes: r.archiveBytes, sha256: r.sha256,
            consistency, stopped: stopped.map((c) => c.name),
          });
          log(`${m.service} ${m.target}: ${final} (${r.files} entries, ${r.bytes} bytes)`);
        }
      } finally {
        const err = await stop.restart();
        if (err) log(`error: ${err}`);
        else if (stopped.length) log(`${service}: started ${stopped.map((c) => c.name).join(', ')} again`);
      }
    }
    if (options.signal?.aborted) return fail('interrupted');
    // All archives are complete: into place, then the manifest, the mark of a complete backup.
    for (const t of temps) {
      const e = await fs.rename(t.tmp, t.final);
      if (e) return fail(e);
    }
    temps.length = 0;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      tool: { name: 'compose-persist', version: options.toolVersion },
      created: (options.now ?? (() => new Date()))().toISOString(),
      project: ctx.project,
      helperImage: helper,
      archives: entries,
    };
    const e = await fs.writeAtomic(join(options.dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    if (e) {
      for (const a of entries) await fs.remove(join(options.dir, a.file));
      return fail(e);
    }
    return { ok: true, manifest, dir: options.dir };
  } finally {
    await cleanup();
  }
}

interface Archived {
  sha256: string;
  archiveBytes: number;
  files: number;
  bytes: number;
  root: ManifestEntry['root'];
}

async function archiveOne(ctx: OpsContext, fs: HostFs, m: PersistedMount, dir: string, tmp: string, helper: string, signal: AbortSignal | undefined, hold: boolean): Promise<Archived | { error: string }> {
  const reader = new TarReader();
  // tar writes the archive into the bind-mounted directory (streaming it through the
  // engine's attach is ten times slower); the host hashes it as it grows.
  const tar = ['tar', '-cf', `/backup/${tmp}`, '-C', '/from', '.'];
  const command = hold ? ['sh', '-c', `${tar.join(' ')} && exec sleep 3600`] : tar;
  const run = ctx.engine.docker(helperRun(helper, [[m.source, '/from', true], [dir, '/backup', false]], command), signal ? { signal } : {});
  const hashed = fs.hash(join(dir, tmp), { growing: run, onChunk: (c) => reader.push(c), ...(signal ? { signal } : {}) });
  const [r, h] = await Promise.all([run, hashed]);
  if (signal?.aborted) return { error: 'interrupted' };
  if (r.code !== 0) {
    const msg = oneLine(r.stderr);
    const full = /no space left/i.test(r.stderr) ? 'no space left on the device of the backup directory' : /read-only file system/i.test(r.stderr) ? 'the backup directory is on a read-only file system' : msg;
    return { error: `archiving ${m.service} ${m.target} (${m.source}) failed: ${full || `exit ${r.code}`}` };
  }
  if ('error' in h) return h;
  if (!reader.summary.ended) return { error: `archiving ${m.service} ${m.target}: the archive is incomplete (no end-of-archive blocks)` };
  const root = reader.summary.root;
  if (!root) return { error: `archiving ${m.service} ${m.target}: the archive has no entry for the mount root` };
  return { sha256: h.sha256, archiveBytes: h.bytes, files: reader.summary.entries, bytes: reader.summary.bytes, root: { uid: root.uid, gid: root.gid, mode: root.mode.toString(8).padStart(4, '0') } };
}
