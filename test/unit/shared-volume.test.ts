/**
 * Issue 12.3: one volume, several services. A name: used by several services is one
 * top-level volume, declared once; two patterns or back-ends for it are an error naming both
 * services, and so is moving a volume that services mount by hand onto NFS.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, errorsOf } from '../helpers/run.js';
import { explainTable } from '../../src/explain.js';

const head = `services:
  app: {image: example/app:1}
  worker: {image: example/app:1}
  cron: {image: example/app:1}
`;
const nas = `  backends:\n    nas: {type: nfs, address: 127.0.0.1, export: /exports/app}\n`;

type Data = { services: Record<string, { volumes?: unknown[] }>; volumes?: Record<string, unknown> };

describe('a name: shared by several services', () => {
  it.each([
    ['volume', '', 'pattern: volume', 'pattern: volume', {}],
    ['shared (NFS)', nas, 'pattern: shared, backend: nas', 'pattern: shared, backend: nas', { driver: 'local', driver_opts: { type: 'nfs', o: 'addr=127.0.0.1,rw,nfsvers=4', device: ':/exports/app/files' } }],
  ])('%s: one top-level volume, mounted by every service', (_, backends, p1, p2, decl) => {
    const src = `${head}x-persistence:\n${backends}  services:\n    app: {${p1}, mounts: [{target: /srv/files, name: files}]}\n    worker: {${p2}, mounts: [{target: /data/files, name: files, read_only: true}]}\n    cron: {${p2}, mounts: [{target: /files, name: files}]}\n`;
    for (const fast of [true, false]) {
      const r = buildText(src, { fast });
      expect(errorsOf(r)).toEqual([]);
      const data = parse(r.text!) as Data;
      expect(data.volumes).toEqual({ files: decl });
      // Declared once in the text too (a second key would be a duplicate).
      expect(r.text!.match(/^ {2}files:/gm)).toHaveLength(1);
      expect(data.services.app!.volumes).toEqual([{ type: 'volume', source: 'files', target: '/srv/files' }]);
      expect(data.services.worker!.volumes).toEqual([{ type: 'volume', source: 'files', target: '/data/files', read_only: true }]);
      expect(data.services.cron!.volumes).toEqual([{ type: 'volume', source: 'files', target: '/files' }]);
    }
  });

  it('explain lists every service that mounts it, the block\'s and by hand', () => {
    const src = `services:\n  app: {image: a}\n  worker: {image: a}\n  cron: {image: a, volumes: ["files:/files"]}\nvolumes:\n  files: {}\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [{target: /srv/files, name: files}]}\n    worker: {pattern: volume, mounts: [{target: /data, name: files}]}\n`;
    const r = buildText(src, { planOnly: true });
    expect(errorsOf(r)).toEqual([]);
    const table = explainTable(r.plan!);
    expect(table).toMatch(/^app .*volume files -> \/srv\/files \(shared with worker, cron\)$/m);
    expect(table).toMatch(/^worker .*volume files -> \/data \(shared with app, cron\)$/m);
  });

  it('a volume the file declares and other services mount by hand: the block may mount it too, declared once', () => {
    const src = `services:\n  app: {image: a}\n  worker: {image: a, volumes: ["files:/files"]}\nvolumes:\n  files: {}\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [{target: /srv/files, name: files}]}\n`;
    const r = buildText(src);
    expect(errorsOf(r)).toEqual([]);
    const data = parse(r.text!) as Data;
    expect(data.volumes).toEqual({ files: {} });
    expect(data.services.app!.volumes).toEqual([{ type: 'volume', source: 'files', target: '/srv/files' }]);
    expect(data.services.worker!.volumes).toEqual(['files:/files']);
  });
});

describe('a shared volume that is not one volume is an error naming both services', () => {
  it.each([
    ['volume and NFS', 'pattern: volume', 'pattern: shared, backend: nas', /shared by services app and worker, which give it different patterns/],
    ['volume and data-container', 'pattern: volume', 'pattern: data-container', /shared by services app and worker/],
    ['NFS and plugin', 'pattern: shared, backend: nas', 'pattern: plugin, backend: px', /shared by services app and worker/],
  ])('%s', (_, p1, p2, message) => {
    const src = `${head}x-persistence:\n${nas}    px: {type: plugin, driver: acme/x}\n  services:\n    app: {${p1}, mounts: [{target: /srv/files, name: files}]}\n    worker: {${p2}, mounts: [{target: /files, name: files}]}\n`;
    const r = buildText(src);
    expect(r.text).toBeUndefined();
    const errs = errorsOf(r);
    expect(errs.map((e) => e.code)).toEqual(['SHARED_VOLUME_MISMATCH']);
    expect(errs[0]!.message).toMatch(message);
    expect(errs[0]!.line).toBe(src.split('\n').findIndex((l) => l.startsWith('    worker:')) + 1);
  });

  it.each([
    ['NFS', `files: {}`, 'pattern: shared, backend: nas'],
    ['a plain local volume onto a declared NFS one', `files: {driver_opts: {type: nfs, o: "addr=127.0.0.1,rw", device: ":/x"}}`, 'pattern: volume'],
  ])('moving a volume that other services mount by hand: %s', (_, decl, pattern) => {
    const src = `services:\n  app: {image: a}\n  worker: {image: a, volumes: ["files:/files"]}\n  cron: {image: a, volumes: [{type: volume, source: files, target: /f}]}\nvolumes:\n  ${decl}\nx-persistence:\n${nas}  services:\n    app: {${pattern}, mounts: [{target: /srv/files, name: files}]}\n`;
    const r = buildText(src);
    expect(r.text).toBeUndefined();
    const [e, ...rest] = errorsOf(r);
    expect(rest).toEqual([]);
    expect(e!.code).toBe('SHARED_VOLUME_MISMATCH');
    expect(e!.message).toContain('mounted by hand by service worker, service cron');
    expect(e!.message).toContain('service app would make it');
  });

  it('generated names that collide stay NAME_COLLISION (only a name: is a promise to share)', () => {
    const src = `services:\n  a-b: {image: a}\n  a: {image: a}\nx-persistence:\n  default: volume\n  services:\n    a-b: {mounts: [/c]}\n    a: {mounts: [/b-c]}\n`;
    expect(errorsOf(buildText(src)).map((e) => e.code)).toEqual(['NAME_COLLISION']);
  });
});
