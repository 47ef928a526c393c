// A pattern per mount (issue 12.4): one service keeps media on shared storage (a hostpath store),
// an upload inbox as a bind owned by 1000:1000, its state in a named volume, and a cache as
// `none`. On the engine: an upgrade keeps the first three and loses the cache, as explain claims;
// a host loss (down -v, local volumes gone) keeps only the shared media.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPersist, IMAGE_V1, IMAGE_V2, makeWorkDir, Project, report } from './lib.js';
import { destroyProject } from './checks.js';

const source = (store: string) => `services:
  app:
    image: example/app:1
x-persistence:
  backends:
    store: { type: hostpath, path: ${JSON.stringify(store)} }
  services:
    app:
      pattern: volume
      mounts:
        - { target: /srv/media, pattern: shared, backend: store }
        - { target: /srv/inbox, pattern: bind, owner: "1000:1000" }
        - /var/lib/app
        - { target: /cache, pattern: none }
`;

describe.skipIf(!inject('engine'))('a pattern per mount', () => {
  let p: Project;
  let store = '';

  beforeAll(() => {
    const dir = makeWorkDir('mount-patterns');
    store = path.join(dir, 'store');
    fs.mkdirSync(path.join(store, 'app-media'), { recursive: true });
    const src = path.join(dir, 'src', 'mixed.persist.yaml');
    fs.mkdirSync(path.dirname(src));
    fs.writeFileSync(src, source(store));
    p = new Project(`${inject('runPrefix')}mix`, buildPersist(src, dir));
    p.setImages({ image: IMAGE_V1 });
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('the output gives each mount its own pattern', () => {
    const out = p.built.output;
    expect(out.services.app.volumes).toEqual([
      { type: 'volume', source: 'app-media', target: '/srv/media' },
      './data/app-inbox:/srv/inbox',
      { type: 'volume', source: 'app-app', target: '/var/lib/app' },
    ]);
    expect(out.volumes['app-media'].driver_opts).toEqual({ type: 'none', o: 'bind', device: path.join(store, 'app-media') });
    expect(Object.keys(out.services)).toEqual(['app', 'app-init']);
  });

  it('an upgrade keeps media, inbox and state, loses the cache; the inbox is owned by 1000:1000', () => {
    p.up();
    const t = `mix-${Date.now()}`;
    expect(p.exec('app', `for d in /srv/media /srv/inbox /var/lib/app /cache; do mkdir -p $d && echo ${t} > $d/note; done`).code).toBe(0);
    expect(p.exec('app', 'stat -c %u:%g /srv/inbox').stdout.trim()).toBe('1000:1000');
    const before = p.cid('app');
    p.setImages({ image: IMAGE_V2 });
    p.up();
    expect(p.cid('app')).not.toBe(before);
    const read = (d: string) => p.exec('app', `cat ${d}/note 2>/dev/null`).stdout.trim();
    const seen = Object.fromEntries(['/srv/media', '/srv/inbox', '/var/lib/app', '/cache'].map((d) => [d, read(d)]));
    report(`mount patterns: upgrade keeps shared/bind/volume and loses none: ${JSON.stringify(seen)}`);
    expect(seen).toEqual({ '/srv/media': t, '/srv/inbox': t, '/var/lib/app': t, '/cache': '' });
    expect(fs.readFileSync(path.join(store, 'app-media', 'note'), 'utf8').trim()).toBe(t);
  });

  it('a host loss (down -v, the bind directory gone) keeps only the shared media', () => {
    const t = fs.readFileSync(path.join(store, 'app-media', 'note'), 'utf8').trim();
    p.mustCompose(['down', '-v', '-t', '2']);
    fs.rmSync(path.join(p.built.workDir, 'data'), { recursive: true, force: true });
    p.up();
    const read = (d: string) => p.exec('app', `cat ${d}/note 2>/dev/null`).stdout.trim();
    expect(read('/srv/media')).toBe(t);
    expect(read('/srv/inbox')).toBe('');
    expect(read('/var/lib/app')).toBe('');
  });
});
