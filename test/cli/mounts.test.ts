/**
 * Issue 12 (3, 4, 5, 8) through the command line: explain and validate audit a plain
 * file, the levels they print, shared volumes and a pattern per mount.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run.js';

function file(text: string, name = 'compose.persist.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'cp-mounts-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const PLAIN = `services:
  db:
    image: postgres:16
    volumes: ["./pg:/var/lib/postgresql"]
  cache:
    image: redis:7
  app:
    image: example/app:1
    volumes: ["uploads:/srv/uploads", "media:/srv/media", {type: tmpfs, target: /tmp}]
volumes:
  uploads: {}
  media: {driver_opts: {type: nfs, o: "addr=127.0.0.1,rw,nfsvers=4", device: ":/media"}}
`;

describe('explain and validate on a file without a block', () => {
  it('explain: a row per service and per own mount, with its level', async () => {
    const r = await cli(['explain', '-q', '-f', file(PLAIN, 'docker-compose.yml')]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain("no persistence block: nothing is generated; each service's own mounts:");
    expect(out).toMatch(/^db\s+-\s+container\s+yes\s+NO\s+its own mounts keep \/var\/lib\/postgresql\/data$/m);
    expect(out).toMatch(/^ {2}\/var\/lib\/postgresql\s+bind\s+container\s+yes\s+NO\s+bind \.\/pg$/m);
    expect(out).toMatch(/^cache\s+-\s+none\s+NO\s+NO\s+not listed: \/data is in an anonymous volume/m);
    expect(out).toMatch(/^ {2}\/srv\/uploads\s+volume\s+container\s+yes\s+NO\s+named volume uploads$/m);
    expect(out).toMatch(/^ {2}\/srv\/media\s+nfs\s+host\s+yes\s+yes\s+named volume media on NFS/m);
    expect(out).toMatch(/^ {2}\/tmp\s+tmpfs\s+none\s+NO\s+NO\s+tmpfs/m);
    const j = JSON.parse((await cli(['explain', '-q', '--format', 'json', '-f', file(PLAIN, 'docker-compose.yml')])).stdout);
    expect(j.services.map((s: { service: string }) => s.service)).toEqual(['db', 'cache', 'app']);
    expect(j.services[2].mounts.map((m: { kind?: string; pattern: string }) => m.pattern)).toEqual(['volume', 'nfs', 'tmpfs']);
  });

  it('explain --target swarm: an unpinned bind or local volume is level none', async () => {
    const r = await cli(['explain', '-q', '--target', 'swarm', '-f', file(PLAIN, 'docker-compose.yml')]);
    expect(r.stdout).toMatch(/^db\s+-\s+none\s+NO\s+NO/m);
    expect(r.stdout).toMatch(/^ {2}\/var\/lib\/postgresql\s+bind\s+none\s+NO\s+NO/m);
    expect(r.stdout).toMatch(/^ {2}\/srv\/uploads\s+volume\s+none\s+NO\s+NO/m);
    expect(r.stdout).toMatch(/^ {2}\/srv\/media\s+nfs\s+host\s+yes\s+yes/m);
  });

  it('validate: ok, and says how many own mounts are at level none', async () => {
    const r = await cli(['validate', '-f', file(PLAIN, 'docker-compose.yml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('UNPERSISTED_STATE');
    expect(r.stderr).toContain('ok: no persistence block; the file passes through unchanged; 4 mount(s) of the services\' own, of which 1 at level none (app:/tmp)');
  });
});

describe('one volume, several services', () => {
  const SHARED = `services:\n  app: {image: a}\n  worker: {image: a}\nx-persistence:\n  default: volume\n  services:\n    app: {mounts: [{target: /srv/files, name: files}]}\n    worker: {mounts: [{target: /data, name: files}]}\n`;
  it('build: exit 0, one declaration; explain names the other services', async () => {
    const f = file(SHARED);
    const b = await cli(['build', '-f', f]);
    expect(b.code).toBe(0);
    expect(b.stdout.match(/^ {2}files: \{\}$/gm)).toHaveLength(1);
    const e = await cli(['explain', '-f', f]);
    expect(e.stdout).toMatch(/^app\s+volume\s+container\s+yes\s+NO\s+volume files -> \/srv\/files \(shared with worker\)$/m);
  });
  it('two back-ends for one name: exit 1, file:line:col naming both services', async () => {
    const f = file(SHARED.replace('  default: volume\n', '  default: volume\n  backends:\n    nas: {type: nfs, address: 127.0.0.1, export: /e}\n').replace('worker: {mounts', 'worker: {pattern: shared, backend: nas, mounts'));
    const r = await cli(['build', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/compose\.persist\.yaml:\d+:\d+: error SHARED_VOLUME_MISMATCH volume "files" is shared by services app and worker/);
  });
});
