import { describe, expect, it } from 'vitest';
import { TarReader } from '../../src/ops/tar-reader.js';
import { backup, MANIFEST } from '../../src/ops/backup.js';
import { restore } from '../../src/ops/restore.js';
import type { HostFs } from '../../src/engine/host-fs.js';
import type { OpsContext } from '../../src/ops/mounts.js';
import { buildText } from '../helpers/run.js';
import { loadOutput } from '../../src/check/data-safety.js';
import { fakeEngine, type Handler } from '../helpers/fake-engine.js';

/** A ustar header block for one entry. */
function header(name: string, type: string, size: number, uid: number, gid: number, mode: number, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write(mode.toString(8).padStart(7, '0'), 100);
  h.write(uid.toString(8).padStart(7, '0'), 108);
  h.write(gid.toString(8).padStart(7, '0'), 116);
  h.write(size.toString(8).padStart(11, '0'), 124);
  h.write(type, 156);
  h.write(link, 157);
  h.write('ustar  \0', 257);
  return h;
}
const pad = (n: number) => Buffer.alloc(Math.ceil(n / 512) * 512 - n);

describe('TarReader', () => {
  it('counts entries and bytes, reads the root entry, symlink owners and GNU long names, in any chunking', () => {
    const long = `./${'d'.repeat(120)}/link`;
    const parts = [
      header('./', '5', 0, 1234, 2345, 0o750),
      header('./a.txt', '0', 5, 1, 2, 0o640), Buffer.from('hello'), pad(5),
      header('./h', '1', 0, 1, 2, 0o640, './a.txt'),
      header('././@LongLink', 'L', long.length + 1, 0, 0, 0), Buffer.from(`${long}\0`), pad(long.length + 1),
      header(long.slice(0, 99), '2', 0, 55, 66, 0o777, 'a.txt'),
      Buffer.alloc(1024),
    ];
    const all = Buffer.concat(parts);
    for (const step of [1, 7, 512, 100000]) {
      const r = new TarReader();
      for (let i = 0; i < all.length; i += step) r.push(all.subarray(i, i + step));
      expect(r.summary).toEqual({ entries: 3, bytes: 5, ended: true, root: { uid: 1234, gid: 2345, mode: 0o750 }, links: [{ name: long, uid: 55, gid: 66 }] });
    }
  });
  it('a truncated archive has not ended', () => {
    const r = new TarReader();
    r.push(Buffer.concat([header('./', '5', 0, 0, 0, 0o755), header('./a', '0', 600, 0, 0, 0o644), Buffer.alloc(100)]));
    expect(r.summary.ended).toBe(false);
  });
});

/** An in-memory HostFs: files are strings or byte arrays; hash is a fixed function of the content. */
function memFs(files: Record<string, string> = {}): HostFs & { files: Record<string, string> } {
  const fs = {
    files,
    mkdir: async () => undefined,
    exists: async (p: string) => p in files || Object.keys(files).some((f) => f.startsWith(`${p}/`)),
    list: async () => [],
    readText: async (p: string) => files[p],
    writeAtomic: async (p: string, t: string) => {
      files[p] = t;
      return undefined;
    },
    rename: async (a: string, b: string) => {
      files[b] = files[a] ?? '';
      delete files[a];
      return undefined;
    },
    remove: async (p: string) => {
      delete files[p];
    },
    hash: async (p: string, o: { growing?: Promise<unknown>; onChunk?: (c: Uint8Array) => void } = {}) => {
      await o.growing;
      if (!(p in files)) return { error: `cannot read ${p}: no such file or directory` };
      const tar = Buffer.concat([header('./', '5', 0, 7, 8, 0o700), Buffer.alloc(1024)]);
      o.onChunk?.(tar);
      return { sha256: `sha-of-${files[p]}`, bytes: files[p]!.length };
    },
    writable: async () => undefined,
  };
  return fs;
}

const SRC = `services:\n  db: {image: "postgres:16"}\n  web: {image: nginx}\nx-persistence:\n  services:\n    db: {pattern: volume}\n    web: {pattern: volume, mounts: [/srv]}\n`;
function ctxWith(handler: Handler) {
  const r = buildText(SRC);
  const engine = fakeEngine(handler);
  const ctx: OpsContext = { engine, plan: r.plan!, output: loadOutput(r.text!, 'x'), project: 'app', baseDir: '/p' };
  return { ctx, engine };
}
const volumeJson = (name: string) => JSON.stringify({ Name: name, Driver: 'local', Options: null, Labels: { 'com.docker.compose.project': 'app' } });

describe('backup fault logic (fake engine)', () => {
  it('a helper failing in the middle: the stopped database is started again, no manifest, temp files removed', async () => {
    const fs = memFs();
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume' && a[1] === 'inspect') return { stdout: volumeJson(String(a.at(-1))) };
      if (a[0] === 'ps') return { stdout: a.includes('volume=app_db-data') ? 'c1 app_db_1\n' : '' };
      if (a[0] === 'run' && a.join(' ').includes('app_web-srv')) return { code: 1, stderr: 'tar: write error: No space left on device' };
      if (a[0] === 'run') fs.files[`/b/${String(a.find((x) => x.startsWith('/backup/'))).slice(8)}`] = 'tar-bytes';
      return undefined;
    });
    const r = await backup(ctx, fs, { dir: '/b', toolVersion: 't' });
    expect(r).toEqual({ ok: false, error: 'archiving web /srv (app_web-srv) failed: no space left on the device of the backup directory' });
    const lines = engine.lines();
    expect(lines).toContain('stop -t 30 c1');
    expect(lines).toContain('start c1');
    expect(lines.indexOf('start c1')).toBeGreaterThan(lines.indexOf('stop -t 30 c1'));
    expect(Object.keys(fs.files)).toEqual([]);
  });
  it('an interrupted backup starts what it stopped and writes no manifest', async () => {
    const fs = memFs();
    const ac = new AbortController();
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume') return { stdout: volumeJson(String(a.at(-1))) };
      if (a[0] === 'ps') return { stdout: 'c1 app_db_1\n' };
      if (a[0] === 'run') {
        ac.abort();
        return { code: 143, stderr: '' };
      }
      return undefined;
    });
    const r = await backup(ctx, fs, { dir: '/b', toolVersion: 't', signal: ac.signal });
    expect(r.ok).toBe(false);
    expect(engine.lines()).toContain('start c1');
    expect(fs.files[`/b/${MANIFEST}`]).toBeUndefined();
  });
  it('a missing volume is refused before anything is stopped, naming the project', async () => {
    const { ctx, engine } = ctxWith((c) => (c.args[0] === 'volume' ? { code: 1, stderr: 'Error: No such volume: app_db-data' } : undefined));
    const r = await backup(ctx, memFs(), { dir: '/b', toolVersion: 't' });
    expect(r).toMatchObject({ ok: false });
    expect((r as { error: string }).error).toContain('volume app_db-data (db /var/lib/postgresql/data) does not exist: is project "app" up');
    expect(engine.lines().some((l) => l.startsWith('stop') || l.startsWith('run'))).toBe(false);
  });
  it('the manifest is written last, after every archive is renamed into place', async () => {
    const fs = memFs();
    const order: string[] = [];
    const rename = fs.rename;
    fs.rename = async (a, b) => (order.push(`rename ${b}`), rename(a, b));
    const write = fs.writeAtomic;
    fs.writeAtomic = async (p, t) => (order.push(`write ${p}`), write(p, t));
    const { ctx } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume') return { stdout: volumeJson(String(a.at(-1))) };
      if (a[0] === 'run') fs.files[`/b/${String(a.find((x) => x.startsWith('/backup/'))).slice(8)}`] = String(a.at(-3));
      return undefined;
    });
    const r = await backup(ctx, fs, { dir: '/b', toolVersion: 't', consistency: 'none' });
    expect(r.ok).toBe(true);
    expect(order).toEqual(['rename /b/db--db-data.tar', 'rename /b/web--web-srv.tar', `write /b/${MANIFEST}`]);
    const m = JSON.parse(fs.files[`/b/${MANIFEST}`]!);
    expect(m.archives[0]).toMatchObject({ service: 'db', volume: 'app_db-data', root: { uid: 7, gid: 8, mode: '0700' }, consistency: 'none' });
  });
  it('each volume is inspected once: the check that it exists also gives the manifest its driver, options and labels', async () => {
    const fs = memFs();
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume') return { stdout: JSON.stringify({ Name: a.at(-1), Driver: 'local', Options: { type: 'none' }, Labels: { k: 'v' } }) };
      if (a[0] === 'run') fs.files[`/b/${String(a.find((x) => x.startsWith('/backup/'))).slice(8)}`] = String(a.at(-3));
      return undefined;
    });
    const r = await backup(ctx, fs, { dir: '/b', toolVersion: 't', consistency: 'none' });
    expect(r.ok).toBe(true);
    expect(engine.lines().filter((l) => l.startsWith('volume inspect'))).toHaveLength(2);
    const m = JSON.parse(fs.files[`/b/${MANIFEST}`]!);
    expect(m.archives[0]).toMatchObject({ driver: 'local', driver_opts: { type: 'none' }, labels: { k: 'v' } });
  });
});

describe('helper containers', () => {
  // tar or sh as PID 1 ignores SIGTERM: without docker-init an interrupted command waits for the whole archive
  const helperRuns = (lines: string[]) => lines.filter((l) => l.startsWith('run '));
  it('every helper of backup and restore runs with --init, no network, removed at its end, labelled', async () => {
    const fs = memFs({ '/r/manifest.json': JSON.stringify({ format: 'compose-persist-backup/1', archives: [{ file: 'db--db-data.tar', service: 'db', target: '/var/lib/postgresql/data', sha256: 'sha-of-abc', root: { uid: 0, gid: 0, mode: '0755' } }] }), '/r/db--db-data.tar': 'abc' });
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume') return { stdout: volumeJson(String(a.at(-1))) };
      if (a[0] === 'run' && a.includes('tar') && a.includes('-cf')) fs.files[`/b/${String(a.find((x) => x.startsWith('/backup/'))).slice(8)}`] = 'x';
      return undefined;
    });
    expect((await backup(ctx, fs, { dir: '/b', toolVersion: 't', consistency: 'none' })).ok).toBe(true);
    expect((await restore(ctx, fs, { dir: '/r', toolVersion: 't', force: true })).ok).toBe(true);
    const runs = helperRuns(engine.lines());
    // backup: two archives; restore: the emptiness check (empty: no safety backup), the extraction
    expect(runs).toHaveLength(4);
    for (const r of runs) expect(r).toMatch(/^run --rm --init (-i )?--network none --label com\.compose-persist\.helper=true -v /);
  });
  it('no helper container of the data operations is started other than through helperRun (migrate included)', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../src/ops/', import.meta.url);
    const direct = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'mounts.ts' && f !== 'verify.ts' && f !== 'verify-compose.ts')
      .filter((f) => /docker\(\s*\[\s*'run'/.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(direct).toEqual([]);
  });
  it('the test hook holds each helper after tar (the interruption test needs the signal to land while one runs)', async () => {
    const fs = memFs();
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume') return { stdout: volumeJson(String(a.at(-1))) };
      if (a[0] === 'run') fs.files[`/b/${/\/backup\/(\S+)/.exec(a.join(' '))![1]}`] = 'x';
      return undefined;
    });
    expect((await backup(ctx, fs, { dir: '/b', toolVersion: 't', consistency: 'none', holdAfterArchive: true })).ok).toBe(true);
    for (const r of helperRuns(engine.lines())) expect(r).toMatch(/ sh -c tar -cf \/backup\/\.\S+\.partial-\w+ -C \/from \. && exec sleep 3600$/);
  });
});

describe('restore refusals (fake engine)', () => {
  const manifest = (sha: string) => JSON.stringify({ format: 'compose-persist-backup/1', archives: [{ file: 'db--db-data.tar', service: 'db', target: '/var/lib/postgresql/data', sha256: sha, root: { uid: 0, gid: 0, mode: '0755' } }] });
  it('one checksum mismatch refuses everything before the engine is asked anything', async () => {
    const fs = memFs({ '/b/manifest.json': manifest('sha-of-other'), '/b/db--db-data.tar': 'abc' });
    const { ctx, engine } = ctxWith(() => undefined);
    const r = await restore(ctx, fs, { dir: '/b', toolVersion: 't', force: true });
    expect((r as { error: string }).error).toContain('does not match its checksum');
    expect(engine.calls).toEqual([]);
  });
  it('a non-empty target is refused without --force; nothing is stopped', async () => {
    const fs = memFs({ '/b/manifest.json': manifest('sha-of-abc'), '/b/db--db-data.tar': 'abc' });
    const { ctx, engine } = ctxWith((c) => (c.args[0] === 'volume' ? { stdout: volumeJson('app_db-data') } : c.args[0] === 'run' ? { stdout: 'PG_VERSION\n' } : undefined));
    const r = await restore(ctx, fs, { dir: '/b', toolVersion: 't' });
    expect((r as { error: string }).error).toContain('app_db-data (db /var/lib/postgresql/data) is not empty');
    expect(engine.lines().some((l) => l.startsWith('stop'))).toBe(false);
  });
  it('a missing manifest or archive is refused', async () => {
    const { ctx } = ctxWith(() => undefined);
    expect((await restore(ctx, memFs(), { dir: '/b', toolVersion: 't' }) as { error: string }).error).toContain('has no manifest.json');
    expect((await restore(ctx, memFs({ '/b/manifest.json': manifest('x') }), { dir: '/b', toolVersion: 't' }) as { error: string }).error).toContain('archive db--db-data.tar is missing');
  });
});

describe('migrate planning', async () => {
  const { planMigration, deleteCommand } = await import('../../src/ops/migrate.js');
  const out = (block: string) => loadOutput(buildText(`services:\n  db: {image: "postgres:16"}\n  old: {image: nginx}\nx-persistence:\n  backends:\n    st: {type: hostpath, path: /mnt/s}\n  services:\n${block}`).text!, 'x');
  const engine = fakeEngine();
  const plan = (a: string, b: string) => planMigration({ engine, oldOutput: out(a), newOutput: out(b), oldBaseDir: '/p', newBaseDir: '/p', project: 'app' });
  it('volume -> bind with owner: one copy into the absolute path, then the owner', () => {
    const p = plan('    db: {pattern: volume}\n', '    db: {pattern: bind, owner: "70:70"}\n');
    expect(p.copies.map((c) => [c.from.source, c.to.source, c.owner])).toEqual([['app_db-data', '/p/data/db-data', '70:70']]);
    expect(deleteCommand(p.copies[0]!.from)).toBe('docker volume rm app_db-data');
  });
  it('data-container -> volume under a new name: one copy (the sidecar names it once); under the same name: none', () => {
    expect(plan('    db: {pattern: data-container}\n', '    db: {pattern: volume, mounts: [{target: /var/lib/postgresql/data, name: pg}]}\n').copies.map((c) => [c.from.source, c.to.source])).toEqual([['app_db-data', 'app_pg']]);
    expect(plan('    db: {pattern: data-container}\n', '    db: {pattern: volume}\n')).toEqual({ copies: [], dropped: [], blocked: [] });
  });
  it('volume -> shared under the same name is blocked (the engine would keep the old options); a dropped mount is only reported', () => {
    expect(plan('    db: {pattern: volume}\n', '    db: {pattern: shared, backend: st}\n').blocked).toEqual([{ service: 'db', target: '/var/lib/postgresql/data', volume: 'app_db-data', key: 'db-data' }]);
    const p = plan('    db: {pattern: volume}\n    old: {pattern: volume, mounts: [/srv]}\n', '    db: {pattern: volume}\n');
    expect(p.copies).toEqual([]);
    expect(p.dropped.map((d) => d.from.source)).toEqual(['app_old-srv']);
  });
});

describe('a volume the command creates is mounted once before anything is stopped, and removed again on failure', async () => {
  const { planMigration, applyMigration } = await import('../../src/ops/migrate.js');
  const out = (block: string) => loadOutput(buildText(`services:\n  db: {image: "postgres:16"}\nx-persistence:\n  backends:\n    st: {type: hostpath, path: /mnt/s}\n  services:\n${block}`).text!, 'x');
  const MOUNT_ERROR = "docker: Error response from daemon: error while mounting volume '/var/lib/docker/volumes/app_pg/_data': failed to mount local volume: mount /mnt/s/pg:/var/lib/docker/volumes/app_pg/_data, flags: 0x1000: no such file or directory.\nSee 'docker run --help'.";
  it('migrate volume -> shared whose host directory is missing: refused with the directory named, nothing stopped, the new volume removed', async () => {
    const made = new Set<string>();
    const engine = fakeEngine((c) => {
      const a = c.args;
      if (a[0] === 'volume' && a[1] === 'inspect') return made.has(String(a.at(-1))) || a.at(-1) === 'app_db-data' ? { stdout: volumeJson(String(a.at(-1))) } : { code: 1, stderr: 'Error: No such volume' };
      if (a[0] === 'volume' && a[1] === 'create') made.add(String(a.at(-1)));
      if (a[0] === 'volume' && a[1] === 'rm') made.delete(String(a.at(-1)));
      if (a[0] === 'ps') return { stdout: 'c1 app_db_1\n' };
      if (a[0] === 'run' && a.includes('app_pg:/to:ro')) return { code: 125, stderr: MOUNT_ERROR };
      return undefined;
    });
    const input = { engine, oldOutput: out('    db: {pattern: volume}\n'), newOutput: out('    db: {pattern: shared, backend: st, mounts: [{target: /var/lib/postgresql/data, name: pg}]}\n'), oldBaseDir: '/p', newBaseDir: '/p', project: 'app' };
    const r = await applyMigration(input, planMigration(input));
    expect(r).toEqual({ ok: false, error: "the new volume app_pg (db /var/lib/postgresql/data) cannot be mounted: error while mounting volume '/var/lib/docker/volumes/app_pg/_data': failed to mount local volume: mount /mnt/s/pg:/var/lib/docker/volumes/app_pg/_data, flags: 0x1000: no such file or directory. (its back-end directory /mnt/s/pg must exist on this host: is the shared storage mounted there?); nothing was copied" });
    const lines = engine.lines();
    expect(lines.some((l) => l.startsWith('stop'))).toBe(false);
    expect(lines).toContain('volume rm app_pg');
    expect(made.has('app_pg')).toBe(false);
  });
  it('restore after down -v whose extraction fails: the volume it created is removed, the services started again', async () => {
    const fs = memFs({ '/b/manifest.json': JSON.stringify({ format: 'compose-persist-backup/1', archives: [{ file: 'db--db-data.tar', service: 'db', target: '/var/lib/postgresql/data', sha256: 'sha-of-abc', root: { uid: 0, gid: 0, mode: '0755' } }] }), '/b/db--db-data.tar': 'abc' });
    const made = new Set<string>();
    const { ctx, engine } = ctxWith((c) => {
      const a = c.args;
      if (a[0] === 'volume' && a[1] === 'inspect') return made.has(String(a.at(-1))) ? { stdout: volumeJson(String(a.at(-1))) } : { code: 1, stderr: 'Error: No such volume' };
      if (a[0] === 'volume' && a[1] === 'create') made.add(String(a.at(-1)));
      if (a[0] === 'volume' && a[1] === 'rm') made.delete(String(a.at(-1)));
      if (a[0] === 'ps') return { stdout: 'c9 app_other_1\n' };
      if (a[0] === 'run' && a.join(' ').includes('tar -xf')) return { code: 1, stderr: 'tar: write error: No space left on device' };
      return undefined;
    });
    const r = await restore(ctx, fs, { dir: '/b', toolVersion: 't' });
    expect(r).toEqual({ ok: false, error: 'restoring db--db-data.tar into app_db-data failed: tar: write error: No space left on device' });
    const lines = engine.lines();
    expect(lines.indexOf('volume rm app_db-data')).toBeGreaterThan(lines.findIndex((l) => l.includes('tar -xf')));
    expect(made.size).toBe(0);
    expect(lines).toContain('start c9');
    // a plain local volume cannot fail to mount: no helper before the extraction (each costs 0.3-0.7 s)
    expect(lines.filter((l) => l.startsWith('run '))).toHaveLength(1);
  });
  it('which new volumes are mounted once first: those with options or another driver', async () => {
    const { mayFailToMount } = await import('../../src/ops/mounts.js');
    expect([
      mayFailToMount(undefined, undefined), mayFailToMount('local', {}),
      mayFailToMount('local', { type: 'none', o: 'bind', device: '/mnt/s/x' }), mayFailToMount('local', { type: 'nfs', o: 'addr=127.0.0.1', device: ':/e' }), mayFailToMount('rexray', {}),
    ]).toEqual([false, false, true, true, true]);
  });
});

describe('looking into a host directory does not create it', async () => {
  const { isEmpty, helperRun } = await import('../../src/ops/mounts.js');
  it('a read-only host directory is given with --mount (which refuses a missing path; -v would create it), a written one with -v', () => {
    expect(helperRun('busybox', [['/srv/a', '/from', true], ['/srv/b', '/to', false], ['vol', '/v', true], ['/odd,path', '/o', true]], ['true'])).toEqual([
      'run', '--rm', '--init', '--network', 'none', '--label', 'com.compose-persist.helper=true',
      '--mount', 'type=bind,source=/srv/a,target=/from,readonly', '-v', '/srv/b:/to', '-v', 'vol:/v:ro', '-v', '/odd,path:/o:ro', 'busybox', 'true',
    ]);
  });
  it('a missing host directory is empty', async () => {
    const engine = fakeEngine(() => ({ code: 125, stderr: 'docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /p/data/a\n\nRun \'docker run --help\' for more information\n' }));
    expect(await isEmpty(engine, '/p/data/a', 'busybox')).toBe(true);
    const other = fakeEngine(() => ({ code: 125, stderr: 'docker: Error response from daemon: permission denied\n' }));
    expect(await isEmpty(other, '/p/data/a', 'busybox')).toEqual({ error: 'cannot look into /p/data/a: permission denied', reason: 'permission denied' });
  });
});

describe('a bind directory the restore created is removed again on failure', () => {
  it('extraction fails: the directory is emptied through a helper and removed; one that existed is left alone', async () => {
    const src = `services:\n  web: {image: nginx}\nx-persistence:\n  services:\n    web: {pattern: bind, mounts: [{target: /srv, source: ./site}]}\n`;
    const r = buildText(src);
    const manifest = JSON.stringify({ format: 'compose-persist-backup/1', archives: [{ file: 'web--site.tar', service: 'web', target: '/srv', sha256: 'sha-of-abc', root: { uid: 0, gid: 0, mode: '0755' } }] });
    for (const existed of [false, true]) {
      const fs = memFs({ '/b/manifest.json': manifest, '/b/web--site.tar': 'abc', ...(existed ? { '/p/site/.keep': '' } : {}) });
      const removed: string[] = [];
      const remove = fs.remove;
      fs.remove = async (p) => (removed.push(p), remove(p));
      const engine = fakeEngine((c) => {
        const a = c.args;
        if (a[0] === 'run' && a.join(' ').includes('tar -xf')) return { code: 1, stderr: 'tar: write error: No space left on device' };
        if (a[0] === 'run' && a.includes('ls -A /to | head -n 1')) return { stdout: '' };
        return undefined;
      });
      const ctx: OpsContext = { engine, plan: r.plan!, output: loadOutput(r.text!, 'x'), project: 'app', baseDir: '/p' };
      const res = await restore(ctx, fs, { dir: '/b', toolVersion: 't' });
      expect(res.ok).toBe(false);
      const emptied = engine.lines().filter((l) => l.startsWith('run ') && l.endsWith('find /to -mindepth 1 -maxdepth 1 -exec rm -rf {} +'));
      expect([emptied.length, removed], `existed: ${existed}`).toEqual(existed ? [0, []] : [1, ['/p/site']]);
      if (!existed) expect(emptied[0]).toContain('-v /p/site:/to ');
    }
  });
});

describe('a bind target the migration created is removed again on failure', async () => {
  const { planMigration, applyMigration } = await import('../../src/ops/migrate.js');
  const out = (block: string) => loadOutput(buildText(`services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n${block}`).text!, 'x');
  it('volume -> bind: the copy fails; the directory that did not exist is emptied and removed, one that existed is not', async () => {
    for (const existed of [false, true]) {
      const removed: string[] = [];
      const fs = { exists: async (p: string) => existed && p === '/p/data/db-data', remove: async (p: string) => void removed.push(p) };
      const engine = fakeEngine((c) => {
        const a = c.args;
        if (a[0] === 'volume' && a[1] === 'inspect') return { stdout: volumeJson(String(a.at(-1))) };
        if (a[0] === 'run' && a.join(' ').includes('tar -cf - .')) return { code: 1, stderr: 'tar: write error: No space left on device' };
        return undefined;
      });
      const input = { engine, oldOutput: out('    db: {pattern: volume}\n'), newOutput: out('    db: {pattern: bind, owner: "70:70"}\n'), oldBaseDir: '/p', newBaseDir: '/p', project: 'app' };
      const r = await applyMigration(input, planMigration(input), { fs });
      expect(r.ok).toBe(false);
      const emptied = engine.lines().filter((l) => l.endsWith('find /to -mindepth 1 -maxdepth 1 -exec rm -rf {} +'));
      expect([emptied.length, removed], `existed: ${existed}`).toEqual(existed ? [0, []] : [1, ['/p/data/db-data']]);
    }
  });
});
