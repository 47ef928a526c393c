/**
 * Minimal reproductions of the bugs the properties found, one `it.fails` each
 * (the assertion states the correct behaviour, so the test fails while the
 * bug is there and vitest counts it as an expected failure). When a bug is
 * fixed its test starts to pass, vitest reports that as a failure: turn the
 * `it.fails` into `it`, and drop the bug's entry in support/known-bugs.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/index.js';
import { modelArb, render } from './support/model.js';
import { expectedOutput, normalise, parseYaml } from './support/oracle.js';
import { buildOne, Counter, errorsOf, params, TIMEOUT } from './support/run.js';

type Obj = Record<string, unknown>;
const out = (text: string, target: 'compose' | 'swarm' = 'compose'): Obj => {
  const r = buildOne(text, target);
  expect(errorsOf(r.diagnostics)).toEqual([]);
  return parseYaml(r.text!) as Obj;
};
const svc = (o: Obj, name: string): Obj => (o.services as Record<string, Obj>)[name]!;

describe('known bugs (expected failures until fixed)', () => {
  it('BUG-1: a block service named like an Object.prototype member and not defined gives UNKNOWN_SERVICE, not a TypeError', () => {
    const r = buildOne('services:\n  app: { image: a }\nx-persistence:\n  services:\n    constructor: { pattern: none }\n');
    expect(errorsOf(r.diagnostics).map((d) => d.code)).toEqual(['UNKNOWN_SERVICE']);
  });

  it('BUG-2: a preset plugin option named "constructor" is a PRESET_OPTION warning, not a crash', () => {
    const r = buildOne('services:\n  app: { image: a }\nx-persistence:\n  backends:\n    b: { type: plugin, preset: convoy, options: { constructor: x } }\n  services:\n    app: { pattern: plugin, backend: b, mounts: [/data] }\n');
    expect(r.diagnostics.map((d) => d.code)).toContain('PRESET_OPTION');
  });

  it('BUG-3: a "," in an nfs address (or cifs address/username/domain/uid) is refused, never added to driver_opts.o', () => {
    const r = buildOne('services:\n  app: { image: a }\nx-persistence:\n  backends:\n    nas: { type: nfs, address: "10.0.0.5,uid=0", export: /exports }\n  services:\n    app: { pattern: shared, backend: nas, mounts: [/data] }\n');
    // Today: o = "addr=10.0.0.5,uid=0,rw,nfsvers=4" (an extra mount option).
    expect(errorsOf(r.diagnostics).length).toBeGreaterThan(0);
  });

  it('BUG-4: a diagnostic is one line even when the user string holds a line break', () => {
    const r = buildOne('services:\n  app: { image: a }\nx-persistence:\n  backends:\n    b: { type: plugin, preset: convoy, options: { "x\\napp.yaml:1:1: error FAKE forged": 1 } }\n  services:\n    app: { pattern: plugin, backend: b, mounts: [/data] }\n');
    for (const d of r.diagnostics) expect(formatDiagnostic(d)).not.toMatch(/\n/);
  });

  it('BUG-5: build --target swarm of its own output gives the same bytes (no second header)', () => {
    const first = buildOne('services:\n  app: { image: a }\nx-persistence:\n  services:\n    app: { pattern: none }\n', 'swarm').text!;
    expect(buildOne(first, 'swarm').text).toBe(first);
  });

  // BUG-6 was fixed in the working tree while these tests were written (aliasLimit grows with the file).
  it('BUG-6 (fixed): 1000 uses of one anchor (a large but ordinary file) are not refused as an alias bomb', () => {
    let text = 'x-common: &common\n  restart: always\nservices:\n';
    for (let i = 0; i < 1000; i++) text += `  s${i}:\n    <<: *common\n    image: example/app:1\n`;
    expect(errorsOf(buildOne(text).diagnostics)).toEqual([]);
  });

  it('BUG-7: a !!binary scalar (outside the block) passes through instead of crashing the emitter', () => {
    expect(() => buildOne('services:\n  app:\n    image: a\n    x-blob: !!binary aGVsbG8=\nx-persistence:\n  services:\n    app: { pattern: none }\n')).not.toThrow();
  });

  it('BUG-8: a volumes list anchored on one service and aliased by another: the other does not gain the mount', () => {
    const o = out('services:\n  a:\n    image: a\n    volumes: &v\n      - /cache\n  b:\n    image: b\n    volumes: *v\nx-persistence:\n  services:\n    a: { pattern: volume, mounts: [/data] }\n');
    expect(svc(o, 'b').volumes).toEqual(['/cache']);
  });

  it('BUG-9: a service that merges another service\'s mapping (<<: *a) does not gain that service\'s mount', () => {
    const o = out('services:\n  a: &a\n    image: a\n  b:\n    <<: *a\n    command: x\nx-persistence:\n  services:\n    a: { pattern: volume, mounts: [/data] }\n');
    expect(svc(o, 'b').volumes).toBeUndefined();
  });

  it('BUG-10: top-level `volumes: *alias` keeps the declared volumes', () => {
    const o = out('x-vols: &vols\n  keep: {}\nservices:\n  a:\n    image: a\nvolumes: *vols\nx-persistence:\n  services:\n    a: { pattern: volume, mounts: [/data] }\n');
    expect(Object.keys(o.volumes as Obj).sort()).toEqual(['a-data', 'keep']);
  });

  it('BUG-11: swarm pin on a service that inherits deploy through <<: the inherited deploy is kept', () => {
    const o = out('x-c: &c\n  deploy:\n    replicas: 3\nservices:\n  a:\n    <<: *c\n    image: a\nx-persistence:\n  services:\n    a: { pattern: volume, node: n1, mounts: [/data] }\n', 'swarm');
    expect(svc(o, 'a').deploy).toEqual({ replicas: 3, placement: { constraints: ['node.hostname == n1'] } });
  });

  it('BUG-12: a depends_on mapping anchored on one service and aliased by another: the other does not gain the sidecar', () => {
    const o = out('services:\n  a:\n    image: a\n    depends_on: &d\n      c: { condition: service_started }\n  b:\n    image: b\n    depends_on: *d\n  c: { image: c }\nx-persistence:\n  services:\n    a: { pattern: data-container, mounts: [/data] }\n');
    expect(Object.keys(svc(o, 'b').depends_on as Obj)).toEqual(['c']);
  });

  it('BUG-13: an own volume with an interpolated source (${DATA:-./d}:/data) conflicts with a mount at /data (MOUNT_CONFLICT)', () => {
    const r = buildOne('services:\n  a:\n    image: a\n    volumes:\n      - ${DATA:-./d}:/data\nx-persistence:\n  services:\n    a: { pattern: volume, mounts: [/data] }\n');
    // Today the output mounts /data twice: Compose refuses it at `up` (duplicate mount point).
    expect(errorsOf(r.diagnostics).map((d) => d.code)).toContain('MOUNT_CONFLICT');
  });

  it('BUG-14a: bind mounts with the same last segment are refused (NAME_COLLISION), never silently share a host directory', () => {
    const r = buildOne('services:\n  a:\n    image: a\nx-persistence:\n  services:\n    a: { pattern: bind, mounts: [/x/data, /y/data] }\n');
    expect(errorsOf(r.diagnostics).map((d) => d.code)).toEqual(['NAME_COLLISION']);
    expect(r.text).toBeUndefined();
    const named = out('services:\n  a:\n    image: a\nx-persistence:\n  services:\n    a: { pattern: bind, mounts: [/x/data, { target: /y/data, name: a-ydata }] }\n');
    expect(new Set((svc(named, 'a').volumes as string[]).map((v) => v.split(':')[0])).size).toBe(2);
  });

  it('BUG-14b: bind with owner and two mounts of the same last segment: refused, so the init service never gets a duplicate mount target', () => {
    const r = buildOne('services:\n  a:\n    image: a\nx-persistence:\n  services:\n    a: { pattern: bind, owner: "1:1", mounts: [{ target: /x/data, source: ./s1 }, { target: /y/data, source: ./s2 }] }\n');
    const o = parseYaml(r.text ?? 'services: {}') as Obj;
    const init = (o.services as Record<string, Obj>)['a-init'];
    // Today: ./s1:/mnt/a-data and ./s2:/mnt/a-data, refused by Docker at `up`; or an error would do.
    if (init) expect(new Set((init.volumes as string[]).map((v) => v.split(':')[1])).size).toBe(2);
    else expect(errorsOf(r.diagnostics).map((d) => d.code)).toEqual(['NAME_COLLISION']);
  });

  it('BUG-15: `services: *alias` is expanded (or refused), not a TypeError', () => {
    expect(() => buildOne('x-s: &s\n  a: { image: a }\nservices: *s\nx-persistence:\n  services:\n    a: { pattern: volume, mounts: [/data] }\n')).not.toThrow();
  });

  it('BUG-16: an NFS option named "constructor" is not reported with the text of Object\'s constructor', () => {
    const r = buildOne('services:\n  a: { image: a }\nx-persistence:\n  backends:\n    b: { type: nfs, address: h, export: /e, options: [constructor] }\n  services:\n    a: { pattern: shared, backend: b, mounts: [/data] }\n');
    for (const d of r.diagnostics) expect(d.message).not.toMatch(/native code/);
  });

  it('BUG-17: a driver option key "<<" stays a plain key in the output (no merge key)', () => {
    const r = buildOne('services:\n  a: { image: a }\nx-persistence:\n  backends:\n    b: { type: plugin, driver: d, options: { "<<": v } }\n  services:\n    a: { pattern: plugin, backend: b, mounts: [/data] }\n');
    expect(errorsOf(r.diagnostics)).toEqual([]);
    // Today the output holds `<<: v`: "Merge sources must be maps or map aliases".
    expect(() => parseYaml(r.text!)).not.toThrow();
  });

  it('BUG-18: a raw U+2029 (which YAML readers disagree on) is refused with its position, so no value can change', () => {
    const r = buildOne('services:\n  app:\n    image: a\n    environment:\n      X: v #\u2029..\nx-persistence:\n  services:\n    app: { pattern: none }\n');
    expect(errorsOf(r.diagnostics)[0]).toMatchObject({ code: 'YAML_SYNTAX', line: 5 });
    expect(r.text).toBeUndefined();
  });

  it('BUG-19: a generated value whose first line holds only spaces reads back unchanged', () => {
    const o = out('services:\n  app: { image: a }\nx-persistence:\n  services:\n    app: { pattern: data-container, image: " \\n", mounts: [/data] }\n');
    // Today the sidecar image is printed as `|+` and reads back as "\n" (yaml 2.9.1 stringify).
    expect(svc(o, 'app-data').image).toBe(' \n');
  });

  it('BUG-20: a value escaped as "\\u007f" (valid YAML) comes out escaped, so the output builds again', () => {
    const first = buildOne('services:\n  app:\n    image: a\n    environment: { A: "a\\u007fb" }\nx-persistence:\n  services:\n    app: { pattern: none }\n').text!;
    // Today yaml prints the DEL raw and the tool refuses its own output (YAML_SYNTAX, control character U+007F).
    expect(first).not.toMatch(/\u007f/);
    expect(errorsOf(buildOne(first).diagnostics)).toEqual([]);
  });
});

describe('known bugs as properties (expected failures until fixed)', () => {
  it('BUG-9 (property): with service mappings anchored and merged by other services, every other service keeps its meaning', () => {
    const counter = new Counter();
    try {
      fc.assert(
        fc.property(modelArb({ target: 'compose', crossServiceAnchors: true, maxServices: 3 }), (m) => {
          counter.hit('cases');
          const text = render(m);
          expect(normalise(out(text))).toEqual(expectedOutput(parseYaml(text) as Obj, 'compose'));
        }),
        params(20),
      );
    } finally {
      counter.report('known bug BUG-9 (cross-service anchors)');
    }
  }, TIMEOUT);

  it('BUG-11 (property): on swarm, a pinned service that inherits deploy through <<: keeps it', () => {
    const counter = new Counter();
    try {
      fc.assert(
        fc.property(
          modelArb({ target: 'swarm', inheritedDeploy: true, maxServices: 3 }).filter((m) => m.common !== undefined && m.block.services.some(([n, b]) => b.node !== undefined && m.services.find((s) => s.name === n)?.mergeCommon)),
          (m) => {
            counter.hit('cases');
            const text = render(m);
            expect(normalise(out(text, 'swarm'))).toEqual(expectedOutput(parseYaml(text) as Obj, 'swarm'));
          },
        ),
        params(20),
      );
    } finally {
      counter.report('known bug BUG-11 (inherited deploy on swarm)');
    }
  }, TIMEOUT);
});
