// backup -> destroy (down -v, bind directory removed) -> restore, for volume,
// data-container, bind with owner and shared hostpath; every entry read back with its
// type, mode, owner, size, link count, link target and sha256. Plugin: 91-plugin-dataops
// (a volume plugin runs only on the suite's private dockerd or a disposable engine).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docker, mustDocker, report, run } from './lib.js';
import { DataProject, LIST_TREE, listTree, STAY, WRITE_TREE } from './dataops-lib.js';

describe.skipIf(!inject('engine'))('backup and restore', () => {
  const prefix = inject('runPrefix');
  const p = new DataProject(`${prefix}bk`, 'backup');
  const store = path.join(p.dir, 'store');
  const targets = { vol: '/data', dc: '/data', bnd: '/srv', shr: '/files' } as const;
  const sources: Record<string, string> = {};
  const before: Record<string, string> = {};

  beforeAll(() => {
    fs.mkdirSync(path.join(store, 'shr-files'), { recursive: true });
    const svc = (n: string) => `  ${n}:\n    image: busybox:latest\n    command: ${STAY}\n`;
    p.write(
      `services:\n${['vol', 'dc', 'bnd', 'shr'].map(svc).join('')}` +
        `x-persistence:\n  backends:\n    st: { type: hostpath, path: ${store} }\n  services:\n` +
        `    vol: { pattern: volume, mounts: [/data] }\n    dc: { pattern: data-container, mounts: [/data] }\n` +
        `    bnd: { pattern: bind, owner: "1234:2345", mounts: [/srv] }\n    shr: { pattern: shared, backend: st, mounts: [/files] }\n`,
    );
    p.compose(['up', '-d']);
    for (const [s, t] of Object.entries(targets)) {
      // the bind's init service set 1234:2345 on the root; the tree sets it again for all
      p.sh(s, WRITE_TREE(t));
      before[s] = p.sh(s, LIST_TREE(t)).trim();
    }
    Object.assign(sources, { vol: `${p.name}_vol-data`, dc: `${p.name}_dc-data`, bnd: path.join(p.dir, 'data/bnd-srv'), shr: `${p.name}_shr-files` });
  });
  afterAll(() => p.destroy());

  it('backs up, restores after down -v and a removed bind directory, byte for byte with owners and modes', () => {
    const b = p.cp(['backup'], ['-o', 'bk1', '--consistency', 'stop']);
    expect(b.code, b.stderr).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(p.dir, 'bk1/manifest.json'), 'utf8'));
    expect(manifest.archives.map((a: { service: string }) => a.service).sort()).toEqual(['bnd', 'dc', 'shr', 'vol']);
    for (const a of manifest.archives) expect(a.root).toEqual({ uid: 1234, gid: 2345, mode: '0750' });
    expect(fs.readdirSync(path.join(p.dir, 'bk1')).filter((f) => f.includes('partial'))).toEqual([]);
    for (const s of Object.keys(targets)) expect(p.running(s)).toBe(true);

    p.compose(['down', '-v', '-t', '1']);
    docker(['run', '--rm', '-v', `${p.dir}:/w`, 'busybox:latest', 'sh', '-c', 'rm -rf /w/data/bnd-srv && rm -rf /w/store/shr-files/* /w/store/shr-files/.[!.]*']);
    expect(docker(['volume', 'inspect', sources.vol!]).code).not.toBe(0);
    expect(fs.existsSync(sources.bnd!)).toBe(false);

    const r = p.cp(['restore'], ['bk1']);
    expect(r.code, r.stderr).toBe(0);
    // read back before up (the bind's init service would chown again) and through the services after up
    for (const [s, src] of Object.entries(sources)) expect(listTree(src), s).toBe(before[s]!.replaceAll(`${targets[s as keyof typeof targets]}`, '/x'));
    p.compose(['up', '-d']);
    let same = true;
    for (const [s, t] of Object.entries(targets)) if (s !== 'bnd') same &&= p.sh(s, LIST_TREE(t)).trim() === before[s];
    report(`backup: volume, data-container, bind with owner, shared hostpath restored byte for byte with owners and modes: ${same ? 'PASS' : 'FAIL'}`);
    expect(same).toBe(true);
  });

  it('needs no Compose: backup and restore --dry-run with only the Docker CLI on PATH', () => {
    const bin = path.join(p.dir, 'docker-only-bin');
    fs.mkdirSync(bin);
    const docker = run('sh', ['-c', 'command -v docker']).stdout.trim();
    fs.symlinkSync(docker, path.join(bin, 'docker'));
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const env = { PATH: bin };
    expect(run('/bin/sh', ['-c', 'command -v docker-compose || echo none'], { env }).stdout.trim()).toBe('none');
    expect(run('docker', ['compose', 'version'], { env }).code).not.toBe(0);
    const b = p.cp(['backup'], ['vol', '-o', 'bk-nocompose', '--consistency', 'none'], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(fs.existsSync(path.join(p.dir, 'bk-nocompose', 'manifest.json'))).toBe(true);
    const d = p.cp(['restore'], ['bk-nocompose', '--dry-run', '--force'], { env });
    expect(d.code, d.stderr).toBe(0);
    report('backup: backup and restore --dry-run work with the Docker CLI alone (no Compose on PATH): PASS');
  });

  it('refuses a non-empty target and an altered archive; --force replaces (a file not in the backup is gone)', () => {
    const refused = p.cp(['restore'], ['bk1', 'vol']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^compose-persist: error .* is not empty: restoring would mix old and new files; nothing restored/m);
    p.sh('vol', 'echo stale > /data/not-in-backup');

    // one byte changed: refused before anything is touched
    fs.cpSync(path.join(p.dir, 'bk1'), path.join(p.dir, 'bk-bad'), { recursive: true });
    const file = path.join(p.dir, 'bk-bad', 'vol--vol-data.tar');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 2048] ^= 1;
    fs.writeFileSync(file, bytes);
    const bad = p.cp(['restore'], ['bk-bad', '--force']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('does not match its checksum');
    expect(p.sh('vol', 'cat /data/not-in-backup').trim()).toBe('stale');
    // truncated too
    fs.truncateSync(file, 1024);
    expect(p.cp(['restore'], ['bk-bad', 'vol', '--force']).stderr).toContain('does not match its checksum');

    const forced = p.cp(['restore'], ['bk1', 'vol', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(p.sh('vol', 'ls -A /data')).not.toContain('not-in-backup');
    expect(p.sh('vol', LIST_TREE('/data')).trim()).toBe(before.vol);
    expect(p.running('vol')).toBe(true);
    const safety = fs.readdirSync(path.join(p.dir, 'bk1')).find((f) => f.startsWith('pre-restore-'));
    expect(safety).toBeDefined();
    expect(fs.existsSync(path.join(p.dir, 'bk1', safety!, 'manifest.json'))).toBe(true);
    report('backup: restore refuses a non-empty target and an altered or truncated archive; --force replaces: PASS');
  });

  it('a backup with stop that fails in the middle leaves the services running and no manifest', () => {
    // the second archive's helper fails: the shared volume's host directory is gone
    fs.rmSync(path.join(store, 'shr-files'), { recursive: true, force: true });
    const r = p.cp(['backup'], ['vol', 'shr', '-o', 'bk2', '--consistency', 'stop']);
    fs.mkdirSync(path.join(store, 'shr-files'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('compose-persist: error'))).toHaveLength(1);
    expect(fs.existsSync(path.join(p.dir, 'bk2', 'manifest.json'))).toBe(false);
    expect(fs.readdirSync(path.join(p.dir, 'bk2')).filter((f) => f.endsWith('.tar'))).toEqual([]);
    expect(p.running('vol')).toBe(true);
    report(`backup: a stop backup failing in the middle leaves the service running, no manifest: ${p.running('vol') ? 'PASS' : 'FAIL'}`);
  });

  it('faults: a missing backup, a read-only backup directory, another project name: one line, exit 1', () => {
    const none = p.cp(['restore'], ['no-such-dir']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^compose-persist: error .*has no manifest.json/m);
    const other = p.cp(['backup'], ['vol', '-o', 'bk3', '-p', `${prefix}nothere`]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`volume ${prefix}nothere_vol-data`);
    mustDocker(['run', '--rm', '-v', `${p.dir}:/w`, 'busybox:latest', 'sh', '-c', 'mkdir -p /w/ro && chmod 555 /w/ro']);
    const ro = p.cp(['backup'], ['vol', '-o', 'ro/x']);
    // root ignores modes: then the read-only case cannot be made here
    if (process.getuid?.() !== 0) {
      expect(ro.code).toBe(1);
      expect(ro.stderr).toContain('cannot');
    }
  });
});
