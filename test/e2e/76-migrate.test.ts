// migrate OLD NEW --apply: volume -> bind, data-container -> volume (renamed), volume ->
// shared (hostpath); then build, up, and the data is read through the new pattern.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { docker, must, CLI, report } from './lib.js';
import { DataProject, LIST_TREE, STAY, WRITE_TREE, listTree } from './dataops-lib.js';

describe.skipIf(!inject('engine'))('migrate', () => {
  const prefix = inject('runPrefix');
  const p = new DataProject(`${prefix}mig`, 'migrate');
  const store = path.join(p.dir, 'store');
  afterAll(() => p.destroy([`${p.name}_a-data`, `${p.name}_b-data`, `${p.name}_c-data`, `${p.name}_b-store`, `${p.name}_c-shared`]));
  const svc = (n: string) => `  ${n}:\n    image: busybox:latest\n    command: ${STAY}\n`;
  const src = (block: string) => `services:\n${['a', 'b', 'c'].map(svc).join('')}x-persistence:\n  backends:\n    st: { type: hostpath, path: ${store} }\n  services:\n${block}`;

  it('copies each moved mount with owners and modes; up on NEW reads the same tree; the old data stays', () => {
    fs.mkdirSync(store, { recursive: true });
    fs.writeFileSync(path.join(p.dir, 'old.persist.yaml'), src('    a: { pattern: volume, mounts: [/data] }\n    b: { pattern: data-container, mounts: [/data] }\n    c: { pattern: volume, mounts: [/data] }\n'));
    p.write(fs.readFileSync(path.join(p.dir, 'old.persist.yaml'), 'utf8'));
    p.compose(['up', '-d']);
    const before: Record<string, string> = {};
    for (const s of ['a', 'b', 'c']) {
      p.sh(s, WRITE_TREE('/data'));
      before[s] = p.sh(s, LIST_TREE('/data')).trim();
    }
    fs.writeFileSync(path.join(p.dir, 'compose.persist.yaml'), src('    a: { pattern: bind, mounts: [/data] }\n    b: { pattern: volume, mounts: [{ target: /data, name: b-store }] }\n    c: { pattern: shared, backend: st, mounts: [{ target: /data, name: c-shared }] }\n'));
    // under the same name the volume would keep its old options: migrate says so and stops
    fs.writeFileSync(path.join(p.dir, 'same-name.persist.yaml'), src('    c: { pattern: shared, backend: st, mounts: [/data] }\n'));
    const blocked = p.cp(['migrate', 'old.persist.yaml', 'same-name.persist.yaml']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`volume ${p.name}_c-data keeps its name but changes driver or options`);
    // the shared host directory does not exist yet: refused before anything is stopped, the
    // volume migrate created for it removed again, nothing copied
    const noDir = p.cp(['migrate', 'old.persist.yaml', 'compose.persist.yaml', '--apply']);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(new RegExp(`^compose-persist: error the new volume ${p.name}_c-shared \\(c /data\\) cannot be mounted: .*no such file or directory.*\\(its back-end directory ${store}/c-shared must exist on this host: is the shared storage mounted there\\?\\); nothing was copied$`, 'm'));
    expect(noDir.stderr).not.toContain('stopped');
    expect(docker(['volume', 'inspect', `${p.name}_c-shared`]).code).not.toBe(0);
    for (const s of ['a', 'b', 'c']) expect(p.running(s)).toBe(true);
    report('migrate: a shared host directory that does not exist: refused before anything is stopped, the new volume removed: PASS');
    fs.mkdirSync(path.join(store, 'c-shared'));

    const planOnly = p.cp(['migrate', 'old.persist.yaml', 'compose.persist.yaml']);
    expect(planOnly.code, planOnly.stderr).toBe(0);
    expect(planOnly.stdout).toContain(`would copy a /data: volume ${p.name}_a-data -> bind ${path.join(p.dir, 'data/a-data')}`);
    expect(planOnly.stdout).toContain(`would copy b /data: volume ${p.name}_b-data -> volume ${p.name}_b-store`);
    expect(planOnly.stdout).toContain(`would copy c /data: volume ${p.name}_c-data -> volume ${p.name}_c-shared`);
    expect(fs.existsSync(path.join(p.dir, 'data/a-data'))).toBe(false);

    const r = p.cp(['migrate', 'old.persist.yaml', 'compose.persist.yaml', '--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`delete it with: docker volume rm ${p.name}_a-data`);
    for (const s of ['a', 'b', 'c']) expect(p.running(s)).toBe(true);
    // a second --apply finds the targets filled: refused
    const again = p.cp(['migrate', 'old.persist.yaml', 'compose.persist.yaml', '--apply']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^compose-persist: error .* is not empty: copying would mix/m);

    must('node', [CLI, 'build', '-o', 'docker-compose.yml'], { cwd: p.dir });
    p.compose(['up', '-d', '--remove-orphans']);
    let same = true;
    for (const s of ['a', 'b', 'c']) {
      const now = p.sh(s, LIST_TREE('/data')).trim();
      expect(now, s).toBe(before[s]);
      same &&= now === before[s];
    }
    // the old volumes are kept
    expect(listTree(`${p.name}_a-data`)).toBe(before.a!.replaceAll('/data', '/x'));
    report(`migrate: volume -> bind, data-container -> volume, volume -> shared hostpath; up reads the same tree: ${same ? 'PASS' : 'FAIL'}`);
  });

  it('nothing to move when the data stays (data-container -> volume under the same name)', () => {
    const dir = p.dir;
    fs.writeFileSync(path.join(dir, 'x-old.persist.yaml'), src('    b: { pattern: data-container, mounts: [/data] }\n'));
    fs.writeFileSync(path.join(dir, 'x-new.persist.yaml'), src('    b: { pattern: volume, mounts: [/data] }\n'));
    const r = p.cp(['migrate', 'x-old.persist.yaml', 'x-new.persist.yaml', '--apply']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to move');
    expect(docker(['volume', 'inspect', `${p.name}_b-data`]).code).toBe(0);
  });
});
