import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, errorsOf } from '../helpers/run.js';

const out = (text: string) => {
  const r = buildText(text);
  expect(errorsOf(r)).toEqual([]);
  return { text: r.text!, data: parse(r.text!, { merge: true }) as Record<string, any>, raw: parse(r.text!) as Record<string, any>, r };
};

describe('patterns', () => {
  it('volume: a named volume per mount, declared at the top level', () => {
    const { data } = out(`services:\n  db: {image: postgres:16}\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [/var/lib/postgresql/data, {target: /etc/x, name: db-conf, read_only: true}]}\n`);
    expect(data.services.db.volumes).toEqual([
      { type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data' },
      { type: 'volume', source: 'db-conf', target: '/etc/x', read_only: true },
    ]);
    expect(data.volumes).toEqual({ 'db-data': {}, 'db-conf': {} });
    expect(data['x-persistence']).toBeUndefined();
  });

  it('none adds nothing', () => {
    const src = `services:\n  cache: {image: memcached}\nx-persistence:\n  services:\n    cache: {pattern: none, reason: rebuilt}\n`;
    const { data } = out(src);
    expect(data).toEqual({ services: { cache: { image: 'memcached' } } });
  });

  it('data-container: sidecar owns named volumes; service gets volumes_from and depends_on', () => {
    const { data } = out(`services:\n  wiki: {image: w}\nx-persistence:\n  services:\n    wiki: {pattern: data-container, mounts: [/var/www/data]}\n`);
    expect(data.services.wiki.volumes_from).toEqual(['wiki-data']);
    expect(data.services.wiki.depends_on).toEqual({ 'wiki-data': { condition: 'service_started' } });
    expect(data.services['wiki-data']).toMatchObject({ image: 'busybox:latest', command: ['true'], volumes: [{ type: 'volume', source: 'wiki-data', target: '/var/www/data' }] });
    expect(data.services.wiki.volumes).toBeUndefined();
    expect(data.volumes).toEqual({ 'wiki-data': {} });
  });

  it('bind with owner: short-form bind and a root init service that chowns before start', () => {
    const { data, text } = out(`services:\n  app: {image: a, user: "1000:1000"}\nx-persistence:\n  services:\n    app: {pattern: bind, owner: "1000:1000", mounts: [{target: /var/lib/app, source: state}]}\n`);
    expect(data.services.app.volumes).toEqual(['./state:/var/lib/app']);
    expect(data.services.app.user).toBe('1000:1000');
    expect(data.services.app.depends_on).toEqual({ 'app-init': { condition: 'service_completed_successfully' } });
    const init = data.services['app-init'];
    expect(init.user).toBe('0:0');
    expect(init.command).toEqual(['chown', '-R', '1000:1000', '/mnt/app-app']);
    expect(init.volumes).toEqual(['./state:/mnt/app-app']);
    // YAML 1.1 readers (docker-compose 1.29) would read a plain 0:0 as a number.
    expect(text).toContain('user: "0:0"');
  });

  it('bind without source uses ./data/<name>; read_only adds :ro', () => {
    const { data } = out(`services:\n  app: {image: a}\nx-persistence:\n  services:\n    app: {pattern: bind, mounts: [{target: /srv, read_only: true}]}\n`);
    expect(data.services.app.volumes).toEqual(['./data/app-srv:/srv:ro']);
    expect(data.services['app-init']).toBeUndefined();
  });

  it('shared nfs v4 and v3 driver_opts have the shape the local driver needs', () => {
    const v4 = out(`services:\n  f: {image: f}\nx-persistence:\n  backends:\n    nas: {type: nfs, address: 10.0.0.5, export: /exports/app}\n  services:\n    f: {pattern: shared, backend: nas, mounts: [/srv/files]}\n`).data;
    expect(v4.volumes['f-files']).toEqual({ driver: 'local', driver_opts: { type: 'nfs', o: 'addr=10.0.0.5,rw,nfsvers=4', device: ':/exports/app/f-files' } });
    const v3 = out(`services:\n  f: {image: f}\nx-persistence:\n  backends:\n    nas: {type: nfs, address: nas.lan, export: /e/, version: 3}\n  services:\n    f: {pattern: shared, backend: nas, mounts: [{target: /srv/files, path: "."}]}\n`).data;
    expect(v3.volumes['f-files'].driver_opts).toEqual({ type: 'nfs', o: 'addr=nas.lan,rw,nolock,hard,nfsvers=3', device: ':/e/' });
  });

  it('shared cifs keeps ${VAR} credentials as references, never literal values', () => {
    const { text, data } = out(`services:\n  r: {image: r}\nx-persistence:\n  backends:\n    smb: {type: cifs, address: fs, share: data, username: "\${CIFS_USER}", password: "\${CIFS_PASSWORD}"}\n  services:\n    r: {pattern: shared, backend: smb, mounts: [/srv]}\n`);
    expect(data.volumes['r-srv'].driver_opts).toEqual({ type: 'cifs', o: 'addr=fs,username=${CIFS_USER},password=${CIFS_PASSWORD},vers=3.0', device: '//fs/data/r-srv' });
    expect(text).not.toMatch(/password=[^$]/);
  });

  it('a literal CIFS password is a warning naming its line', () => {
    const r = buildText(`services:\n  r: {image: r}\nx-persistence:\n  backends:\n    smb:\n      type: cifs\n      address: fs\n      share: data\n      password: hunter2\n  services:\n    r: {pattern: shared, backend: smb, mounts: [/srv]}\n`);
    const w = r.diagnostics.find((d) => d.code === 'LITERAL_SECRET')!;
    expect(w).toMatchObject({ severity: 'warning', line: 9, col: 17 });
    expect(r.text).toBeDefined();
  });

  it('shared hostpath uses the local driver bind, which refuses a missing directory', () => {
    const { data } = out(`services:\n  m: {image: m}\nx-persistence:\n  backends:\n    g: {type: hostpath, path: /mnt/gluster}\n  services:\n    m: {pattern: shared, backend: g, mounts: [/data]}\n`);
    expect(data.volumes['m-data']).toEqual({ driver: 'local', driver_opts: { type: 'none', o: 'bind', device: '/mnt/gluster/m-data' } });
  });

  it('plugin: driver and driver_opts, mount options over back-end options', () => {
    const { data } = out(`services:\n  l: {image: l}\nx-persistence:\n  backends:\n    s: {type: plugin, driver: myco/vol, options: {size: 10, tier: gold}}\n  services:\n    l: {pattern: plugin, backend: s, mounts: [{target: /data, options: {tier: silver}}]}\n`);
    expect(data.volumes['l-data']).toEqual({ driver: 'myco/vol', driver_opts: { size: '10', tier: 'silver' } });
  });

  it('plugin presets check their options: REX-Ray size must be whole GiB', () => {
    const r = buildText(`services:\n  q: {image: q}\nx-persistence:\n  backends:\n    ebs: {type: plugin, preset: rexray, options: {size: 10G}}\n  services:\n    q: {pattern: plugin, backend: ebs, mounts: [/data]}\n`);
    expect(errorsOf(r)[0]).toMatchObject({ code: 'PRESET_OPTION', line: 5 });
    expect(r.text).toBeUndefined();
  });
});

describe('pass-through fidelity', () => {
  const src = `# top comment
name: proj
include: [./other.yaml]
x-base: &base
  image: example/base:1
  volumes:
    - logs:/var/log/app
  depends_on: [redis]
services:
  redis:
    image: redis:7
    profiles: [cache]
  api:
    <<: *base
    extends: {file: common.yaml, service: webapp}
    configs: [app_config]
    secrets: [key]
    environment:
      PRICE: "$$5"
      URL: \${URL:-http://x}
      PASS: \${PASS}
volumes:
  logs: {}
configs:
  app_config: {file: ./app.conf}
secrets:
  key: {file: ./key}
x-persistence:
  services:
    api: {pattern: volume, mounts: [/var/lib/api]}
`;
  it('keeps interpolation, $$, x- fields, anchors, extends, include, profiles, secrets, configs', () => {
    const { text, raw, data } = out(src);
    expect(text).toContain('PRICE: "$$5"');
    expect(text).toContain('URL: ${URL:-http://x}');
    expect(text).toContain('# top comment');
    expect(text).toContain('x-base: &base');
    expect(text).toContain('<<: *base');
    expect(raw.name).toBe('proj');
    expect(raw.include).toEqual(['./other.yaml']);
    expect(raw.services.api.extends).toEqual({ file: 'common.yaml', service: 'webapp' });
    expect(raw.services.redis.profiles).toEqual(['cache']);
    expect(raw.configs).toEqual({ app_config: { file: './app.conf' } });
    expect(raw.secrets).toEqual({ key: { file: './key' } });
    expect(data.services.api.secrets).toEqual(['key']);
    // The inherited volume list is written in full on the service; the anchor is untouched.
    expect(raw['x-base'].volumes).toEqual(['logs:/var/log/app']);
    expect(data.services.api.volumes).toEqual(['logs:/var/log/app', { type: 'volume', source: 'api-api', target: '/var/lib/api' }]);
    expect(data.services.api.depends_on).toEqual(['redis']);
  });

  it('is deterministic and starts with a generated-from header', () => {
    const a = buildText(src).text!;
    const b = buildText(src).text!;
    expect(a).toBe(b);
    expect(a.split('\n')[0]).toBe('# Generated by compose-persist from compose.persist.yaml.');
  });

  it('an input without a block passes through byte for byte (build is idempotent on its output)', () => {
    const first = buildText(src).text!;
    const second = buildText(first, {}, 'docker-compose.yml');
    expect(second.text).toBe(first);
    expect(second.hasBlock).toBe(false);
  });

  it('a short depends_on list keeps its meaning when an init service is added', () => {
    const { data } = out(`services:\n  db: {image: p}\n  web:\n    image: n\n    depends_on: [db]\nx-persistence:\n  services:\n    web: {pattern: bind, owner: "1:1", mounts: [/srv]}\n`);
    expect(data.services.web.depends_on).toEqual({ db: { condition: 'service_started' }, 'web-init': { condition: 'service_completed_successfully' } });
  });

  it('accepts persistence: as the short form, and refuses both spellings', () => {
    expect(out(`services:\n  a: {image: a}\npersistence:\n  services:\n    a: {pattern: volume, mounts: [/d]}\n`).data.volumes).toEqual({ 'a-d': {} });
    const r = buildText(`services:\n  a: {image: a}\npersistence: {}\nx-persistence: {}\n`);
    expect(errorsOf(r)[0]).toMatchObject({ code: 'BOTH_BLOCKS', line: 3, col: 1 });
  });
});

describe('injection', () => {
  const hostile = ['a\nb: c', 'x: y', 'x # c', '"q\'', '{{ evil }}', '${EVIL}', '- item', '&a *a', '!!binary x', '\u2028z'];
  // Written as YAML double-quoted strings (a raw U+2028 in a file is refused, escaped it is a value).
  const q = (s: string) => JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  for (const s of hostile) {
    it(`a hostile string ${JSON.stringify(s)} stays one scalar`, () => {
      const src = `services:\n  a: {image: a}\nx-persistence:\n  backends:\n    p: {type: plugin, driver: drv, options: {opt: ${q(s)}}}\n  services:\n    a: {pattern: data-container, image: ${q(s)}, mounts: [{target: /d, options: {}}]}\n`;
      const r = buildText(src);
      expect(errorsOf(r)).toEqual([]);
      const data = parse(r.text!) as Record<string, any>;
      expect(Object.keys(data)).toEqual(['services', 'volumes']);
      expect(Object.keys(data.services)).toEqual(['a', 'a-data']);
      expect(data.services['a-data'].image).toBe(s);
    });
  }
});

describe('semantic errors point at the line', () => {
  const cases: [string, string, string, number, number][] = [
    ['unknown service, with did-you-mean', `services:\n  web: {image: n}\nx-persistence:\n  services:\n    wbe: {pattern: volume, mounts: [/d]}\n`, 'UNKNOWN_SERVICE', 5, 5],
    ['relative target', `services:\n  web: {image: n}\nx-persistence:\n  services:\n    web:\n      pattern: volume\n      mounts: [data]\n`, 'RELATIVE_TARGET', 7, 16],
    ['undeclared back-end', `services:\n  web: {image: n}\nx-persistence:\n  services:\n    web: {pattern: shared, backend: nsa, mounts: [/d]}\n`, 'UNKNOWN_BACKEND', 5, 37],
    ['owner not uid:gid', `services:\n  web: {image: n}\nx-persistence:\n  services:\n    web: {pattern: bind, owner: www-data, mounts: [/d]}\n`, 'SCHEMA_FORMAT', 5, 33],
    ['unknown key', `services:\n  web: {image: n}\nx-persistence:\n  services:\n    web: {patern: volume, mounts: [/d]}\n`, 'SCHEMA_UNKNOWN_KEY', 5, 11],
    ['name collision', `services:\n  web: {image: n}\nvolumes:\n  web-d: {}\nx-persistence:\n  services:\n    web: {pattern: volume, mounts: [/d]}\n`, 'NAME_COLLISION', 7, 37],
    ['mount conflict', `services:\n  web:\n    image: n\n    volumes: ["./x:/d"]\nx-persistence:\n  services:\n    web: {pattern: volume, mounts: [/d]}\n`, 'MOUNT_CONFLICT', 7, 37],
    ['level below require', `services:\n  web: {image: n}\nx-persistence:\n  require: host\n  services:\n    web:\n      pattern: volume\n      mounts: [/d]\n`, 'LEVEL_BELOW_REQUIRED', 7, 16],
  ];
  for (const [name, src, code, line, col] of cases) {
    it(name, () => {
      const r = buildText(src);
      expect(r.text).toBeUndefined();
      expect(errorsOf(r)[0]).toMatchObject({ code, line, col });
    });
  }
  it('did-you-mean for services and patterns', () => {
    expect(errorsOf(buildText(`services:\n  web: {image: n}\nx-persistence:\n  services:\n    wbe: {pattern: volume, mounts: [/d]}\n`))[0]!.hint).toBe('did you mean "web"?');
    expect(errorsOf(buildText(`services:\n  web: {image: n}\nx-persistence:\n  services:\n    web: {pattern: volumes, mounts: [/d]}\n`))[0]).toMatchObject({ code: 'UNKNOWN_PATTERN', hint: 'did you mean "volume"?' });
  });
});

describe('several -f files', () => {
  it('merge by Compose rules: volumes by target, block in one file', async () => {
    const { build } = await import('../../src/index.js');
    const r = build([
      { file: 'a.yaml', text: `services:\n  db:\n    image: p:1\n    volumes: ["./a:/a", "./b:/b"]\n` },
      { file: 'b.yaml', text: `services:\n  db:\n    image: p:2\n    volumes: ["./c:/a"]\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [/data]}\n` },
    ]);
    expect(errorsOf(r)).toEqual([]);
    const data = parse(r.text!) as Record<string, any>;
    expect(data.services.db.image).toBe('p:2');
    expect(data.services.db.volumes).toEqual(['./c:/a', './b:/b', { type: 'volume', source: 'db-data', target: '/data' }]);
    expect(r.text).toContain('from a.yaml, b.yaml');
  });
  it('refuses a block in two files', async () => {
    const { build } = await import('../../src/index.js');
    const r = build([
      { file: 'a.yaml', text: `services:\n  db: {image: p}\nx-persistence: {}\n` },
      { file: 'b.yaml', text: `x-persistence: {}\n` },
    ]);
    expect(errorsOf(r)[0]).toMatchObject({ code: 'BLOCK_IN_SEVERAL_FILES', file: 'b.yaml', line: 1 });
  });
});

describe('paths', () => {
  const src = (source: string, extra = '') => `services:\n  a: {image: a}\nx-persistence:\n${extra}  services:\n    a:\n      pattern: bind\n      mounts:\n        - target: /d\n          source: ${source}\n`;
  for (const s of ['/', '/etc', '/etc/ssl', '/var/run/docker.sock', '/proc', '/sys/fs', '../outside']) {
    it(`${s} is a warning, an error with safe-paths`, () => {
      const w = buildText(src(s));
      expect(w.diagnostics.find((d) => d.code === 'UNSAFE_PATH')).toMatchObject({ severity: 'warning', line: 9, col: 19 });
      expect(w.text).toBeDefined();
      const e = buildText(src(s, '  safe-paths: true\n'));
      expect(errorsOf(e)[0]).toMatchObject({ code: 'UNSAFE_PATH', line: 10 });
      expect(e.text).toBeUndefined();
      expect(errorsOf(buildText(src(s), { safePaths: true }))[0]?.code).toBe('UNSAFE_PATH');
    });
  }
  it('a project-relative source is fine, and data/x is written ./data/x (not a volume name)', () => {
    const r = buildText(src('data/x', '  safe-paths: true\n'));
    expect(errorsOf(r)).toEqual([]);
    expect(r.text).toContain('- ./data/x:/d');
  });
});
