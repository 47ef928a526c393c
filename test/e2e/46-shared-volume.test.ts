// One volume, several services (issue 12.3): an app and its worker name the same volume in the
// block; the generated file declares it once and both containers see the same data, also
// after the app is recreated on a new image.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPersist, IMAGE_V1, IMAGE_V2, makeWorkDir, Project, report } from './lib.js';
import { destroyProject } from './checks.js';

const SOURCE = `services:
  app:
    image: example/app:1
  worker:
    image: example/app:1
  cron:
    image: example/app:1
    volumes: ["files:/mnt/files:ro"]
volumes:
  files: {}
x-persistence:
  default: volume
  services:
    app: { mounts: [{ target: /srv/files, name: files }] }
    worker: { mounts: [{ target: /data/files, name: files }] }
`;

describe.skipIf(!inject('engine'))('shared volume', () => {
  let p: Project;

  beforeAll(() => {
    const dir = makeWorkDir('shared-volume');
    const src = path.join(dir, 'src', 'shared.persist.yaml');
    fs.mkdirSync(path.dirname(src));
    fs.writeFileSync(src, SOURCE);
    p = new Project(`${inject('runPrefix')}shv`, buildPersist(src, dir));
    p.setImages({ image: IMAGE_V1 });
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('the output declares the volume once and every service mounts it', () => {
    const out = p.built.output;
    expect(Object.keys(out.volumes)).toEqual(['files']);
    expect(out.services.app.volumes).toEqual([{ type: 'volume', source: 'files', target: '/srv/files' }]);
    expect(out.services.worker.volumes).toEqual([{ type: 'volume', source: 'files', target: '/data/files' }]);
    expect(out.services.cron.volumes).toEqual(['files:/mnt/files:ro']);
  });

  it('what the app writes, the worker and the hand-written cron read; an upgrade of the app keeps it', () => {
    p.up();
    const token = `shared-${Date.now()}`;
    expect(p.exec('app', `echo ${token} > /srv/files/note`).code).toBe(0);
    expect(p.exec('worker', 'cat /data/files/note').stdout.trim()).toBe(token);
    expect(p.exec('cron', 'cat /mnt/files/note').stdout.trim()).toBe(token);
    const before = p.cid('app');
    p.setImages({ image: IMAGE_V2 });
    p.up();
    expect(p.cid('app')).not.toBe(before);
    const kept = p.exec('app', 'cat /srv/files/note').stdout.trim();
    expect(p.exec('worker', 'echo from-worker > /data/files/reply').code).toBe(0);
    expect(p.exec('app', 'cat /srv/files/reply').stdout.trim()).toBe('from-worker');
    report(`shared volume: app, worker and cron share one volume across an upgrade: ${kept === token ? 'PASS' : 'FAIL'}`);
    expect(kept).toBe(token);
  });
});
